"""The built-in provider's answer: the best sentence first, then at most two supporting quotes.

Units are a passage's sentences (line breaks and Markdown heading marks dropped)
and, for each table in it, the table's rows, each quoted with the table's header;
a title over them (a Markdown heading, or a line that is one of the passage's
headings) is not quoted.
A passage's blocks are separated by a blank line, so a table under a paragraph is
still read row by row. A sentence cut by the passage window (starting
mid-sentence, or ending without a full stop) is left out, so no quote stops
mid-way. Each unit is scored like BM25 at sentence level: the idf of each
question word it holds (or its passage's heading path holds), saturated by
repetition and normalised by the unit's length. The first quote is the best unit
of the best passages; a supporting quote must come from another passage, be
relevant in itself and not repeat a quote already made. Every quote carries the
number of its source; only cited passages become sources.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_noop

from workspaces.documents.blocks import BLOCK_SEPARATOR, CELL_SEPARATOR
from workspaces.retrieval.query import stem
from workspaces.retrieval.search import PassageHit

INTRO = gettext_noop("From your documents:")
FIRST_FROM_PASSAGES = 3
MAX_SUPPORTING = 2
# A supporting quote scores at least this share of the first one's score.
SUPPORT_SHARE = 0.6
DUPLICATE_OVERLAP = 0.8
MAX_QUOTE_CHARS = 600
K1, B = 1.2, 0.75
# A question word in a unit's heading path only counts as this many occurrences in the unit.
HEADING_TF = 0.5
MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+", re.MULTILINE)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]*[A-Z0-9])|\n{2,}|\n(?=\s*[-*•#])")
TERMINAL = re.compile(r"[.!?:;][\"”’)\]]*$")
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Unit:
    text: str
    hit_index: int
    score: float = 0.0


def _table_rows(text: str, *, guess: bool) -> list[str] | None:
    """Rows quoted as 'header: value' pairs when `text` (one block) is a table: every line
    holds the same number of " | " (how every reader writes a table's cells). With `guess`
    (a passage of one block), also pipes, tabs or commas on most of three lines or more."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    separators = [CELL_SEPARATOR, "|", "\t", ","] if guess and len(lines) >= 3 else [CELL_SEPARATOR]
    for separator in separators:
        counts = [line.count(separator) for line in lines]
        same = len(lines) if separator == CELL_SEPARATOR else 0.8 * len(lines)
        if min(counts) < 1 or counts.count(counts[0]) < same:
            continue
        # Outer pipes (a Markdown table written as text) are not cells.
        rows = [[cell.strip() for cell in line.strip().strip("|").split(separator)] for line in lines]
        rows = [row for row in rows if not all(re.fullmatch(r":?-{2,}:?", cell or "--") for cell in row)]
        if len(rows) < 2:
            return None
        header, body = rows[0], rows[1:]
        return [
            "; ".join(f"{name}: {value}" if name else value
                      for name, value in zip(header, row, strict=False) if value)
            for row in body
        ]
    return None


def _sentences(text: str) -> list[str]:
    pieces = [" ".join(MARKDOWN_HEADING.sub("", piece).split()) for piece in SENTENCE_END.split(text)]
    return [piece for piece in pieces if piece]


def _titled(block: str, headings: set[str]) -> tuple[list[str], str]:
    """(the titles that open `block`, the rest): Markdown heading lines, and lines that are one of
    the passage's headings (its heading path's parts), as a reader writes a heading over its text.
    Any other line is text, however short: a line wrapped before "Line Manager" is no title."""
    titles, lines = [], block.split("\n")
    while lines:
        line = lines[0].strip()
        if not (MARKDOWN_HEADING.match(line) or _plain(line) in headings):
            break
        titles.append(" ".join(MARKDOWN_HEADING.sub("", line).split()))
        lines = lines[1:]
    return [title for title in titles if title], "\n".join(lines)


def _plain(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def units_of(hit: PassageHit, hit_index: int) -> list[Unit]:
    """A passage's quotable units: its sentences and table rows, not its titles (a title holds the
    question's words in few others, so it would outscore the sentence under it; the heading path
    already counts towards its sentences' score)."""
    texts, sentences = [], []  # sentences: whether each text is a sentence (rather than a table row)
    blocks = [block for block in hit.text.split(BLOCK_SEPARATOR) if block.strip()]
    headings = {_plain(part) for part in hit.heading_path.split("›")} - {""}
    titles = []
    for block in blocks:
        opening, block = _titled(block, headings)
        titles.extend(opening)
        if not block.strip():
            continue
        rows = _table_rows(block, guess=len(blocks) == 1)  # a table, under its title if it has one
        pieces = rows if rows is not None else _sentences(block)
        texts.extend(pieces)
        sentences.extend([rows is None] * len(pieces))
    if not texts:  # a passage of titles only: they are what it says
        texts, sentences = titles, [True] * len(titles)
    if len(texts) > 1 and sentences[0] and texts[0][:1].islower():
        texts, sentences = texts[1:], sentences[1:]  # the window began mid-sentence
    if len(texts) > 1 and sentences[-1] and not TERMINAL.search(texts[-1]):
        texts = texts[:-1]  # the window ended mid-sentence
    return [Unit(text=text, hit_index=hit_index) for text in texts]


def _score(units: list[Unit], weights: dict[str, float], headings: list[str]) -> list[Unit]:
    """Each unit's score; a question word missing from a unit counts HEADING_TF times when its
    passage's heading path holds it (a sentence under "Holidays" is about holidays, as the search
    reads it, but less than one that says so: under "Annual leave", "Every employee has 25 days of
    annual leave per year." answers "how many days of annual leave", "Requests go to HR." does not)."""
    stems = {term: stem(term) for term in weights}
    heading_words = [WORD.findall(heading.lower()) for heading in headings]
    lengths = [len(WORD.findall(unit.text)) or 1 for unit in units]
    average = sum(lengths) / len(lengths) if lengths else 1.0
    scored = []
    for unit, length in zip(units, lengths, strict=True):
        words = WORD.findall(unit.text.lower())
        score = 0.0
        for term, weight in weights.items():
            tf = sum(1 for word in words if word.startswith(stems[term])) or HEADING_TF * any(
                word.startswith(stems[term]) for word in heading_words[unit.hit_index]
            )
            if tf:
                score += weight * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
        scored.append(Unit(text=unit.text, hit_index=unit.hit_index, score=score))
    return scored


def _duplicate(text: str, quoted: list[str]) -> bool:
    words = set(WORD.findall(text.lower()))
    for other in quoted:
        other_words = set(WORD.findall(other.lower()))
        if not words or not other_words:
            continue
        if len(words & other_words) / min(len(words), len(other_words)) >= DUPLICATE_OVERLAP:
            return True
    return False


def _shorten(text: str) -> str:
    if len(text) <= MAX_QUOTE_CHARS:
        return text
    cut = text[:MAX_QUOTE_CHARS].rsplit(" ", 1)[0]
    return f"{cut} …"


def compose(*, hits: list[PassageHit], weights: dict[str, float],
            already_quoted: list[str] = ()) -> tuple[str, list[PassageHit]]:
    """(answer text, the hits it cites in citation order). `hits` are the retrieved passages,
    best first; `weights` the question words' idf. Empty hits: ("", []). Sentences repeating
    `already_quoted` (the previous answer, for "Tell me more") are left out while others remain."""
    if not hits:
        return "", []
    units = _score(
        [unit for index, hit in enumerate(hits) for unit in units_of(hit, index)], weights,
        [hit.heading_path for hit in hits],
    )
    fresh = [unit for unit in units if not _duplicate(unit.text, list(already_quoted))]
    units = fresh or units
    if not units:
        return "", []
    # Passage order breaks ties and weighs a little: the best passage's best sentence usually answers.
    def key(unit):
        return (-(unit.score * max(0.5, 1.0 - 0.05 * unit.hit_index)), unit.hit_index)

    # From the first passages, unless none of their sentences holds a question word.
    leading = [unit for unit in units if unit.hit_index < FIRST_FROM_PASSAGES and unit.score > 0]
    first = min(leading or units, key=key)
    chosen = [first]
    for unit in sorted(units, key=key):
        if len(chosen) > MAX_SUPPORTING:
            break
        if unit.score < SUPPORT_SHARE * first.score or unit.score <= 0:
            break
        if unit.hit_index in {c.hit_index for c in chosen} or _duplicate(unit.text, [c.text for c in chosen]):
            continue
        chosen.append(unit)
    cited: list[PassageHit] = []
    lines = [gettext(INTRO)]
    for unit in chosen:
        hit = hits[unit.hit_index]
        if hit not in cited:
            cited.append(hit)
        lines.append(f"> {_shorten(unit.text)} [{cited.index(hit) + 1}]")
    return "\n\n".join(lines), cited
