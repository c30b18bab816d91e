"""The document page: passages laid out as the document reads, a few thousand words a page.

Pages break between passages, never inside one, so `passages/<position>/` always
lands on one page. Each passage's blocks become items a template renders without
deciding anything: consecutive list items grouped into one list, text escaped
(and, in the cited passage, the search words marked).
"""

from dataclasses import dataclass, field

from django.utils.html import format_html

from workspaces.documents.blocks import BLOCK_SEPARATOR, CELL_SEPARATOR, HEADING, LIST_ITEM, PAGE_BREAK, TABLE, Block
from workspaces.documents.models import DocumentPassage
from workspaces.retrieval.highlight import highlight

READING_PAGE_WORDS = 3000
# Passages made before migration 0010 have no word count.
UNCOUNTED_PASSAGE_WORDS = 200


@dataclass
class Item:
    kind: str
    text: str = ""
    tag: str = ""
    rows: list = field(default_factory=list)
    header: list = field(default_factory=list)
    ordered: bool = False
    level: int = 0
    page: int | None = None
    items: list = field(default_factory=list)  # a list's items


def reading_ranges(document) -> list[tuple[int, int]]:
    """(first, last) passage positions of each part of the document page. One query."""
    return ranges_of(document.passages.order_by("position").values_list("position", "word_count"))


def ranges_of(counts) -> list[tuple[int, int]]:
    """The parts for (position, word count) pairs in reading order: a few thousand words each."""
    ranges: list[list[int]] = []
    words = 0
    for position, count in counts:
        count = UNCOUNTED_PASSAGE_WORDS if count is None else count
        if ranges and words + count <= READING_PAGE_WORDS:
            ranges[-1][1] = position
            words += count
        else:
            ranges.append([position, position])
            words = count
    return [(first, last) for first, last in ranges]


def page_for_position(document, position: int) -> int | None:
    for number, (first, last) in enumerate(reading_ranges(document), start=1):
        if first <= position <= last:
            return number
    return None


def passage_items(passage, terms: list[str] | None = None, phrases: list[str] = ()) -> list[Item]:
    """What the template renders for one passage; `terms` marks the search words, `phrases` the
    quoted phrases, each as one."""
    # Passages made before migration 0010 have no blocks: their blank-line separated paragraphs stand in.
    blocks = passage.block_list or [Block("paragraph", text=part) for part in passage.text.split(BLOCK_SEPARATOR)]
    return blocks_items(blocks, terms, phrases)


def quoted_passage_items(*, workspace, doc_id: str, position: int | None, quote: str) -> list[Item]:
    """A cited passage as a source's panel shows it, tables as tables: the stored passage's blocks
    while its text is still the one quoted (headings and page marks left to the panel's title),
    else the quote itself, a block whose lines all hold the same number of cell separators read
    back as a table. One query."""
    passage = DocumentPassage.objects.filter(
        document__workspace=workspace, document__doc_id=doc_id, position=position
    ).only("text", "blocks").first() if doc_id and position is not None else None
    if passage is not None and passage.blocks and passage.text == quote:
        blocks = [block for block in passage.block_list if block.kind not in (HEADING, PAGE_BREAK)]
    else:
        blocks = [_quoted_block(part) for part in quote.split(BLOCK_SEPARATOR) if part.strip()]
    return blocks_items(blocks)


def _quoted_block(text: str) -> Block:
    lines = text.split("\n")
    counts = {line.count(CELL_SEPARATOR) for line in lines}
    if len(lines) > 1 and len(counts) == 1 and 0 not in counts:
        return Block(TABLE, rows=[line.split(CELL_SEPARATOR) for line in lines])
    return Block("paragraph", text=" ".join(text.split()))


def blocks_items(blocks: list[Block], terms: list[str] | None = None, phrases: list[str] = ()) -> list[Item]:
    """What the template renders for `blocks`: consecutive list items grouped into one list."""
    items: list[Item] = []
    for block in blocks:
        item = _item(block, terms or [], phrases)
        if item.kind == LIST_ITEM:
            if not items or items[-1].kind != "list" or items[-1].ordered != block.ordered:
                items.append(Item("list", ordered=block.ordered))
            items[-1].items.append(item)
        else:
            items.append(item)
    return items


def _item(block: Block, terms: list[str], phrases: list[str] = ()) -> Item:
    def mark(text):
        return highlight(text, terms, phrases=phrases) if terms else format_html("{}", text)

    if block.kind == PAGE_BREAK:
        return Item(PAGE_BREAK, page=block.page)
    if block.kind == TABLE:
        header = [mark(cell) for cell in block.rows[0]] if block.header and block.rows else []
        body = block.rows[1:] if header else block.rows
        return Item(TABLE, header=header, rows=[[mark(cell) for cell in row] for row in body])
    tag = f"h{min(block.level + 1, 6)}" if block.kind == HEADING else ""
    return Item(block.kind, text=mark(block.text), tag=tag, level=block.level, ordered=block.ordered)
