"""The BM25 formula both databases' scoring shares (see `bm25` for the ranking around it):

score(p) = Σ idf(t) · tf(t, p) · (k1 + 1) / (tf(t, p) + k1 · (1 − b + b · len(p) / avglen))
idf(t)   = ln((N − df(t) + 0.5) / (df(t) + 0.5)), and IDF_FLOOR where that is not positive
"""

import math
from typing import NamedTuple

K1 = 1.2
B = 0.75
IDF_FLOOR = 1e-6


def idf(*, passages: int, df: int) -> float:
    value = math.log((passages - df + 0.5) / (df + 0.5)) if passages else 0.0
    return value if value > 0 else IDF_FLOOR


def saturation(tf: int, length: int, average: float) -> float:
    """tf · (k1 + 1) / (tf + k1 · (1 − b + b · len / avglen)): a word's share of a passage's score, before idf."""
    if tf <= 0:
        return 0.0
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))


class Statistics(NamedTuple):
    """What BM25 needs to know of a query's words in a workspace: {word: df}, N, average length,
    and (PostgreSQL) {word: its 'english' lexeme}."""

    dfs: dict[str, int]
    passages: int
    average: float
    lexemes: dict[str, str]
