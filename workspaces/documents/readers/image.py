"""Images (PNG, JPEG, TIFF): read by OCR, one page per image (per frame of a multi-page TIFF).

The size and frame count are read from the header before a pixel is decoded, and refused past
`limits.OCR_MAX_PIXELS` and `OCR_MAX_PAGES`."""

from workspaces.documents import limits
from workspaces.documents.blocks import BlockSink
from workspaces.documents.decoding import mismatch
from workspaces.documents.ocr import image_text
from workspaces.documents.readers.text import add_paragraphs
from workspaces.documents.refusals import DocumentRefused

FORMATS = {"png": "PNG", "jpg": "JPEG", "tif": "TIFF"}
IMAGE_CORRUPT = "“{name}” could not be read: the image is damaged."


def read(*, stream, name, kind, sink: BlockSink, ocr_languages: str = ""):
    from PIL import Image

    try:
        image = Image.open(stream, formats=[FORMATS[kind.extension]])
    except Image.DecompressionBombError:  # Pillow's own cap, far above ours: refused as ours would
        raise limits.count_refusal(
            name=name, what="pixels on a page", limit=f"{limits.OCR_MAX_PIXELS // 1_000_000} million pixels a page"
        ) from None
    except (OSError, ValueError, SyntaxError):
        raise mismatch(name, kind) from None
    frames = getattr(image, "n_frames", 1)
    if frames > limits.OCR_MAX_PAGES:
        raise limits.count_refusal(name=name, what="pages", limit=f"{limits.OCR_MAX_PAGES:,} pages")
    for number in range(1, frames + 1):
        try:
            image.seek(number - 1)
            check_pixels(image.size, name)
            frame = image.copy() if image.mode in ("RGB", "L") else _as_grey(image)
        except DocumentRefused:
            raise
        except (OSError, ValueError, EOFError, SyntaxError, Image.DecompressionBombError):
            raise DocumentRefused(IMAGE_CORRUPT.format(name=name), code="corrupt") from None
        sink.page_break(number)
        add_ocr_text(image_text(frame, name=name, languages=ocr_languages), sink)
    return "", frames


def _as_grey(image):
    """Any other mode (palette, CMYK, 16-bit, with alpha) as 8-bit grey, which Tesseract reads best."""
    from PIL import Image

    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        return image.point(lambda value: value / 256).convert("L")
    if "A" in image.mode or "transparency" in image.info:  # transparent parts are paper, not ink
        paper = Image.new("RGBA", image.size, "white")
        paper.alpha_composite(image.convert("RGBA"))
        return paper.convert("L")
    return image.convert("L")


def check_pixels(size: tuple[int, int], name: str) -> None:
    width, height = size
    if width * height > limits.OCR_MAX_PIXELS:
        raise limits.count_refusal(
            name=name, what="pixels on a page", limit=f"{limits.OCR_MAX_PIXELS // 1_000_000} million pixels a page"
        )


def add_ocr_text(text: str, sink: BlockSink) -> None:
    """Tesseract's output: paragraphs separated by blank lines, bulleted lines as list items."""
    add_paragraphs(text.replace("\f", "\n\n"), sink)
