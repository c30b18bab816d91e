"""Plain text: paragraphs are separated by blank lines; lines starting with a bullet are list items."""

import re

from workspaces.documents.blocks import BlockSink
from workspaces.documents.decoding import decode_text

BULLET = re.compile(r"^\s*(?:[-*•‣◦]|\d{1,3}[.)])\s+")
NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+")


def read(*, stream, name, kind, sink: BlockSink):
    add_paragraphs(decode_text(stream.read(), name, kind), sink)
    return "", None


def add_paragraphs(text: str, sink: BlockSink) -> None:
    """Blank-line separated paragraphs, their hard line breaks joined; bulleted lines as list items."""
    for chunk in re.split(r"\n\s*\n", text):
        lines = [line for line in chunk.split("\n") if line.strip()]
        if lines and all(BULLET.match(line) for line in lines):
            for line in lines:
                depth = (len(line) - len(line.lstrip())) // 2
                sink.list_item(BULLET.sub("", line), level=min(depth, 5), ordered=bool(NUMBERED.match(line)))
        else:
            sink.paragraph(" ".join(lines))
