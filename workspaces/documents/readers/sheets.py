"""Spreadsheets: Excel (.xlsx) and OpenDocument (.ods). Each sheet is a section headed
"Sheet: its name", holding the sheet as one table (its first row a header when it looks like one).

Bounded twice: before a sheet is parsed, its cells are counted in the raw XML (`zipparts`), and
while it is read, the rows with content and the cells they span are counted against
`limits.SHEET_MAX_ROWS` and `SHEET_MAX_CELLS` (and the table as drawn, every row as wide as the
widest, against the cells cap). Empty rows, trailing empty cells and empty columns are dropped;
cells repeated by an OpenDocument attribute (a whole empty column is one cell "repeated 16,384
times") cost nothing until a value follows them.
"""

import datetime
import re
from pathlib import PurePosixPath

from workspaces.documents import limits
from workspaces.documents.blocks import BlockSink
from workspaces.documents.decoding import ARCHIVE_CORRUPT
from workspaces.documents.readers.csv import looks_like_header
from workspaces.documents.refusals import DocumentRefused
from workspaces.documents.zipparts import Archive, local_name

EXCEL_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
EXCEL_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell[\s>/]")
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def sheet_heading(title: str) -> str:
    return f"Sheet: {title}"


class _Counter:
    """Rows and cells of a whole workbook, refused past the caps."""

    def __init__(self, name):
        self.name, self.rows, self.cells = name, 0, 0

    def add(self, *, rows: int = 0, cells: int = 0):
        self.rows += rows
        self.cells += cells
        if self.rows > limits.SHEET_MAX_ROWS:
            raise limits.count_refusal(name=self.name, what="rows", limit=f"{limits.SHEET_MAX_ROWS:,} rows")
        if self.cells > limits.SHEET_MAX_CELLS:
            raise limits.count_refusal(name=self.name, what="cells", limit=f"{limits.SHEET_MAX_CELLS:,} cells")


def _add_sheet(title: str, rows: list[list[str]], sink: BlockSink, counter: _Counter) -> None:
    """The sheet as one table under its heading; columns empty in every row are left out."""
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return
    used = sorted({index for row in rows for index, cell in enumerate(row) if cell.strip()})
    if len(used) * len(rows) > limits.SHEET_MAX_CELLS:  # as drawn: every row as wide as the widest
        raise limits.count_refusal(name=counter.name, what="cells", limit=f"{limits.SHEET_MAX_CELLS:,} cells")
    rows = [[row[index] if index < len(row) else "" for index in used] for row in rows]
    sink.heading(sheet_heading(title[:200]), 1)
    sink.table(rows, header=looks_like_header(rows))


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def read_xlsx(*, stream, name, kind, sink: BlockSink):
    from openpyxl import load_workbook

    archive = Archive(stream=stream, name=name, kind=kind, required="xl/workbook.xml", corrupt=ARCHIVE_CORRUPT)
    archive.count([m for m in archive.names if EXCEL_SHEET.match(m)], EXCEL_CELL,
                  limit=limits.SHEET_MAX_CELLS, what="cells", unit="cells")
    archive.scan([m for m in archive.names if m.endswith(".xml")])  # shared strings, styles: openpyxl reads them whole
    counter = _Counter(name)
    stream.seek(0)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        for sheet in workbook.worksheets:
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # a declared size of A1:XFD1048576 is not a reason to pad
            _add_sheet(sheet.title, _excel_rows(sheet, counter), sink, counter)
        title = workbook.properties.title or PurePosixPath(name).stem  # not "Sheet: …", the first heading
        workbook.close()
    except DocumentRefused:
        raise
    except Exception:  # openpyxl, lxml and zipfile fail in many ways on damaged files
        raise DocumentRefused(ARCHIVE_CORRUPT.format(name=name), code="corrupt") from None
    return title, None


def _excel_rows(sheet, counter) -> list[list[str]]:
    rows = []
    for values in sheet.iter_rows(values_only=True):
        cells = [cell_text(value) for value in values]
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            counter.add(rows=1, cells=len(cells))
            rows.append(cells)
    return rows


def read_ods(*, stream, name, kind, sink: BlockSink):
    archive = Archive(stream=stream, name=name, kind=kind, required="content.xml", corrupt=ARCHIVE_CORRUPT)
    archive.count(["content.xml"], ODS_CELL, limit=limits.SHEET_MAX_CELLS, what="cells", unit="cells")
    root = archive.xml("content.xml")
    spreadsheet = root.find(f".//{{{OFFICE_NS}}}spreadsheet") if root is not None else None
    if spreadsheet is None:
        raise DocumentRefused(ARCHIVE_CORRUPT.format(name=name), code="corrupt")
    counter = _Counter(name)
    try:
        for table in spreadsheet.iter(f"{{{TABLE_NS}}}table"):
            _add_sheet(table.get(f"{{{TABLE_NS}}}name") or "", _ods_rows(table, counter), sink, counter)
    except RecursionError:
        raise DocumentRefused(ARCHIVE_CORRUPT.format(name=name), code="corrupt") from None
    return PurePosixPath(name).stem, None


def _repeat(element, attribute: str) -> int:
    try:
        return max(1, int(element.get(f"{{{TABLE_NS}}}{attribute}") or 1))
    except ValueError:
        return 1


def _ods_rows(table, counter) -> list[list[str]]:
    rows = []
    for row in table.iter(f"{{{TABLE_NS}}}table-row"):
        cells, pending_empty = [], 0
        for cell in row:
            if local_name(cell) not in ("table-cell", "covered-table-cell"):
                continue
            text = ods_text(cell)
            repeat = _repeat(cell, "number-columns-repeated")
            if not text.strip():
                pending_empty += repeat
                continue
            counter.add(cells=pending_empty + repeat)
            cells.extend([""] * pending_empty + [text] * repeat)
            pending_empty = 0
        if cells:
            repeat = _repeat(row, "number-rows-repeated")
            counter.add(rows=repeat, cells=len(cells) * (repeat - 1))
            rows.extend([list(cells) for _ in range(repeat)])
    return rows


def ods_text(element) -> str:
    """The text of an OpenDocument element: its paragraphs one after another, spaces and tabs kept."""
    parts = []
    for paragraph in element.iter(f"{{{TEXT_NS}}}p", f"{{{TEXT_NS}}}h"):
        parts.append(inline_text(paragraph))
    return " ".join(part for part in parts if part)


def inline_text(element) -> str:
    """Text of a paragraph with <text:s/>, <text:tab/> and <text:line-break/> as spaces; notes left out."""
    parts = [element.text or ""]
    for child in element:
        name = local_name(child)
        if name in ("s", "tab", "line-break"):
            parts.append(" ")
        elif name not in ("note", "annotation", "bookmark", "soft-page-break"):
            parts.append(inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
