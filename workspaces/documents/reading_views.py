"""The reading page of a document and the stable address of a passage (what citations link to)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import urlencode
from django.views.generic import RedirectView, TemplateView

from accounts.http import status_for
from workspaces import permissions
from workspaces.documents.models import DocumentStatus
from workspaces.documents.navigation import NavigationRefused, document_map, find_in_document, page_jump
from workspaces.documents.reading import page_for_position, passage_items
from workspaces.documents.views import DocumentMixin
from workspaces.retrieval.query import MAX_QUERY_CHARS, query_phrases, query_terms


class DocumentDetailView(DocumentMixin, TemplateView):
    """A document read as one continuous text, a few thousand words a part (anchors `#p<position>`).

    `?passage=N&q=words` (where citations and search results land) marks the words
    in passage N and lights it up. `?find=words` lists the passages holding them and marks them
    on the page; `?goto=N` goes to page N of a PDF; the outline lists the headings (navigation.py).
    """

    template_name = "workspaces/documents/document_detail.html"

    def get(self, request, *args, **kwargs):
        self.ranges, self.outline = document_map(self.document)
        self.refusal = None
        if "goto" in request.GET:
            try:
                return redirect(self.document.get_absolute_url()
                                + page_jump(self.document, self.ranges, request.GET["goto"]))
            except NavigationRefused as refusal:
                self.refusal = refusal
        self.found = None
        if "find" in request.GET:
            try:
                self.found = find_in_document(self.document, self.ranges, request.GET["find"],
                                              results_page=request.GET.get("found", 1))
            except NavigationRefused as refusal:
                self.refusal = refusal
        response = super().get(request, *args, **kwargs)
        if self.refusal is not None:
            response.status_code = status_for(self.refusal)
        return response

    def get_context_data(self, **kwargs):
        paginator = Paginator(self.ranges, 1)
        page_obj = paginator.get_page(self.request.GET.get("page"))
        cited = _int(self.request.GET.get("passage"))
        query = self.request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
        terms, phrases = query_terms(query), query_phrases(query)
        found_terms = self.found.terms if self.found else []
        passages = []
        if page_obj.object_list:
            first, last = page_obj.object_list[0]
            for passage in self.document.passages.filter(position__gte=first, position__lte=last).order_by("position"):
                is_cited = passage.position == cited
                passages.append({
                    "position": passage.position,
                    "cited": is_cited,
                    "items": passage_items(
                        passage, [*(terms if is_cited else []), *found_terms], phrases
                    ),
                })
        may_delete = permissions.may_delete_document(self.request.user, self.document, granted=self.may)
        return super().get_context_data(
            may_delete=may_delete, states=DocumentStatus,
            page_obj=page_obj, paginator=paginator, is_paginated=page_obj.has_other_pages(),
            passages=passages, query=query,
            passage_total=paginator.object_list[-1][1] if paginator.count else 0,
            outline=self.outline, found=self.found,
            find=self.request.GET.get("find", "")[:MAX_QUERY_CHARS], goto=self.request.GET.get("goto", "")[:12],
            refusal=self.refusal.message if self.refusal else "",
            refused=("goto" if "goto" in self.request.GET else "find") if self.refusal else "",
            **kwargs,
        )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PassageRedirectView(DocumentMixin, RedirectView):
    """/…/passages/<position>/ → the document page that shows it, at its anchor: what citations link to.

    A `q` parameter is carried along, so the passage opens with the searched words marked.
    """

    def get_redirect_url(self, *args, **kwargs):
        position = kwargs["position"]
        page = page_for_position(self.document, position)
        if page is None:
            raise Http404("This document has no such passage.")
        query = {"page": page, "passage": position}
        searched = self.request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
        if searched:
            query["q"] = searched
        return f"{self.document.get_absolute_url()}?{urlencode(query)}#p{position}"
