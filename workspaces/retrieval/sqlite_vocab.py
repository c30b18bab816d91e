"""Document frequencies on SQLite, for weighing query words outside FTS5's `bm25()`.

FTS5 keeps no per-term document count that can be read cheaply (its fts5vocab
table counts a term's whole doclist on every read, hundreds of milliseconds for
a common word at 200,000 passages). So a word's count is read from the index up
to COUNT_CAP matches; past that it is estimated from how far into the table the
COUNT_CAP-th match lies (rowids are insertion order, so a word's matches spread
over them). Counts are cached while the table's size and newest passage stay the
same. The ranking itself is FTS5's.
"""

from django.core.cache import cache
from django.db import connection

COUNT_CAP = 2000
CACHE_SECONDS = 300
CACHE_KEY = "retrieval:sqlite-df:{name}:{passages}:{high}:{term}"

COUNT_SQL = """
    SELECT count(*), max(rowid) FROM (
        SELECT rowid FROM document_passages_fts WHERE document_passages_fts MATCH %s ORDER BY rowid LIMIT %s
    )
"""


def sqlite_term_dfs(terms: list[str]) -> tuple[dict[str, int], int]:
    """({term: passages containing it, exact or estimated}, passages in the index), over the whole
    FTS table as bm25() counts them."""
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT block, (SELECT min(id) FROM document_passages), (SELECT max(id) FROM document_passages) "
            "FROM document_passages_fts_data WHERE id = 1"
        )
        row = cursor.fetchone()
        passages = varint(row[0]) if row else 0
        low, high = (row[1] or 0, row[2] or 0) if row else (0, 0)
        # The key moves on with every passage added or removed, so a count is never stale for long.
        keys = {term: CACHE_KEY.format(name=name, passages=passages, high=high, term=term) for term in terms}
        cached = cache.get_many(list(keys.values()))
        dfs = {}
        for term in terms:
            if keys[term] in cached:
                dfs[term] = min(cached[keys[term]], passages)
                continue
            cursor.execute(COUNT_SQL, [f'"{term}"', COUNT_CAP])
            count, last = cursor.fetchone()
            if count >= COUNT_CAP and last and last > low:
                count = min(passages, round(COUNT_CAP * (high - low + 1) / (last - low + 1)))
            dfs[term] = count
            cache.set(keys[term], count, timeout=CACHE_SECONDS)
    return dfs, passages


def varint(block) -> int:
    """The first varint of an FTS5 record (SQLite's format: 7 bits a byte, big-endian, 9 bytes at most)."""
    if not block:
        return 0
    value = 0
    for index, byte in enumerate(bytes(block)[:9]):
        if index == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value
    return value
