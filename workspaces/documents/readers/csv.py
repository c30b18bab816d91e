"""CSV: one table, its first row taken as the header when it looks like one."""

import csv
import io

from workspaces.documents import limits
from workspaces.documents.blocks import BlockSink
from workspaces.documents.decoding import decode_text

DELIMITERS = ",;\t|"
SNIFF_CHARACTERS = 64 * 1024


def read(*, stream, name, kind, sink: BlockSink):
    text = decode_text(stream.read(), name, kind)
    csv.field_size_limit(limits.MAX_TEXT_CHARACTERS)  # a cell may be as long as a document (passages cut it)
    try:
        dialect = csv.Sniffer().sniff(text[:SNIFF_CHARACTERS], delimiters=DELIMITERS)
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    sink.table(rows, header=looks_like_header(rows))
    return "", None


def looks_like_header(rows: list[list[str]]) -> bool:
    """A first row of distinct, non-empty labels (no numbers) above at least one other row."""
    if len(rows) < 2:
        return False
    first = [cell.strip() for cell in rows[0]]
    if not all(first) or len(set(first)) != len(first) or any(is_number(cell) for cell in first):
        return False
    # When the column below is text too, a header is still likely if the labels are short.
    return all(len(cell) <= 60 for cell in first)


def is_number(cell: str) -> bool:
    cleaned = cell.strip().replace(",", "").replace(" ", "").lstrip("$€£-+").rstrip("%")
    try:
        float(cleaned)
    except ValueError:
        return False
    return True
