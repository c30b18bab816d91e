"""Markdown, parsed by markdown-it-py (CommonMark and tables): never shown raw."""

import re

from markdown_it import MarkdownIt

from workspaces.documents.blocks import BlockSink
from workspaces.documents.decoding import decode_text

TAG = re.compile(r"<[^>]*>")


def read(*, stream, name, kind, sink: BlockSink):
    text = decode_text(stream.read(), name, kind)
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    _Walker(sink).walk(tokens)
    return "", None


def inline_text(token) -> str:
    """The words of an inline token: emphasis, links and code marks dropped, image alt text kept."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
        elif child.type == "html_inline":
            continue
    return "".join(parts)


class _Walker:
    def __init__(self, sink: BlockSink):
        self.sink = sink
        self.lists: list[bool] = []  # ordered?, one per open list
        self.in_item = 0
        self.table_rows: list[list[str]] | None = None
        self.header = False
        self.heading_level = 0

    def walk(self, tokens):
        for token in tokens:
            handler = getattr(self, "on_" + token.type, None)
            if handler:
                handler(token)

    def on_heading_open(self, token):
        self.heading_level = int(token.tag[1])

    def on_heading_close(self, token):
        self.heading_level = 0

    def on_bullet_list_open(self, token):
        self.lists.append(False)

    def on_ordered_list_open(self, token):
        self.lists.append(True)

    def on_bullet_list_close(self, token):
        self.lists.pop()

    on_ordered_list_close = on_bullet_list_close

    def on_table_open(self, token):
        self.table_rows, self.header = [], False

    def on_thead_open(self, token):
        self.header = True

    def on_tr_open(self, token):
        self.table_rows.append([])

    def on_table_close(self, token):
        self.sink.table(self.table_rows, header=self.header)
        self.table_rows = None

    def on_inline(self, token):
        text = inline_text(token)
        if self.table_rows is not None:
            self.table_rows[-1].append(text)
        elif self.heading_level:
            self.sink.heading(text, self.heading_level)
        elif self.lists:
            self.sink.list_item(text, level=len(self.lists) - 1, ordered=self.lists[-1])
        else:
            self.sink.paragraph(text)

    def on_fence(self, token):
        self.sink.code(token.content)

    on_code_block = on_fence

    def on_html_block(self, token):
        self.sink.paragraph(TAG.sub(" ", token.content))
