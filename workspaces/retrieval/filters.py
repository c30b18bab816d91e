"""Which documents a search looks in: by document, kind, uploader and upload date.

`SearchFilters` is what a person chose (the search form checks the values);
`filtered_document_ids` turns it into the ids of the ready documents that qualify,
which the rankings are then limited to (`search.search_passages`). No filter: None,
and the search covers every ready document of its workspace as before.
"""

import uuid
from dataclasses import dataclass
from datetime import date

from workspaces.documents.kinds import KINDS
from workspaces.documents.models import DocumentStatus, WorkspaceDocument


@dataclass(frozen=True)
class SearchFilters:
    document: uuid.UUID | None = None  # a document's doc_id
    kind: str = ""  # a file extension of documents.kinds.KINDS: "pdf", "docx", …
    uploader: int | None = None  # a user's id
    since: date | None = None  # uploaded on or after (the site's time zone)
    until: date | None = None  # uploaded on or before

    @property
    def active(self) -> bool:
        return any((self.document, self.kind, self.uploader, self.since, self.until))


def filtered_documents(*, workspace_ids: list[int], filters: SearchFilters):
    """The ready documents of those workspaces that `filters` keep (a queryset)."""
    documents = WorkspaceDocument.objects.filter(workspace_id__in=workspace_ids, status=DocumentStatus.READY)
    if filters.document:
        documents = documents.filter(doc_id=filters.document)
    if filters.kind:
        kind = KINDS.get(filters.kind)
        documents = documents.filter(metadata__content_type=kind.content_type) if kind else documents.none()
    if filters.uploader:
        documents = documents.filter(uploaded_by_id=filters.uploader)
    if filters.since:
        documents = documents.filter(created_at__date__gte=filters.since)
    if filters.until:
        documents = documents.filter(created_at__date__lte=filters.until)
    return documents


def filtered_document_ids(*, workspace_ids: list[int], filters: SearchFilters | None) -> list[int] | None:
    """The ids of the documents a filtered search looks in; None when nothing is filtered."""
    if filters is None or not filters.active:
        return None
    return list(filtered_documents(workspace_ids=workspace_ids, filters=filters).values_list("pk", flat=True))
