"""A document's text cut into passages, the unit of search and of citations."""

import re
from collections import deque

from workspaces.documents.limits import MAX_PASSAGES, TOO_MANY_PASSAGES
from workspaces.documents.refusals import DocumentRefused

WORD = re.compile(r"\S+")


def split_passages(text: str, *, size_words: int, overlap_words: int, max_passages: int = MAX_PASSAGES) -> list[str]:
    """Windows of `size_words` words, each repeating the last `overlap_words` of the one before.

    Each passage is a slice of the original text, so its line breaks survive.
    The overlap is capped at half a passage, so the windows always move on.
    Words are read one at a time (memory grows with the passages, not with a list of every
    word); more than `max_passages` passages is refused (DocumentRefused).
    """
    size = max(1, size_words)
    step = size - min(max(0, overlap_words), size // 2)
    passages: list[str] = []
    window: deque[tuple[int, int]] = deque(maxlen=size)
    next_start, last_end, count = 0, None, 0  # word numbers: where the next window starts, where the last ended

    def emit(first_span, last_span):
        passages.append(text[first_span[0]:last_span[1]])
        if len(passages) > max_passages:
            raise DocumentRefused(TOO_MANY_PASSAGES.format(limit=max_passages), code="too_large")

    for match in WORD.finditer(text):
        window.append(match.span())
        count += 1
        if count == next_start + size:  # the window starting at `next_start` is complete
            emit(window[0], window[-1])
            last_end, next_start = count, next_start + step
    if count and last_end != count:
        # The text ended inside a window: the last one holds the words from `next_start` on.
        tail = count - next_start
        emit(window[len(window) - tail], window[-1])
    return passages
