"""BM25 from the workspace's tantivy index (`search_index.py`), when this host has it.

tantivy ranks with the BM25 of Lucene and Elasticsearch: k1 = 1.2, b = 0.75,
idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5)) (never below zero, so a word in most passages still
counts a little and no word is capped), and each passage's length stored in one byte (exact up
to 40 words, then within a few per cent). Block-max WAND skips the passages that cannot enter the
top, so a word in most passages ranks in about a millisecond among 200,000.

Each function returns None where the database must rank instead (`bm25.py`): no index yet.
"""

import tantivy

from workspaces.models import Workspace
from workspaces.retrieval import search_index
from workspaces.retrieval.bm25_formula import Statistics


class IndexStatistics(Statistics):
    """The index's counts: {word: df}, N. The ranking reads its own from the index."""


def statistics(workspace: Workspace, terms: list[str]) -> Statistics | None:
    opened = search_index.opened_for(workspace)
    if opened is None:
        return None
    searcher = opened.searcher
    dfs = {}
    for term in terms:
        words = search_index.tokens(term)
        dfs[term] = max((searcher.doc_freq(search_index.TEXT, word) for word in words), default=0)
    return IndexStatistics(dfs, searcher.num_docs, 0.0, {})


def lexical_scores(
    workspace: Workspace, terms: list[str], limit: int, *, passage_ids=None, documents=None
) -> list[tuple[int, float]] | None:
    """(passage id, BM25 score) of the best `limit` passages holding any of `terms`, best first;
    only `passage_ids` or only passages of `documents` when given. None: no index here yet."""
    opened = search_index.opened_for(workspace)
    if opened is None:
        return None
    schema = search_index.SCHEMA
    words = {word for term in terms for word in search_index.tokens(term)}
    if not words:
        return []
    clauses = [tantivy.Query.term_query(schema, search_index.TEXT, word) for word in sorted(words)]
    query = clauses[0] if len(clauses) == 1 else tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, clause) for clause in clauses]
    )
    if passage_ids is not None:
        query = _within(query, tantivy.Query.term_set_query(schema, "passage", list(passage_ids)))
        limit = len(passage_ids)
    elif documents is not None:
        query = _within(query, tantivy.Query.term_set_query(schema, "document", list(documents)))
    searcher = opened.searcher
    hits = searcher.search(query, limit, count=False).hits
    rows = [(searcher.doc(address)["passage"][0], score) for score, address in hits]
    return sorted(rows, key=lambda row: (-row[1], row[0]))


def _within(query, restriction):
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, restriction)])
