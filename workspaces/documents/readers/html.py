"""HTML: headings, paragraphs, lists, tables (cells kept apart) and preformatted text.

Scripts, styles, navigation and forms are dropped with everything inside them.
Uses the standard library's HTMLParser, which never fails on broken markup.
"""

from html.parser import HTMLParser

from workspaces.documents.blocks import BlockSink
from workspaces.documents.decoding import decode_text

DROPPED = {"script", "style", "noscript", "template", "head", "nav", "form", "button", "select", "svg", "iframe"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
LISTS = {"ul", "ol"}
# Elements that end the text run before them and start a new block.
BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "blockquote", "figure", "figcaption",
    "dl", "dt", "dd", "address", "hr", "li", "pre", "table", "caption", *HEADINGS, *LISTS,
}
VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "area", "base", "col", "embed", "source", "track"}


def read(*, stream, name, kind, sink: BlockSink):
    return add_html(decode_text(stream.read(), name, kind), sink), None


def add_html(markup: str, sink: BlockSink) -> str:
    """The blocks of `markup` added to `sink`; returns its <title> (an e-mail's or a chapter's HTML too)."""
    parser = _BlockParser(sink)
    parser.feed(markup)
    parser.close()
    parser.flush()
    return parser.title


class _BlockParser(HTMLParser):
    def __init__(self, sink: BlockSink):
        super().__init__(convert_charrefs=True)
        self.sink = sink
        self.text: list[str] = []
        self.stack: list[str] = []  # open block-level elements
        self.lists: list[bool] = []  # ordered?, per open list
        self.dropping = 0
        self.in_title = False
        self.title = ""
        self.pre = 0
        self.table_depth = 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.header_cells = 0

    # The kind of block the pending text belongs to, from the innermost open element.
    def flush(self):
        content = "".join(self.text)
        self.text = []
        if not content.strip():
            return
        for tag in reversed(self.stack):
            if tag == "pre":
                return self.sink.code(content)
            if tag in HEADINGS:
                return self.sink.heading(content, HEADINGS[tag])
            if tag == "li":
                return self.sink.list_item(content, level=max(len(self.lists) - 1, 0),
                                           ordered=bool(self.lists and self.lists[-1]))
        self.sink.paragraph(content)

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        elif tag in DROPPED:
            if tag not in VOID:
                self.dropping += 1
        elif self.dropping:
            return
        elif tag == "table":
            self.table_depth += 1
            if self.table_depth == 1:
                self.flush()
                self.rows, self.header_cells = [], 0
        elif self.table_depth:
            self._table_start(tag)
        elif tag == "br":
            self.text.append("\n" if self.pre else " ")
        elif tag in BLOCK_TAGS:
            self.flush()
            if tag in LISTS:
                self.lists.append(tag == "ol")
            if tag not in VOID:
                self.stack.append(tag)
            if tag == "pre":
                self.pre += 1

    def _table_start(self, tag):
        if self.table_depth > 1:
            return
        if tag == "tr":
            self._end_cell()
            self.rows.append([])
        elif tag in ("td", "th"):
            self._end_cell()
            if not self.rows:
                self.rows.append([])
            self.cell = []
            if tag == "th" and len(self.rows) == 1:
                self.header_cells += 1
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def _end_cell(self):
        if self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        elif tag in DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif self.dropping:
            return
        elif tag == "table" and self.table_depth:
            self.table_depth -= 1
            if self.table_depth == 0:
                self._end_cell()
                rows = [row for row in self.rows if row]
                self.sink.table(rows, header=bool(rows) and self.header_cells == len(rows[0]))
        elif self.table_depth:
            if self.table_depth == 1 and tag in ("td", "th"):
                self._end_cell()
        elif tag in BLOCK_TAGS and tag in self.stack:
            self.flush()
            while self.stack:
                closed = self.stack.pop()
                if closed == "pre":
                    self.pre -= 1
                if closed in LISTS and self.lists:
                    self.lists.pop()
                if closed == tag:
                    break

    def handle_data(self, data):
        if self.in_title:
            self.title += data
        elif self.dropping:
            return
        elif self.table_depth:
            if self.cell is not None:
                self.cell.append(data)
        else:
            self.text.append(data)
