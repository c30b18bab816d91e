"""The file types Docent reads, stated once: extension, content type, label."""

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

# The Type column's words that differ between languages (the others are names: PDF, Word, …).
DISPLAY_WORDS = (
    gettext_noop("Text"), gettext_noop("OpenDocument spreadsheet"), gettext_noop("OpenDocument text"),
    gettext_noop("E-mail"), gettext_noop("PNG image"), gettext_noop("JPEG image"), gettext_noop("TIFF image"),
    gettext_noop("File"),
)


@dataclass(frozen=True)
class FileKind:
    extension: str
    content_type: str
    label: str  # as it reads inside a sentence: "not really a text file", "a PDF file"

    @property
    def display_label(self) -> str:
        """As it reads on its own, in a list's Type column, in the reader's language."""
        return gettext(self.label[:1].upper() + self.label[1:])


KINDS = {
    kind.extension: kind
    for kind in (
        FileKind("pdf", "application/pdf", "PDF"),
        FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
        FileKind("txt", "text/plain", "text"),
        FileKind("md", "text/markdown", "Markdown"),
        FileKind("csv", "text/csv", "CSV"),
        FileKind("html", "text/html", "HTML"),
        FileKind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint"),
        FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
        FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet"),
        FileKind("odt", "application/vnd.oasis.opendocument.text", "OpenDocument text"),
        FileKind("epub", "application/epub+zip", "EPUB"),
        FileKind("eml", "message/rfc822", "e-mail"),
        FileKind("png", "image/png", "PNG image"),
        FileKind("jpg", "image/jpeg", "JPEG image"),
        FileKind("tif", "image/tiff", "TIFF image"),
    )
}
# Kinds whose reading may need OCR: they take the workspace's OCR languages and a longer time limit.
OCR_KINDS = frozenset({"pdf", "png", "jpg", "tif"})
KINDS_BY_CONTENT_TYPE = {kind.content_type: kind for kind in KINDS.values()}
EXTENSION_ALIASES = {"text": "txt", "markdown": "md", "htm": "html", "jpeg": "jpg", "tiff": "tif"}
ACCEPTED_EXTENSIONS = tuple(sorted({*KINDS, *EXTENSION_ALIASES}))


def label_for_content_type(content_type: str | None) -> str:
    kind = KINDS_BY_CONTENT_TYPE.get(content_type or "")
    return kind.display_label if kind else gettext("File")
