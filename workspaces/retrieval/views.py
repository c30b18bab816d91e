from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.views.generic import TemplateView

from workspaces import permissions
from workspaces.retrieval.grouping import group_hits
from workspaces.retrieval.highlight import highlight
from workspaces.retrieval.query import MAX_QUERY_CHARS, query_terms
from workspaces.retrieval.search import search_passages
from workspaces.views import WorkspaceMixin

SEARCH_RESULTS = 50
PLACES_PER_PAGE = 20
SEARCH_EXCERPT_WORDS = 60


class SearchView(WorkspaceMixin, TemplateView):
    """Ranked passages of the workspace's documents, the matching words highlighted,
    several hits of one place (same document and section) shown as one result.

    Every page is a slice of one ranking of the SEARCH_RESULTS best hits, grouped by
    place before it is cut into pages: the same query gives the same pages (a hybrid
    ranking's blend depends on how many hits are ranked), and a place never spans two."""

    required_action = permissions.SEARCH

    template_name = "workspaces/retrieval/search.html"

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
        terms = query_terms(query)
        hits = search_passages(workspace=self.workspace, query=query, limit=SEARCH_RESULTS) if terms else []
        groups = group_hits(hits)
        try:
            page = Paginator(groups, PLACES_PER_PAGE).page(self.request.GET.get("page") or 1)
        except InvalidPage as error:
            raise Http404("No such page of results.") from error
        results = [
            {
                "hit": group.best,
                "others": group.others,
                "excerpt": highlight(group.best.text, terms, context_words=SEARCH_EXCERPT_WORDS),
            }
            for group in page.object_list
        ]
        return super().get_context_data(
            query=query, terms=terms, results=results, hit_count=len(hits), place_count=len(groups),
            result_limit=SEARCH_RESULTS, page_obj=page, is_paginated=page.has_other_pages(), **kwargs
        )
