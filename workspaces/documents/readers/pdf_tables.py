"""PDF tables: pages drawn with ruling lines are read again with pdfplumber's table finder, so a
table comes out as rows of cells instead of one run-on line, in its place among the page's lines.

pdfplumber (pdfminer) is about ten times slower than pypdf, so only pages whose content stream
draws enough rules (`re` rectangles and `l` lines, counted without parsing) are handed to it, at
most `limits.PDF_MAX_TABLE_PAGES` of them.
"""

import re

from workspaces.documents import limits

RULE = re.compile(rb"(?<![A-Za-z0-9/#.*'\"_-])(?:re|l)(?![A-Za-z0-9_#])")
MIN_RULES = 4


class TableRows(list):
    """A table found on a page, as rows of cells, among that page's lines of text."""


def ruled_pages(reader) -> list[int]:
    """Indexes of the pages that draw enough rules to hold a table."""
    found = []
    for index, page in enumerate(reader.pages):
        contents = page.get_contents()
        if contents is not None and len(RULE.findall(contents.get_data())) >= MIN_RULES:
            found.append(index)
            if len(found) >= limits.PDF_MAX_TABLE_PAGES:
                break
    return found


def pages_with_tables(data: bytes, indexes: list[int]) -> dict[int, list]:
    """Page index -> the page's lines with its tables (TableRows) in place, for each page where
    pdfplumber finds a table of at least two rows and two columns."""
    import io

    import pdfplumber

    found = {}
    with pdfplumber.open(io.BytesIO(data)) as document:
        for index in indexes:
            items = _page_items(document.pages[index])
            if items is not None:
                found[index] = items
            document.pages[index].close()
    return found


def _page_items(page):
    tables = [table for table in page.find_tables() if _is_table(table)]
    if not tables:
        return None
    tables.sort(key=lambda table: table.bbox[1])
    boxes = [table.bbox for table in tables]
    outside = page.filter(lambda obj: not any(_inside(obj, box) for box in boxes))
    x0, top, x1, bottom = page.bbox
    items: list = []
    for table in tables:
        items.extend(_lines(outside, (x0, top, x1, table.bbox[1])))
        rows = [[" ".join((cell or "").split()) for cell in row] for row in table.extract()]
        items.append(TableRows(rows))
        top = max(top, table.bbox[3])
    items.extend(_lines(outside, (x0, top, x1, bottom)))
    return items


def _is_table(table) -> bool:
    rows = table.extract()
    return len(rows) >= 2 and max((len(row) for row in rows), default=0) >= 2


def _inside(obj, box) -> bool:
    if "x0" not in obj or "top" not in obj:
        return False
    middle_x = (obj["x0"] + obj.get("x1", obj["x0"])) / 2
    middle_y = (obj["top"] + obj.get("bottom", obj["top"])) / 2
    return box[0] <= middle_x <= box[2] and box[1] <= middle_y <= box[3]


def _lines(page, box) -> list[str]:
    if box[3] - box[1] < 1:
        return []
    text = page.crop(box, strict=False).extract_text() or ""
    return [" ".join(line.split()) for line in text.split("\n")] + [""]
