"""The words the search index holds, for spelling suggestions (`spelling.py`), on both databases.

SQLite: FTS5's vocabulary (an `fts5vocab` table over `document_passages_fts`, in the
connection's temporary schema, so no migration), whose words are porter stems counted
over the whole index; a word's presence in given workspaces is a MATCH joined to them.
PostgreSQL: the lexemes of `retrieval_term_stats`, counted per workspace. On both,
candidates are first the words of about the same length that start with the same
letter (a range of the index); on PostgreSQL with `pg_trgm` (migration 0014), when
none of those is near, the words of the workspaces similar by trigrams (`anywhere`).

Every function takes the workspaces searched; a word is only ever shown when a ready
document of one of them holds it (`spelled_form`).
"""

import re
import unicodedata

from django.db import connection

# Candidates read from the vocabulary for one misspelt word.
CANDIDATE_ROWS = 2000

SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.spelling_vocab USING fts5vocab(main, document_passages_fts, row)",
    """CREATE VIRTUAL TABLE IF NOT EXISTS temp.spelling_scratch USING fts5(
        text, content='', tokenize='porter unicode61 remove_diacritics 2')""",
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.spelling_scratch_tokens USING fts5vocab(temp, spelling_scratch, instance)",
    "INSERT INTO temp.spelling_scratch (spelling_scratch) VALUES ('delete-all')",
]
SQLITE_STEM = [
    "INSERT INTO temp.spelling_scratch (rowid, text) VALUES (1, %s)",
    "SELECT term FROM temp.spelling_scratch_tokens ORDER BY offset LIMIT 1",
]
SQLITE_CANDIDATES = """
    SELECT term, doc FROM temp.spelling_vocab
    WHERE term >= %s AND term < %s AND length(term) BETWEEN %s AND %s
    ORDER BY doc DESC LIMIT %s
"""
SQLITE_IN_WORKSPACES = """
    SELECT {columns} FROM document_passages_fts
    CROSS JOIN document_passages p ON p.id = document_passages_fts.rowid
    CROSS JOIN workspace_documents d ON d.id = p."documentId"
    WHERE document_passages_fts MATCH %s AND d."workspaceId" IN ({workspaces}) AND d.status = 'ready'
    LIMIT 1
"""
# Where an indexed word (a stem, as it is: a MATCH would stem it again, "employe" becoming "employ")
# occurs in a ready passage of the workspaces: its column and its place among that column's words.
SQLITE_INSTANCE = """
    SELECT i.col, i.offset, p.text, p.heading_path FROM temp.spelling_instances i
    CROSS JOIN document_passages p ON p.id = i.doc
    CROSS JOIN workspace_documents d ON d.id = p."documentId"
    WHERE i.term = %s AND d."workspaceId" IN ({workspaces}) AND d.status = 'ready'
    LIMIT 1
"""
SQLITE_INSTANCES = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.spelling_instances USING fts5vocab(main, document_passages_fts, instance)"
)
# FTS5's unicode61 words with remove_diacritics 2: runs of letters and digits, the combining marks
# that decomposed accents are made of ("re\u0301sume\u0301") and private-use characters.
SQLITE_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f\ue000-\uf8ff])+")

POSTGRESQL_UNKNOWN = """
    SELECT q.word FROM unnest(%s::text[]) WITH ORDINALITY AS q(word, n)
    WHERE NOT EXISTS (
        SELECT 1 FROM retrieval_term_stats t
        WHERE t."workspaceId" = ANY(%s) AND t.df > 0
          AND t.term = (SELECT lexeme FROM unnest(to_tsvector('english', q.word)) LIMIT 1)
    )
    ORDER BY q.n
"""
POSTGRESQL_STEM = "SELECT coalesce((SELECT lexeme FROM unnest(to_tsvector('english', %s)) LIMIT 1), %s)"
POSTGRESQL_BY_LETTER = """
    SELECT term, sum(df) AS passages FROM retrieval_term_stats
    WHERE "workspaceId" = ANY(%(workspaces)s) AND term >= %(low)s AND term < %(high)s
      AND length(term) BETWEEN %(shortest)s AND %(longest)s
    GROUP BY term
"""
# The length window first (OFFSET 0 keeps the planner from merging the two), the trigram
# comparison, the costly part, only on the words of about the right length.
POSTGRESQL_BY_TRIGRAM = """
    SELECT term, passages FROM (
        SELECT term, sum(df) AS passages FROM retrieval_term_stats
        WHERE "workspaceId" = ANY(%(workspaces)s) AND length(term) BETWEEN %(shortest)s AND %(longest)s
        GROUP BY term OFFSET 0
    ) AS near WHERE term %% %(word)s
"""
POSTGRESQL_CANDIDATES = "SELECT term, passages FROM ({union}) AS c ORDER BY 2 DESC LIMIT %(rows)s"
POSTGRESQL_SPELLED = """
    SELECT w FROM (
        SELECT coalesce(p.heading_path, '') || ' ' || p.text AS body
        FROM document_passages p JOIN workspace_documents d ON d.id = p."documentId"
        WHERE d."workspaceId" = ANY(%(workspaces)s) AND d.status = 'ready' AND p.search_vector @@ %(lexeme)s::tsquery
        LIMIT 1
    ) AS s CROSS JOIN LATERAL regexp_split_to_table(s.body, '[^[:alnum:]]+') AS w
    WHERE w <> '' AND to_tsvector('english', w) @@ %(lexeme)s::tsquery
    LIMIT 1
"""
TRIGRAM_INSTALLED = "SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'"


