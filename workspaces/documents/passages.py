"""A document's text cut into passages, the unit of search and of citations."""

import re


def split_passages(text: str, *, size_words: int, overlap_words: int) -> list[str]:
    """Windows of `size_words` words, each repeating the last `overlap_words` of the one before.

    Each passage is a slice of the original text, so its line breaks survive.
    The overlap is capped at half a passage, so the windows always move on.
    """
    spans = [match.span() for match in re.finditer(r"\S+", text)]
    if not spans:
        return []
    size = max(1, size_words)
    step = size - min(max(0, overlap_words), size // 2)
    passages = []
    for start in range(0, len(spans), step):
        window = spans[start:start + size]
        passages.append(text[window[0][0]:window[-1][1]])
        if start + size >= len(spans):
            break
    return passages
