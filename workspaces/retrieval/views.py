"""The search pages: one workspace's (`SearchView`) and every workspace one may search
(`EverywhereSearchView`, reached from the home page). Both read the same GET form, keep
the query and filters in every link, and show one ranking cut into pages."""

import uuid

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.utils.http import urlencode
from django.views.generic import TemplateView

from accounts.models import User
from workspaces import permissions
from workspaces.documents.models import DocumentStatus, WorkspaceDocument, passage_url
from workspaces.models import Workspace
from workspaces.retrieval.forms import SearchForm
from workspaces.retrieval.grouping import group_hits
from workspaces.retrieval.highlight import highlight
from workspaces.retrieval.query import MAX_QUERY_CHARS, query_phrases, query_terms
from workspaces.retrieval.results import SEARCH_RESULTS, SearchResults, search_results
from workspaces.templatetags.docent import location_tag
from workspaces.views import WorkspaceMixin

PLACES_PER_PAGE = 20
SEARCH_EXCERPT_WORDS = 60
# The search outside a workspace looks in at most this many (the first by name).
MAX_WORKSPACES_SEARCHED = 20
# The documents a workspace's search page offers to filter by, at most.
DOCUMENT_CHOICES = 500


class SearchPageMixin:
    """Ranked passages, the matching words highlighted, several hits of one place (same
    document and section) shown as one result.

    Every page is a slice of one ranking of the SEARCH_RESULTS best hits (per workspace),
    grouped by place before it is cut into pages: the same query gives the same pages (a
    hybrid ranking's blend depends on how many hits are ranked), and a place never spans two.
    A form with a wrong value (an unknown filter value, a date that is not one) is shown
    with its errors and answers 400; a page number past the end, or not a number, shows the nearest
    page, as every list of the site does."""

    def searched_workspaces(self) -> list[Workspace]:
        raise NotImplementedError

    def search_form(self) -> SearchForm:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=400 if context["form"].errors else 200)

    def get_context_data(self, **kwargs):
        form = self.search_form()
        valid = form.is_valid()
        query = form.cleaned_data.get("q", "") if valid else (self.request.GET.get("q") or "").strip()
        workspaces = self.searched_workspaces()
        if valid:
            exact = self.request.GET.get("exact") == "1"  # "search instead for" what was typed
            results = search_results(workspaces=workspaces, query=query, filters=form.filters(), exact=exact)
        else:
            results = SearchResults(hits=[], typed=query, query=query)
        groups = group_hits(results.hits)
        # As every list of the site: a page past the end, or not a number, shows the nearest one.
        page = Paginator(groups, PLACES_PER_PAGE).get_page(self.request.GET.get("page"))
        terms, phrases = query_terms(results.query), query_phrases(results.query)
        names = {workspace.slug: workspace for workspace in workspaces}
        href = passage_links(results.query)
        shown = [
            {
                "hit": group.best,
                "href": href(group.best),
                "where": location_tag(group.best.page_start, group.best.page_end, group.best.heading_path),
                "others": [(other, href(other), location_tag(other.page_start, other.page_end, ""))
                           for other in group.others],
                "workspace": names.get(group.best.workspace_slug),
                "excerpt": highlight(group.best.text, terms, context_words=SEARCH_EXCERPT_WORDS, phrases=phrases),
            }
            for group in page.object_list
        ]
        return super().get_context_data(
            form=form, query=query, terms=query_terms(query), search=results, results=shown,
            hit_count=len(results.hits), place_count=len(groups), result_limit=SEARCH_RESULTS,
            filtered=valid and form.filters().active, page_obj=page, is_paginated=page.has_other_pages(), **kwargs
        )


def passage_links(query: str):
    """hit -> its passage's address with the query's words marked, as `{% passage_url … q=query %}`
    gives it: the query encoded once for the page's results (workspaces.documents.models.passage_url)."""
    suffix = f"?{urlencode({'q': query[:MAX_QUERY_CHARS]})}" if query else ""

    def href(hit) -> str:
        return passage_url(workspace_slug=hit.workspace_slug, doc_id=hit.doc_id, position=hit.position) + suffix

    return href


def uploaders_of(documents) -> list[tuple[int, str]]:
    """(id, username) of the people who uploaded one of `documents` (a queryset), by name."""
    return list(
        User.objects.filter(pk__in=documents.values("uploaded_by")).order_by("username").values_list("pk", "username")
    )


class SearchView(WorkspaceMixin, SearchPageMixin, TemplateView):
    """One workspace's search, with filters by document, kind, uploader and upload date."""

    required_action = permissions.SEARCH
    template_name = "workspaces/retrieval/search.html"

    def searched_workspaces(self):
        return [self.workspace]

    def search_form(self):
        ready = WorkspaceDocument.objects.filter(workspace=self.workspace, status=DocumentStatus.READY)
        return SearchForm(self.request.GET, documents=self.document_choices(ready), uploaders=uploaders_of(ready))

    def document_choices(self, ready) -> list:
        """Every ready document to filter by, up to DOCUMENT_CHOICES; beyond, only the one chosen (a
        list of thousands helps no one and cost 0.5 s a page at 10,000: "Find in document" on a
        document's page searches it)."""
        documents = ready.order_by("filename", "pk").values_list("doc_id", "filename")
        listed = list(documents[:DOCUMENT_CHOICES + 1])
        if len(listed) <= DOCUMENT_CHOICES:
            return listed
        try:
            chosen = uuid.UUID(self.request.GET.get("document") or "")
        except ValueError:
            return []
        return list(documents.filter(doc_id=chosen))


class EverywhereSearchView(LoginRequiredMixin, SearchPageMixin, TemplateView):
    """Every workspace the person may search, each result naming its workspace."""

    template_name = "workspaces/retrieval/search_everywhere.html"

    def searched_workspaces(self):
        if not hasattr(self, "_workspaces"):
            searchable = permissions.workspaces_where(self.request.user, permissions.SEARCH, Workspace.objects.all())
            self._workspaces = list(searchable.distinct().order_by("name", "pk")[: MAX_WORKSPACES_SEARCHED + 1])
        return self._workspaces[:MAX_WORKSPACES_SEARCHED]

    def search_form(self):
        ready = WorkspaceDocument.objects.filter(
            workspace__in=[workspace.pk for workspace in self.searched_workspaces()], status=DocumentStatus.READY
        )
        return SearchForm(self.request.GET, uploaders=uploaders_of(ready))

    def get_context_data(self, **kwargs):
        more = len(self.searched_workspaces()) < len(getattr(self, "_workspaces", []))
        return super().get_context_data(
            workspaces=self.searched_workspaces(), more_workspaces=more, max_workspaces=MAX_WORKSPACES_SEARCHED,
            **kwargs,
        )
