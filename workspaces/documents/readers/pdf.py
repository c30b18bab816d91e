"""PDF: page by page, lines joined into paragraphs, running headers and footers dropped.

pypdf gives each page's text as lines. A line ending in a hyphen before a
lower-case word is joined without the hyphen; a short line ending a sentence
ends its paragraph; a line in a larger font than the body is a heading. A line
found at the top (or bottom) of most pages, digits aside, is a running header
(or footer) and is dropped, as are bare page numbers there.
"""

import logging
import re
from collections import Counter

from workspaces.documents import limits
from workspaces.documents.blocks import BlockSink
from workspaces.documents.decoding import PDF_CORRUPT, PDF_ENCRYPTED, mismatch
from workspaces.documents.readers.csv import looks_like_header
from workspaces.documents.readers.pdf_scans import recognise, scanned_pages
from workspaces.documents.readers.pdf_tables import TableRows, pages_with_tables, ruled_pages
from workspaces.documents.readers.text import BULLET, NUMBERED
from workspaces.documents.refusals import DocumentRefused

logger = logging.getLogger(__name__)

PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?:;”\"')]$")
HYPHENATED = re.compile(r"[^\W\d_]-$")
# A line shorter than this share of the page's longest line, ending a sentence, ends its paragraph.
SHORT_LINE = 0.8
RUNNING_SHARE = 0.6
HEADING_SCALE = 1.15
HEADING_MAX_WORDS = 14
# A content stream's operators, counted without parsing: a name of 1 to 3 letters standing alone
# ("Tj", "re", "T*", "'"). Short words inside strings count too, so the count errs high.
OPERATOR = re.compile(rb"(?<![A-Za-z0-9/#.*'\"_-])[A-Za-z'\"][A-Za-z0-9*]{0,2}(?![A-Za-z0-9_#])")


def read(*, stream, name, kind, sink: BlockSink, ocr_languages: str = ""):
    from pypdf import apply_configuration
    from pypdf.errors import LimitReachedError

    if b"%PDF-" not in stream.read(1024):
        raise mismatch(name, kind)
    stream.seek(0)
    try:
        # pypdf's own budget: bytes one stream may expand to, operators one content stream may hold.
        with apply_configuration(
            zlib_maximum_output_length=limits.PDF_MAX_STREAM_BYTES,
            maximum_declared_stream_length=limits.PDF_MAX_STREAM_BYTES,
            stream_parsing_work_maximum_count=limits.PDF_MAX_CONTENT_OPERATIONS,
        ):
            return _read(stream, name, sink, ocr_languages)
    except LimitReachedError:
        raise limits.expansion_refusal(
            name=name, what="content (PDF)",
            limit=f"{limits.PDF_MAX_STREAM_BYTES // limits.MIB} MiB or {limits.PDF_MAX_CONTENT_OPERATIONS:,} "
                  "drawing instructions per stream",
        ) from None


def _read(stream, name, sink, ocr_languages=""):
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError

    # pypdf raises many kinds of error on damaged or hostile files (zlib, struct, recursion…):
    # every one of them means the same to the uploader, so none may become a 500.
    try:
        reader = PdfReader(stream)
        encrypted = reader.is_encrypted
    except LimitReachedError:
        raise
    except Exception:
        raise DocumentRefused(PDF_CORRUPT.format(name=name), code="corrupt") from None
    if encrypted and not _opens_without_password(reader):
        raise DocumentRefused(PDF_ENCRYPTED.format(name=name), code="encrypted")
    try:
        _refuse_pathological_shapes(reader, name)
        budget = limits.TextBudget(name=name, kind_label="PDF")
        pages = [_page_lines(page, name, budget) for page in reader.pages]
        title = str((reader.metadata or {}).get("/Title") or "")
    except (DocumentRefused, LimitReachedError):
        raise
    except FileNotDecryptedError:
        raise DocumentRefused(PDF_ENCRYPTED.format(name=name), code="encrypted") from None
    except Exception:
        raise DocumentRefused(PDF_CORRUPT.format(name=name), code="corrupt") from None
    pages = _with_scans_and_tables(stream, reader, pages, name=name, languages=ocr_languages)
    headings = _heading_levels(pages)
    running = _running_lines(pages)
    for number, (lines, _sizes) in enumerate(pages, start=1):
        sink.page_break(number)
        lines = _without_running_lines(lines, running)
        _add_lines(lines, headings, sink)
    return title, len(pages)


def _with_scans_and_tables(stream, reader, pages, *, name, languages):
    """The pages' lines, with scanned pages read by OCR and ruled pages' tables found (TableRows)."""
    scans = scanned_pages(reader, pages)
    ruled = ruled_pages(reader)
    if not scans and not ruled:
        return pages
    stream.seek(0)
    data = stream.read()
    pages = list(pages)
    if scans:
        has_text = any(any(lines) for lines, _sizes in pages)
        for index, lines in recognise(data, scans, name=name, languages=languages, has_text=has_text).items():
            pages[index] = (lines, {})
    if ruled:
        try:
            found = pages_with_tables(data, ruled)
        except Exception:  # pdfminer fails in its own ways on files pypdf read: the tables stay text
            logger.warning("%s: the table finder failed; tables stay lines of text", name, exc_info=True)
            found = {}
        for index, items in found.items():
            pages[index] = (items, pages[index][1])
    return pages


