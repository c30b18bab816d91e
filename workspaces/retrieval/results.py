"""What a search page shows: the hits for the query, or for its spelling correction.

`search_results` searches one workspace or several (the search outside a workspace:
every workspace the person may search, `permissions.workspaces_where`). Each
workspace is ranked on its own (BM25's statistics are per workspace) and the lists
merged by relevance, the absolute 0–1 figure, then by score. A query whose words no
document holds gets a suggestion (`spelling.py`); when nothing matches as typed,
the hits are those of the corrected query, and the page says so.
"""

from dataclasses import dataclass

from workspaces.models import Workspace
from workspaces.retrieval.filters import SearchFilters
from workspaces.retrieval.query import query_terms
from workspaces.retrieval.search import PassageHit, search_passages
from workspaces.retrieval.spelling import Correction, correction_for

# Hits ranked for one search (per workspace): the pages of results are slices of these.
SEARCH_RESULTS = 250


@dataclass(frozen=True)
class SearchResults:
    hits: list[PassageHit]
    typed: str  # the query as typed
    query: str  # the query the hits are for: `typed`, or its correction when nothing matched as typed
    correction: Correction | None = None

    @property
    def corrected(self) -> bool:
        return self.query != self.typed


def search_results(
    *, workspaces: list[Workspace], query: str, filters: SearchFilters | None = None, limit: int = SEARCH_RESULTS,
    exact: bool = False,
) -> SearchResults:
    """The best `limit` hits for `query` over `workspaces` (see the module's docstring). `exact`:
    the query as typed even when nothing matches (a suggestion is still offered)."""
    if not query_terms(query) or not workspaces:
        return SearchResults(hits=[], typed=query, query=query)
    hits = hits_across(workspaces=workspaces, query=query, filters=filters, limit=limit)
    correction = correction_for(workspaces=workspaces, query=query)
    if hits or correction is None or exact:
        return SearchResults(hits=hits, typed=query, query=query, correction=correction)
    corrected = hits_across(workspaces=workspaces, query=correction.query, filters=filters, limit=limit)
    return SearchResults(
        hits=corrected, typed=query, query=correction.query if corrected else query, correction=correction
    )


def hits_across(
    *, workspaces: list[Workspace], query: str, filters: SearchFilters | None, limit: int
) -> list[PassageHit]:
    if len(workspaces) == 1:
        return search_passages(workspace=workspaces[0], query=query, limit=limit, filters=filters)
    merged = [
        hit for workspace in workspaces
        for hit in search_passages(workspace=workspace, query=query, limit=limit, filters=filters)
    ]
    return sorted(merged, key=lambda hit: (-hit.relevance, -hit.score))[:limit]
