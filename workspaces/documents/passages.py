"""A document's blocks cut into passages, the unit of search, of citations and of the page.

A passage is a run of whole blocks up to `size_words` words and `limits.PASSAGE_MAX_CHARACTERS`
characters; a run of more than `limits.PASSAGE_MAX_WORD_CHARACTERS` non-space characters counts
(and is cut) as several words, so no file becomes one giant passage, index entry or page. A heading starts a
new passage, so each passage sits under one heading path ("Handbook › Leave ›
Annual leave"), which is indexed and cited with it; so does a page break after a passage at
least half full, so that most passages (and their citations) name one page; the passage's text is that
of its other blocks, so a quote or an excerpt never starts with a bare heading.
Only a block longer than a passage is cut inside: a paragraph into windows
that repeat `overlap_words` of the window before (in the indexed text only: each
window's rendered block holds just its new words, so the page shows the
document once), a table into groups of rows that each carry the header row (a row
longer than a passage into several rows, a cell longer than a passage into pieces).
"""

import re
from dataclasses import dataclass, field

from workspaces.documents import limits
from workspaces.documents.blocks import BLOCK_SEPARATOR, CELL_SEPARATOR, HEADING, PAGE_BREAK, TABLE, Block
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
        return word_count(self.text)

    @property
    def heading_path_text(self) -> str:
        return HEADING_PATH_SEPARATOR.join(self.heading_path)


def _word_pattern():
    return re.compile(rf"\S{{1,{limits.PASSAGE_MAX_WORD_CHARACTERS}}}")


