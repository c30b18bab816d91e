"""The structure of a document: an ordered list of blocks, as every reader returns it.

A block is a heading (with its level), a paragraph, a list item, a table (rows of
cells, the first row a header when `header` is set), a code block or a page break
(with the number of the page that starts). Readers append blocks through one
`BlockSink`, the single place that counts what a document yields, so a cap on
characters applies to every format alike.
"""

import re
from dataclasses import asdict, dataclass, field

from workspaces.documents.limits import HEADING_MAX_CHARACTERS

HEADING = "heading"
PARAGRAPH = "paragraph"
LIST_ITEM = "list_item"
TABLE = "table"
CODE = "code"
PAGE_BREAK = "page_break"
KINDS = (HEADING, PARAGRAPH, LIST_ITEM, TABLE, CODE, PAGE_BREAK)

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
CELL_SEPARATOR = " | "
# Between blocks in a passage's (and a document's) text: a table's rows and code keep single line breaks.
BLOCK_SEPARATOR = "\n\n"


@dataclass
class Block:
    kind: str
    text: str = ""
    level: int = 0  # heading level 1-6; list nesting depth (0 = top)
    rows: list[list[str]] = field(default_factory=list)  # tables only
    header: bool = False  # tables: the first row names the columns
    ordered: bool = False  # list items: numbered list
    page: int | None = None  # the page the block is on (paginated formats)

    def plain_text(self) -> str:
        """The block as text to search and quote: a table is one line per row, cells separated."""
        if self.kind == TABLE:
            return "\n".join(CELL_SEPARATOR.join(row) for row in self.rows)
        return self.text

    def word_count(self) -> int:
        return len(self.plain_text().split())

    def as_json(self) -> dict:
        data = {key: value for key, value in asdict(self).items() if value not in (None, "", 0, False, [])}
        data["kind"] = self.kind
        return data

    @classmethod
    def from_json(cls, data) -> "Block":
        data = data if isinstance(data, dict) else {}
        kind = data.get("kind") if data.get("kind") in KINDS else PARAGRAPH
        rows = data.get("rows") if isinstance(data.get("rows"), list) else []
        return cls(
            kind=kind,
            text=str(data.get("text") or ""),
            level=int(data.get("level") or 0),
            rows=[[str(cell) for cell in row] for row in rows if isinstance(row, list)],
            header=bool(data.get("header")),
            ordered=bool(data.get("ordered")),
            page=data.get("page") if isinstance(data.get("page"), int) else None,
        )


def clean_inline(text: str) -> str:
    """Runs of white space (line breaks included) become one space; control characters go."""
    return " ".join(CONTROL_CHARACTERS.sub("", text or "").split())


def clean_preformatted(text: str) -> str:
    """Code keeps its lines and indentation; only control characters and trailing blanks go."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    lines = [CONTROL_CHARACTERS.sub("", line).rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


class BlockSink:
    """Where a reader puts blocks: cleans them, drops empty ones, counts characters.

    `characters` is the running total of text kept, so a cap (per document or per
    page) can be checked in `add` for every format at once.
    """

    def __init__(self, *, budget=None):
        self.blocks: list[Block] = []
        self.characters = 0
        self.page: int | None = None
        self.budget = budget  # documents.limits.TextBudget: refuses the block that goes over the cap
        self.attachments: list[tuple[str, bytes]] = []  # files inside the document (an e-mail's) to ingest apart

    def add(self, block: Block) -> None:
        if block.kind == CODE:
            block.text = clean_preformatted(block.text)
        elif block.kind == TABLE:
            block.rows = [[clean_inline(cell) for cell in row] for row in block.rows]
            block.rows = [row for row in block.rows if any(row)]
        elif block.kind != PAGE_BREAK:
            block.text = clean_inline(block.text)
        if block.kind == HEADING and len(block.text) > HEADING_MAX_CHARACTERS:
            block.kind, block.level = PARAGRAPH, 0  # repeated in every passage's heading path otherwise
        if block.kind != PAGE_BREAK and not block.plain_text().strip():
            return
        if block.page is None:
            block.page = self.page
        characters = len(block.plain_text())
        if self.budget is not None:
            self.budget.take(characters)
        self.characters += characters
        self.blocks.append(block)

    def heading(self, text: str, level: int) -> None:
        self.add(Block(HEADING, text=text, level=min(max(level, 1), 6)))

    def paragraph(self, text: str) -> None:
        self.add(Block(PARAGRAPH, text=text))

    def list_item(self, text: str, *, level: int = 0, ordered: bool = False) -> None:
        self.add(Block(LIST_ITEM, text=text, level=level, ordered=ordered))

    def table(self, rows: list[list[str]], *, header: bool) -> None:
        width = max((len(row) for row in rows), default=0)
        self.add(Block(TABLE, rows=[row + [""] * (width - len(row)) for row in rows], header=header))

    def code(self, text: str) -> None:
        self.add(Block(CODE, text=text))

    def attach(self, name: str, data: bytes) -> None:
        self.attachments.append((name, data))

    def page_break(self, page: int) -> None:
        self.page = page
        self.blocks.append(Block(PAGE_BREAK, page=page))


def blocks_text(blocks: list[Block]) -> str:
    """The plain text of blocks, one blank line between them (page breaks leave no text)."""
    return BLOCK_SEPARATOR.join(block.plain_text() for block in blocks if block.kind != PAGE_BREAK)


def first_heading(blocks: list[Block]) -> str:
    return next((block.text for block in blocks if block.kind == HEADING), "")