def unknown_words(workspaces, words: list[str]) -> list[str]:
    """The words of `words` that no passage of `workspaces` holds in any form, in their order."""
    ids = [workspace.pk for workspace in workspaces]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRESQL_UNKNOWN, [list(words), ids])
            return [row[0] for row in cursor.fetchall()]
    marks = ", ".join(["%s"] * len(ids))
    found = ", ".join(f"({SQLITE_IN_WORKSPACES.format(columns='1', workspaces=marks)})" for _ in words)
    with connection.cursor() as cursor:  # one statement, however many words
        cursor.execute(f"SELECT {found}", [value for word in words for value in (f'"{word}"', *ids)])
        present = cursor.fetchone()
    return [word for word, held in zip(words, present, strict=True) if not held]


def candidates(workspaces, word: str, distance: int, *, anywhere: bool = False) -> list[tuple[str, int, str]]:
    """(indexed word, passages holding it, `word` as the index stems it) of the indexed words
    that may lie within `distance` edits of `word`, the most common first: those of its first
    letter, or with `anywhere` those similar by trigrams (PostgreSQL with pg_trgm; else none)."""
    if anywhere and not (connection.vendor == "postgresql" and trigram_installed()):
        return []
    ids = [workspace.pk for workspace in workspaces]
    low, high = word[0], chr(ord(word[0]) + 1)
    shortest, longest = max(1, len(word) - distance - 2), len(word) + distance
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_STEM, [word, word])
            stem = cursor.fetchone()[0]
            union = POSTGRESQL_BY_TRIGRAM if anywhere else POSTGRESQL_BY_LETTER
            cursor.execute(POSTGRESQL_CANDIDATES.format(union=union), {
                "workspaces": ids, "low": low, "high": high, "shortest": shortest, "longest": longest,
                "word": word, "rows": CANDIDATE_ROWS,
            })
            return [(term, int(passages), stem) for term, passages in cursor.fetchall()]
        for statement in SQLITE_SETUP:
            cursor.execute(statement)
        cursor.execute(SQLITE_STEM[0], [word])
        cursor.execute(SQLITE_STEM[1])
        row = cursor.fetchone()
        stem = row[0] if row else word
        cursor.execute(SQLITE_CANDIDATES, [low, high, shortest, longest, CANDIDATE_ROWS])
        return [(term, int(passages), stem) for term, passages in cursor.fetchall()]


def spelled_form(workspaces, indexed: str) -> str | None:
    """How a passage of `workspaces` spells the indexed word (a stem), or None when none holds it."""
    ids = [workspace.pk for workspace in workspaces]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRESQL_SPELLED, {"workspaces": ids, "lexeme": "'" + indexed.replace("'", "''") + "'"})
            row = cursor.fetchone()
        return row[0] if row else None
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_INSTANCES)
        cursor.execute(SQLITE_INSTANCE.format(workspaces=marks), [indexed, *ids])
        row = cursor.fetchone()
    if row is None:
        return None
    column, offset, text, heading_path = row
    words = SQLITE_WORD.findall(heading_path if column == "heading_path" else text)
    word = words[offset] if offset < len(words) else ""
    # The word read must be the indexed one's (a stem is a word's start, up to a last letter
    # changed: "polici" for "policy"): else a reading that drifted from FTS5's offers nothing.
    plain = "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c))
    return word if plain[:len(indexed) - 1] == indexed[:-1] else None


_trigram_known: dict[str, bool] = {}


def trigram_installed() -> bool:
    """Whether this PostgreSQL database has pg_trgm (asked once per process and database)."""
    name = connection.settings_dict["NAME"]
    if name not in _trigram_known:
        with connection.cursor() as cursor:
            cursor.execute(TRIGRAM_INSTALLED)
            _trigram_known[name] = cursor.fetchone() is not None
    return _trigram_known[name]