def word_count(text: str) -> int:
    """Words of `text`, a word longer than PASSAGE_MAX_WORD_CHARACTERS counting as its pieces."""
    most = limits.PASSAGE_MAX_WORD_CHARACTERS
    words = text.split()
    if len(text) <= most or max(map(len, words), default=0) <= most:
        return len(words)
    return sum(-(-len(word) // most) for word in words)


def _windows(text: str, *, first_words: int, first_characters: int, size: int, max_characters: int,
             overlap: int = 0):
    """Cut `text` into windows of at most `size` words and `max_characters` characters (the first
    at most `first_words` and `first_characters`). Yields (shown, indexed): the window's own text,
    and the same text after up to `overlap` words of the window before (at most half the bound)."""
    spans = [match.span() for match in _word_pattern().finditer(text)]
    start, room, room_characters = 0, max(1, first_words), first_characters
    while start < len(spans):
        context = max(0, start - overlap)
        while context < start and spans[start][1] - spans[context][0] > max_characters // 2:
            context += 1
        end = start + 1
        while end < min(len(spans), start + room) and spans[end][1] - spans[context][0] <= room_characters:
            end += 1
        yield text[spans[start][0]:spans[end - 1][1]], text[spans[context][0]:spans[end - 1][1]]
        start, room, room_characters = end, max(1, size - overlap), max_characters


class _Builder:
    def __init__(self, size_words: int, overlap_words: int, max_passages: int):
        self.max_passages = max_passages
        self.size = max(1, size_words)
        self.max_characters = limits.PASSAGE_MAX_CHARACTERS
        self.overlap = min(max(0, overlap_words), self.size // 2)
        self.passages: list[Passage] = []
        self.headings: list[tuple[int, str]] = []
        self.current: list[Block] = []
        self.texts: list[str] = []
        self.words = 0
        self.characters = 0
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
                raise DocumentRefused(limits.TOO_MANY_PASSAGES.format(limit=self.max_passages), code="too_large")
        self.current, self.texts, self.words, self.characters = [], [], 0, 0

    def room(self) -> tuple[int, int]:
        """Words and characters the current passage can still take (a block separator counted)."""
        return self.size - self.words, self.max_characters - self.characters - len(BLOCK_SEPARATOR)

    def fits(self, words: int, characters: int) -> bool:
        room_words, room_characters = self.room()
        return words <= room_words and characters <= room_characters

    def append(self, block: Block, text: str):
        if not self.current or all(b.kind in (HEADING, PAGE_BREAK) for b in self.current):
            self.path = [heading for _level, heading in self.headings]
        self.current.extend(self.pending_breaks)
        self.pending_breaks = []
        self.current.append(block)
        self.texts.append(text)
        self.words += word_count(text)
        if text:
            self.characters += len(text) + len(BLOCK_SEPARATOR)

    def add(self, block: Block):
        if block.kind == PAGE_BREAK:
            if self.words >= self.size // 2:  # a passage half full ends with its page: cited by one page
                self.flush()
            self.pending_breaks.append(block)
            return
        if block.kind == HEADING:
            if any(b.kind not in (HEADING, PAGE_BREAK) for b in self.current):
                self.flush()
            self.headings = [(level, text) for level, text in self.headings if level < block.level]
            self.headings.append((block.level, block.text))
            self.append(block, "")
            return
        text = block.plain_text()
        words, characters = word_count(text), len(text)
        if self.fits(words, characters):
            self.append(block, text)
            return
        if self.words and not all(b.kind in (HEADING, PAGE_BREAK) for b in self.current):
            self.flush()
            if self.fits(words, characters):
                self.append(block, text)
                return
        if block.kind == TABLE:
            self._add_long_table(block)
        else:
            self._add_long_text(block)

    def _add_long_text(self, block: Block):
        room_words, room_characters = self.room()
        windows = _windows(
            block.text, first_words=room_words, first_characters=room_characters, size=self.size,
            max_characters=self.max_characters, overlap=self.overlap,
        )
        for number, (shown, indexed) in enumerate(windows):
            if number:
                self.flush()
            piece = Block(block.kind, text=shown, level=block.level, ordered=block.ordered, page=block.page)
            self.append(piece, indexed)
        if not self.fits(1, limits.PASSAGE_MAX_WORD_CHARACTERS):
            self.flush()

    def _add_long_table(self, block: Block):
        header = block.rows[:1] if block.header else []
        header_text = CELL_SEPARATOR.join(header[0]) if header else ""
        if word_count(header_text) > self.size // 2 or len(header_text) > self.max_characters // 2:
            header, header_text = [], ""  # a "header" that long is a row like the others
        rows = block.rows[1:] if block.header else block.rows
        room_words = self.size - word_count(header_text)
        room_characters = self.max_characters - len(header_text) - 1
        group: list[list[str]] = []
        group_words, group_characters = 0, 0
        first = True

        def emit():
            nonlocal group, group_words, group_characters, first
            shown = Block(TABLE, rows=(header + group) if first else group, header=bool(header) and first,
                          page=block.page)
            lines = [CELL_SEPARATOR.join(row) for row in group]
            self.append(shown, "\n".join([header_text, *lines] if header_text else lines))
            self.flush()
            group, group_words, group_characters, first = [], 0, 0, False

        for long_row in rows:
            for row in _row_pieces(long_row, words=room_words, characters=room_characters):
                line = CELL_SEPARATOR.join(row)
                row_words, row_characters = word_count(line), len(line) + 1
                if group and (group_words + row_words > room_words
                              or group_characters + row_characters > room_characters):
                    emit()
                group.append(row)
                group_words += row_words
                group_characters += row_characters
        if group:
            emit()

    def finish(self) -> list[Passage]:
        self.flush()
        return self.passages


def _row_pieces(row: list[str], *, words: int, characters: int) -> list[list[str]]:
    """A table row as rows of at most `words` words and `characters` characters each (most rows:
    itself); a cell longer than that is cut into pieces, each a cell of its own row."""
    line = CELL_SEPARATOR.join(row)
    if word_count(line) <= words and len(line) <= characters:
        return [row]
    pieces: list[list[str]] = [[]]
    used_words = used_characters = 0
    for cell in row:
        parts = [cell] if word_count(cell) <= words and len(cell) <= characters else [
            shown for shown, _indexed in _windows(
                cell, first_words=words, first_characters=characters, size=words, max_characters=characters
            )
        ]
        for part in parts:
            part_words, part_characters = word_count(part), len(part) + len(CELL_SEPARATOR)
            if pieces[-1] and (used_words + part_words > words or used_characters + part_characters > characters):
                pieces.append([])
                used_words = used_characters = 0
            pieces[-1].append(part)
            used_words += part_words
            used_characters += part_characters
    return pieces


def split_passages(
    blocks: list[Block], *, size_words: int, overlap_words: int, max_passages: int | None = None
) -> list[Passage]:
    """The passages of a document's blocks, in reading order (see the module docstring).
    More than `max_passages` (default `limits.MAX_PASSAGES`) is refused (DocumentRefused)."""
    builder = _Builder(size_words, overlap_words, limits.MAX_PASSAGES if max_passages is None else max_passages)
    for block in blocks:
        builder.add(block)
    return builder.finish()
