"""A document's blocks cut into passages, the unit of search, of citations and of the page.

A passage is a run of whole blocks up to `size_words` words. A heading starts a
new passage, so each passage sits under one heading path ("Handbook › Leave ›
Annual leave"), which is indexed and cited with it; the passage's text is that
of its other blocks, so a quote or an excerpt never starts with a bare heading.
Only a block longer than a passage is cut inside: a paragraph into windows
that repeat `overlap_words` of the window before (in the indexed text only: each
window's rendered block holds just its new words, so the page shows the
document once), a table into groups of rows that each carry the header row.
"""

import re
from dataclasses import dataclass, field

from workspaces.documents.blocks import BLOCK_SEPARATOR, CELL_SEPARATOR, HEADING, PAGE_BREAK, TABLE, Block
from workspaces.documents.limits import MAX_PASSAGES, TOO_MANY_PASSAGES
from workspaces.documents.refusals import DocumentRefused

HEADING_PATH_SEPARATOR = " › "


@dataclass
class Passage:
    text: str
    blocks: list[Block]
    heading_path: list[str] = field(default_factory=list)
    page_start: int | None = None
    page_end: int | None = None

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def heading_path_text(self) -> str:
        return HEADING_PATH_SEPARATOR.join(self.heading_path)


class _Builder:
    def __init__(self, size_words: int, overlap_words: int, max_passages: int):
        self.max_passages = max_passages
        self.size = max(1, size_words)
        self.overlap = min(max(0, overlap_words), self.size // 2)
        self.passages: list[Passage] = []
        self.headings: list[tuple[int, str]] = []
        self.current: list[Block] = []
        self.texts: list[str] = []
        self.words = 0
        self.pending_breaks: list[Block] = []
        self.path: list[str] = []

    def flush(self):
        if any(block.kind != PAGE_BREAK for block in self.current):
            pages = [block.page for block in self.current if block.kind != PAGE_BREAK and block.page is not None]
            # Headings live in the heading path; their text is the passage's only when it holds nothing else.
            texts = [text for text in self.texts if text] or [b.text for b in self.current if b.kind == HEADING]
            self.passages.append(Passage(
                text=BLOCK_SEPARATOR.join(texts), blocks=self.current, heading_path=self.path,
                page_start=min(pages, default=None), page_end=max(pages, default=None),
            ))
            if len(self.passages) > self.max_passages:
                raise DocumentRefused(TOO_MANY_PASSAGES.format(limit=self.max_passages), code="too_large")
        self.current, self.texts, self.words = [], [], 0

    def append(self, block: Block, text: str):
        if not self.current or all(b.kind in (HEADING, PAGE_BREAK) for b in self.current):
            self.path = [heading for _level, heading in self.headings]
        self.current.extend(self.pending_breaks)
        self.pending_breaks = []
        self.current.append(block)
        self.texts.append(text)
        self.words += len(text.split())

    def add(self, block: Block):
        if block.kind == PAGE_BREAK:
            self.pending_breaks.append(block)
            return
        if block.kind == HEADING:
            if any(b.kind not in (HEADING, PAGE_BREAK) for b in self.current):
                self.flush()
            self.headings = [(level, text) for level, text in self.headings if level < block.level]
            self.headings.append((block.level, block.text))
            self.append(block, "")
            return
        words = block.word_count()
        if self.words + words <= self.size:
            self.append(block, block.plain_text())
            return
        if self.words and not all(b.kind in (HEADING, PAGE_BREAK) for b in self.current):
            self.flush()
            if words <= self.size:
                self.append(block, block.plain_text())
                return
        if block.kind == TABLE:
            self._add_long_table(block)
        else:
            self._add_long_text(block)

    def _add_long_text(self, block: Block):
        spans = [match.span() for match in re.finditer(r"\S+", block.text)]
        room = max(1, self.size - self.words)
        start = 0
        while start < len(spans):
            end = min(len(spans), start + room)
            shown = block.text[spans[start][0]:spans[end - 1][1]]
            context = spans[max(0, start - self.overlap)][0] if start else spans[0][0]
            piece = Block(block.kind, text=shown, level=block.level, ordered=block.ordered, page=block.page)
            self.append(piece, block.text[context:spans[end - 1][1]])
            if end < len(spans):
                self.flush()
            start, room = end, self.size - self.overlap
        if self.words >= self.size:
            self.flush()

    def _add_long_table(self, block: Block):
        header = block.rows[:1] if block.header else []
        header_text = CELL_SEPARATOR.join(header[0]) if header else ""
        rows = block.rows[1:] if header else block.rows
        group: list[list[str]] = []
        group_words = len(header_text.split())
        first = True

        def emit():
            nonlocal group, group_words, first
            shown = Block(TABLE, rows=(header + group) if first else group, header=bool(header) and first,
                          page=block.page)
            lines = [CELL_SEPARATOR.join(row) for row in group]
            self.append(shown, "\n".join([header_text, *lines] if header_text else lines))
            self.flush()
            group, group_words, first = [], len(header_text.split()), False

        for row in rows:
            row_words = len(CELL_SEPARATOR.join(row).split())
            if group and group_words + row_words > self.size - self.words:
                emit()
            group.append(row)
            group_words += row_words
        if group:
            emit()

    def finish(self) -> list[Passage]:
        self.flush()
        return self.passages


def split_passages(
    blocks: list[Block], *, size_words: int, overlap_words: int, max_passages: int = MAX_PASSAGES
) -> list[Passage]:
    """The passages of a document's blocks, in reading order (see the module docstring).
    More than `max_passages` is refused (DocumentRefused)."""
    builder = _Builder(size_words, overlap_words, max_passages)
    for block in blocks:
        builder.add(block)
    return builder.finish()
