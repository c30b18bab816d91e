from django.http import Http404
from django.views.generic import TemplateView

from workspaces.retrieval.grouping import group_hits
from workspaces.retrieval.highlight import highlight
from workspaces.retrieval.query import MAX_QUERY_CHARS, query_terms
from workspaces.retrieval.search import search_passages
from workspaces.views import WorkspaceMixin

RESULTS_PER_PAGE = 20
SEARCH_PAGES = 5  # the 100 best hits at most: further down, a better query finds more
SEARCH_EXCERPT_WORDS = 60


class SearchView(WorkspaceMixin, TemplateView):
    """Ranked passages of the workspace's documents, the matching words highlighted,
    several hits of one place (same document and section) shown as one result.

    Page n ranks the n × RESULTS_PER_PAGE best hits (and one more, to know whether a
    next page exists) and shows the last RESULTS_PER_PAGE of them, so the first page
    costs only its own hits. A page that is not a number from 1 to SEARCH_PAGES, or
    past the last hit, is a 404 as on every paginated list."""

    template_name = "workspaces/retrieval/search.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
        terms = query_terms(query)
        number = self._page_number()
        first = (number - 1) * RESULTS_PER_PAGE
        limit = first + RESULTS_PER_PAGE + 1
        hits = search_passages(workspace=self.workspace, query=query, limit=limit) if terms else []
        page_hits = hits[first:first + RESULTS_PER_PAGE]
        if number > 1 and not page_hits:
            raise Http404("No such page of results.")
        results = [
            {
                "hit": group.best,
                "others": group.others,
                "excerpt": highlight(group.best.text, terms, context_words=SEARCH_EXCERPT_WORDS),
            }
            for group in group_hits(page_hits)
        ]
        return super().get_context_data(
            query=query, terms=terms, results=results, hit_count=len(page_hits), page_number=number,
            first_hit=first + 1, last_hit=first + len(page_hits),
            has_next=len(hits) > first + RESULTS_PER_PAGE and number < SEARCH_PAGES, **kwargs
        )

    def _page_number(self) -> int:
        page = self.request.GET.get("page", "1")
        if not page.isdigit() or not 1 <= int(page) <= SEARCH_PAGES:
            raise Http404("No such page of results.")
        return int(page)