def _opens_without_password(reader) -> bool:
    """True for PDFs encrypted only against editing (an empty user password)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an unsupported cipher or a missing crypto library: treat as locked
        return False


def _refuse_pathological_shapes(reader, name) -> None:
    """Count pages and drawing instructions before reading any text, and refuse past the caps: a file
    of a few KB can list one page 20,000 times, or repeat a path of 100,000 points on many pages."""
    if _page_count(reader, limit=limits.PDF_MAX_PAGES) > limits.PDF_MAX_PAGES:
        raise limits.count_refusal(name=name, what="pages", limit=f"{limits.PDF_MAX_PAGES:,} pages")
    operators = 0
    for page in reader.pages:
        contents = page.get_contents()
        if contents is None:
            continue
        for _match in OPERATOR.finditer(contents.get_data()):
            operators += 1
            if operators > limits.PDF_MAX_OPERATORS:
                raise limits.count_refusal(
                    name=name, what="drawing instructions", limit=f"{limits.PDF_MAX_OPERATORS:,} in the whole document"
                )


def _page_count(reader, *, limit: int) -> int:
    """Pages in the page tree, walked without reading a page (a count over `limit` stops early)."""
    declared = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
    if isinstance(declared, int) and declared > limit:
        return declared
    count, visited, stack = 0, 0, [reader.trailer["/Root"]["/Pages"]]
    while stack:
        node = stack.pop().get_object()
        visited += 1
        if count > limit or visited > 4 * limit:  # a tree of more nodes than pages is not a document
            return max(count, limit + 1)
        kids = node.get("/Kids")
        if kids is None:
            count += 1
        else:
            stack.extend(kids.get_object())
    return count


def _page_lines(page, name, budget):
    """The page's lines of text, and the font size of each line's text as far as pypdf tells it.

    Refused as soon as the page, or the document so far (`budget`), gives too much text."""
    sizes: dict[str, float] = {}
    page_characters = 0

    def visit(text, cm, tm, font_dict, font_size):
        nonlocal page_characters
        page_characters += len(text)
        budget.take(len(text))
        if page_characters > limits.MAX_PAGE_CHARACTERS:
            raise limits.expansion_refusal(
                name=name, what="text (PDF)", limit=f"{limits.MAX_PAGE_CHARACTERS:,} characters a page"
            )
        key = " ".join(text.split())
        if key:
            scale = abs(tm[3] * cm[3]) or 1.0
            sizes[key] = max(sizes.get(key, 0.0), float(font_size or 0) * scale)

    text = page.extract_text(visitor_text=visit) or ""
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return lines, sizes


def _heading_levels(pages) -> dict[str, int]:
    """Lines set larger than the body text, by size: the largest is level 1."""
    weights: Counter = Counter()
    line_sizes: dict[str, float] = {}
    for lines, sizes in pages:
        for line in lines:
            if isinstance(line, str) and line in sizes:
                line_sizes[line] = sizes[line]
                weights[round(sizes[line], 1)] += len(line)
    if not weights:
        return {}
    body = weights.most_common(1)[0][0]
    larger = sorted({size for size in weights if size > body * HEADING_SCALE}, reverse=True)
    return {
        line: larger.index(round(size, 1)) + 1
        for line, size in line_sizes.items()
        if round(size, 1) in larger and len(line.split()) <= HEADING_MAX_WORDS
    }


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _running_lines(pages) -> set[str]:
    """Shapes of lines found first or last on most pages (page numbers aside): headers and footers."""
    if len(pages) < 2:
        return set()
    edges: Counter = Counter()
    for lines, _sizes in pages:
        content = [line for line in lines if line and isinstance(line, str)]
        for line in {*content[:2], *content[-2:]}:
            edges[_shape(line)] += 1
    needed = max(2, RUNNING_SHARE * len(pages))
    return {shape for shape, count in edges.items() if count >= needed}


def _without_running_lines(lines, running):
    content = list(lines)
    for edge in (slice(None, 2), slice(-2, None)):
        indexes = [i for i, line in enumerate(content) if line and isinstance(line, str)][edge]
        for i in indexes:
            if _shape(content[i]) in running or PAGE_NUMBER.match(content[i]):
                content[i] = ""
    return content


def _add_lines(lines, headings, sink):
    widest = max((len(line) for line in lines if isinstance(line, str)), default=0)
    paragraph: list[str] = []
    item = None  # (ordered, words) of an open list item

    def close():
        nonlocal paragraph, item
        if item is not None:
            sink.list_item(_joined(item[1]), ordered=item[0])
        elif paragraph:
            sink.paragraph(_joined(paragraph))
        paragraph, item = [], None

    for line in lines:
        if isinstance(line, TableRows):
            close()
            sink.table(line, header=looks_like_header(line))
        elif not line:
            close()
        elif line in headings:
            close()
            sink.heading(line, headings[line])
        elif BULLET.match(line):
            close()
            item = (bool(NUMBERED.match(line)), [BULLET.sub("", line)])
        else:
            (item[1] if item is not None else paragraph).append(line)
            if SENTENCE_END.search(line) and len(line) < SHORT_LINE * widest:
                close()
    close()


def _joined(lines: list[str]) -> str:
    """Lines as one paragraph: a word split by a hyphen at a line end is made whole again."""
    text = ""
    for line in lines:
        if text and HYPHENATED.search(text) and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}" if text else line
    return text
