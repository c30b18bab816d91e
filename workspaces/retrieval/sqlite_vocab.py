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
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(set(stems.values())))
        cursor.execute(
            f"SELECT term, doc FROM document_passages_vocab WHERE term IN ({placeholders})",  # noqa: S608
            list(set(stems.values())),
        )
        by_stem = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM document_passages")
        passages = cursor.fetchone()[0]
    return {term: by_stem.get(stem, 0) for term, stem in stems.items()}, passages
