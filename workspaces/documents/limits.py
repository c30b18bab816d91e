"""How much text Docent takes out of one file: the caps extraction checks while it reads.

Each is a few times what the largest honest upload (the `max_upload_mb` setting, 25 MB by
default) can hold, so a real document never meets them and a decompression bomb meets one
early, before it costs much. The process-level limits (memory, wall clock) are settings:
EXTRACTION_MEMORY_MB and EXTRACTION_TIMEOUT_SECONDS, applied by `documents.sandbox`.
"""

from workspaces.documents.refusals import DocumentRefused

MIB = 1024 * 1024
# Characters of text one document may give (a 25 MB plain-text file holds at most 25 million).
MAX_TEXT_CHARACTERS = 50_000_000
# Characters one PDF page may give (a dense page holds about 5,000).
MAX_PAGE_CHARACTERS = 200_000
# Characters one passage may hold, and one word in it: a longer word is cut into pieces of this
# length, each counted as a word. A passage of the default 200 words holds about 1,300 characters,
# so ordinary text never meets the character bound at the default (at larger `passage_size_words`
# settings, passages of long words end at it). The bound keeps each row far below PostgreSQL's
# 1 MB tsvector limit, a passage quoted to the model small, the indexing of a 25 MB file a few MB
# at a time, and a reading page (3,000 words) under 3,000 x 100 characters. No dictionary word
# comes near 100 letters; a longer run is a hash, base64 or a URL.
PASSAGE_MAX_CHARACTERS = 8_000
PASSAGE_MAX_WORD_CHARACTERS = 100
# Characters a heading may hold: a longer "heading" is read as a paragraph (it would be repeated in
# the heading path of every passage under it).
HEADING_MAX_CHARACTERS = 300
# Passages one document may be cut into (50 million characters make about 60,000 at the default size).
MAX_PASSAGES = 100_000
# Bytes a Word document's XML may expand to, counted while it is decompressed.
DOCX_MAX_EXPANDED_BYTES = 32 * MIB
# Paragraphs and table rows one Word document may hold (a 1,000-page report has about 30,000),
# counted in the XML before it is parsed: reading and indexing take about 40 µs a paragraph, so
# the largest accepted file holds a worker about 4 s.
DOCX_MAX_BLOCKS = 100_000
# Bytes one PDF stream may expand to, and PDF operators one content stream may hold (pypdf's own budget).
PDF_MAX_STREAM_BYTES = 32 * MIB
PDF_MAX_CONTENT_OPERATIONS = 500_000
# Pages, and drawing instructions in all pages together, one PDF may hold: both counted before any
# text is read (the page tree walked, the content streams scanned), as reading costs about 1 ms a
# page and 20 µs an instruction. A page of text takes a few hundred instructions.
PDF_MAX_PAGES = 2_000
PDF_MAX_OPERATORS = 300_000
# Pages of one PDF handed to the table finder (pages drawn with ruling lines), which takes ~50 ms a page.
PDF_MAX_TABLE_PAGES = 500
# Bytes the XML parts of an Office, OpenDocument or EPUB file may expand to, all together, counted
# while they are decompressed (a zip bomb meets it early), and members one such zip may hold.
ZIP_MAX_EXPANDED_BYTES = 64 * MIB
ZIP_MAX_MEMBERS = 10_000
# Slides one presentation, chapters one EPUB may hold (counted in the zip's listing before reading).
MAX_SLIDES = 2_000
MAX_CHAPTERS = 2_000
# Rows with content and cells all the sheets of one spreadsheet may give, counted in the raw XML
# before a sheet is parsed and again while it is read. openpyxl reads a cell in a few tens of µs:
# 100,000 rows of 10 cells took 68 s on a machine loaded twentyfold (load average 20 on 2 cores),
# some seconds on a quiet one; past the caps, the extraction time limit would refuse it anyway.
SHEET_MAX_ROWS = 200_000
SHEET_MAX_CELLS = 1_000_000
# Parts one e-mail may hold (attachments, alternatives), and attachments that become documents.
EMAIL_MAX_PARTS = 200
EMAIL_MAX_ATTACHMENTS = 20
# Pages one document may need read by OCR, and pixels of one page or image handed to Tesseract
# (a page of A4 at 300 dpi is 8.7 million): both checked before a pixel is decoded. Tesseract reads
# a page in 1-5 s, so scanned documents get EXTRACTION_OCR_TIMEOUT_SECONDS rather than the usual limit.
OCR_MAX_PAGES = 300
OCR_MAX_PIXELS = 40_000_000
OCR_RENDER_DPI = 300
OCR_PAGE_TIMEOUT_SECONDS = 120

EXPANDS_TOO_MUCH = "“{name}” expands to more {what} than Docent accepts (limit {limit})."
HAS_TOO_MANY = "“{name}” has more {what} than Docent accepts (limit {limit})."
TOO_MANY_PASSAGES = "This document would be cut into more passages than Docent accepts (limit {limit:,} passages)."


def expansion_refusal(*, name: str, what: str, limit: str) -> DocumentRefused:
    return DocumentRefused(EXPANDS_TOO_MUCH.format(name=name, what=what, limit=limit), code="too_large")


def count_refusal(*, name: str, what: str, limit: str) -> DocumentRefused:
    return DocumentRefused(HAS_TOO_MANY.format(name=name, what=what, limit=limit), code="too_large")


class TextBudget:
    """Counts characters as a reader produces them and refuses the one that goes over."""

    def __init__(self, *, name: str, kind_label: str, limit: int | None = None):
        self.name, self.kind_label, self.used = name, kind_label, 0
        self.limit = MAX_TEXT_CHARACTERS if limit is None else limit

    def take(self, count: int) -> None:
        self.used += count
        if self.used > self.limit:
            raise expansion_refusal(
                name=self.name, what=f"text ({self.kind_label})", limit=f"{self.limit:,} characters"
            )
