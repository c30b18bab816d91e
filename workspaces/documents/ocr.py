"""Text recognition (OCR) with Tesseract, through pytesseract: the languages a server has, a
workspace's choice of them checked, and one image read.

Tesseract is a program the operator installs (Debian: `tesseract-ocr` and a `tesseract-ocr-<lang>`
package per language; docs/administration.md). Without it, text PDFs and every other format still
read; a scan fails with NOT_INSTALLED. Reading runs inside the extraction child
(`documents.sandbox`): Tesseract is its child, with the same CPU limit, one thread, and a time
limit per page.
"""

import os
import re
import shutil

from django.conf import settings
from django.core.exceptions import ValidationError

from workspaces.documents import limits
from workspaces.documents.refusals import DocumentRefused

DEFAULT_LANGUAGES = "eng"
LANGUAGE_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$", re.IGNORECASE)
NOT_INSTALLED = (
    "OCR is not installed on this server: “{name}” is a scan (its pages are images without text), "
    "and reading it needs Tesseract. Ask an administrator to install it."
)
LANGUAGE_MISSING = "“{name}” needs OCR in {language}, which this server does not have installed."
PAGE_TOO_SLOW = "A page of “{name}” takes longer to recognise than Docent allows ({limit} seconds)."
OCR_FAILED = "“{name}” could not be read by OCR: {reason}"
UNKNOWN_LANGUAGES = "Not installed on this server: {codes}. Installed: {installed}."
NO_OCR = "OCR is not installed on this server, so no OCR languages can be chosen."
NO_LANGUAGES = "Choose at least one OCR language."


def tesseract_command() -> str:
    return getattr(settings, "TESSERACT_CMD", "tesseract") or "tesseract"


def ocr_installed() -> bool:
    return shutil.which(tesseract_command()) is not None


def installed_languages() -> list[str]:
    """Language codes Tesseract has data for on this server (without "osd", the script detector); []
    when it is not installed."""
    import subprocess

    if not ocr_installed():
        return []
    try:
        result = subprocess.run(  # noqa: S603 - the operator's configured program, no user input
            [tesseract_command(), "--list-langs"], capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    lines = result.stdout.decode("utf-8", errors="replace").splitlines()
    return sorted(line.strip() for line in lines if LANGUAGE_CODE.match(line.strip()) and line.strip() != "osd")


def ocr_languages_check(*, value: str, previous: str | None = None) -> str:
    """A workspace's OCR languages ("eng+deu") normalised; ValidationError naming a language this server
    lacks. An unchanged value passes, so other settings still save on a server without Tesseract."""
    codes = [code for code in re.split(r"[\s,+]+", (value or "").strip().lower()) if code]
    if not codes:
        raise ValidationError(NO_LANGUAGES)
    normalised = "+".join(dict.fromkeys(codes))
    if normalised == (previous or ""):
        return normalised
    installed = installed_languages()
    if not installed:
        raise ValidationError(NO_OCR)
    unknown = [code for code in codes if code not in installed]
    if unknown:
        raise ValidationError(UNKNOWN_LANGUAGES.format(codes=", ".join(unknown), installed=", ".join(installed)))
    return normalised


def image_text(image, *, name: str, languages: str) -> str:
    """The text Tesseract reads on `image` (a Pillow image) in `languages` ("eng+deu"). Raises
    DocumentRefused when Tesseract is missing, lacks a language, fails or takes too long."""
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = tesseract_command()
    os.environ["OMP_THREAD_LIMIT"] = "1"  # this process is the extraction child: one core per document
    try:
        return pytesseract.image_to_string(image, lang=languages or DEFAULT_LANGUAGES,
                                           timeout=limits.OCR_PAGE_TIMEOUT_SECONDS)
    except pytesseract.TesseractNotFoundError:
        raise DocumentRefused(NOT_INSTALLED.format(name=name), code="ocr_missing") from None
    except pytesseract.TesseractError as error:
        message = str(error.message or "")
        if "Failed loading language" in message or "loading language" in message:
            raise DocumentRefused(LANGUAGE_MISSING.format(name=name, language=languages), code="ocr_missing") from None
        raise DocumentRefused(OCR_FAILED.format(name=name, reason=message[:200]), code="corrupt") from None
    except RuntimeError as error:
        if "timeout" in str(error).lower():
            raise DocumentRefused(
                PAGE_TOO_SLOW.format(name=name, limit=limits.OCR_PAGE_TIMEOUT_SECONDS), code="too_large"
            ) from None
        raise
