"""What SQLite's FTS5 index knows about its words: document frequencies, row count, average length.

FTS5's own `bm25()` ranks; these figures are read beside it to plan the ranking
(rarest words first, `bm25.py`), to weigh query words (relevance) and to score
given passages exactly as `bm25()` would (`bm25_sqlite.scores_of`). A word's
count is read from the index by a MATCH (about 10 ms for a word in every one of
200,000 passages) and cached while the table's size and newest passage stay the
same.
"""

from django.core.cache import cache
from django.db import connection

CACHE_SECONDS = 300
CACHE_KEY = "retrieval:sqlite-df:{name}:{passages}:{high}:{term}"
COUNT_SQL = "SELECT count(*) FROM document_passages_fts WHERE document_passages_fts MATCH %s"
AVERAGES_SQL = """
    SELECT block, (SELECT max(id) FROM document_passages)
    FROM document_passages_fts_data WHERE id = 1
"""


def sqlite_index_totals() -> tuple[int, int, int]:
    """(rows in the index, their tokens together, the newest passage id), from FTS5's own record."""
    with connection.cursor() as cursor:
        cursor.execute(AVERAGES_SQL)
        row = cursor.fetchone()
    if not row:
        return 0, 0, 0
    numbers = varints(row[0])
    return (numbers[0] if numbers else 0), sum(numbers[1:]), row[1] or 0


def sqlite_term_dfs(terms: list[str]) -> tuple[dict[str, int], int, int]:
    """({term: passages containing it}, passages in the index, their tokens together), over the
    whole FTS table as bm25() counts them."""
    passages, tokens, high = sqlite_index_totals()
    name = connection.settings_dict["NAME"]
    # The key moves on with every passage added or removed, so a count is never stale for long.
    keys = {term: CACHE_KEY.format(name=name, passages=passages, high=high, term=term) for term in terms}
    cached = cache.get_many(list(keys.values()))
    dfs = {}
    with connection.cursor() as cursor:
        for term in terms:
            if keys[term] in cached:
                dfs[term] = cached[keys[term]]
                continue
            cursor.execute(COUNT_SQL, [f'"{term}"'])
            dfs[term] = cursor.fetchone()[0]
            cache.set(keys[term], dfs[term], timeout=CACHE_SECONDS)
    return dfs, passages, tokens


def varints(block) -> list[int]:
    """The varints of an FTS5 record (SQLite's format: 7 bits a byte, big-endian, 9 bytes at most)."""
    numbers, value, length = [], 0, 0
    for byte in bytes(block or b""):
        length += 1
        if length == 9:
            numbers.append((value << 8) | byte)
            value, length = 0, 0
            continue
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            numbers.append(value)
            value, length = 0, 0
    return numbers
