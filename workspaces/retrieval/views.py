from django.views.generic import TemplateView

from workspaces.retrieval.grouping import group_hits
from workspaces.retrieval.highlight import highlight
from workspaces.retrieval.query import MAX_QUERY_CHARS, query_terms
from workspaces.retrieval.search import search_passages
from workspaces.views import WorkspaceMixin

SEARCH_RESULTS = 50
SEARCH_EXCERPT_WORDS = 60


class SearchView(WorkspaceMixin, TemplateView):
    """Ranked passages of the workspace's documents, the matching words highlighted,
    several hits of one place (same document and section) shown as one result."""

    template_name = "workspaces/retrieval/search.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
        terms = query_terms(query)
        hits = search_passages(workspace=self.workspace, query=query, limit=SEARCH_RESULTS) if terms else []
        results = [
            {
                "hit": group.best,
                "others": group.others,
                "excerpt": highlight(group.best.text, terms, context_words=SEARCH_EXCERPT_WORDS),
            }
            for group in group_hits(hits)
        ]
        return super().get_context_data(
            query=query, terms=terms, results=results, hit_count=len(hits), result_limit=SEARCH_RESULTS, **kwargs
        )
