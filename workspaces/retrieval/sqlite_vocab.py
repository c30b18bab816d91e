"""Document frequencies from SQLite's FTS5 index, for weighing query words outside `bm25()`.

FTS5 stores porter stems; `document_passages_vocab` (an fts5vocab table, migration
0007) lists each stem with the number of passages containing it. The words are
stemmed here with the same (Porter) algorithm to look them up.
"""

import unicodedata

import snowballstemmer
from django.db import connection

_STEMMER = snowballstemmer.stemmer("porter")


def fts_stem(word: str) -> str:
    """The stem FTS5 (tokenize 'porter unicode61 remove_diacritics 2') stores for `word`."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))
    return _STEMMER.stemWord(plain)


def sqlite_term_dfs(terms: list[str]) -> tuple[dict[str, int], int]:
    """({term: passages containing it}, passages in the index), over the whole FTS table as bm25() counts."""
    stems = {term: fts_stem(term) for term in terms}
    unique = sorted(set(stems.values()))
    placeholders = ", ".join(["%s"] * len(unique))
    with connection.cursor() as cursor:
        # One query: the stems' document counts, and FTS5's averages record (id 1) for the row count.
        cursor.execute(
            f"SELECT term, doc FROM document_passages_vocab WHERE term IN ({placeholders}) "  # noqa: S608
            "UNION ALL SELECT NULL, block FROM document_passages_fts_data WHERE id = 1",
            unique,
        )
        rows = cursor.fetchall()
    by_stem = {term: doc for term, doc in rows if term is not None}
    passages = next((varint(block) for term, block in rows if term is None), 0)
    return {term: by_stem.get(stem, 0) for term, stem in stems.items()}, passages


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
