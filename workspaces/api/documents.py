"""Workspaces and their documents: list, detail, multipart upload, delete, re-index."""

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema, Status
from pydantic import Field

from accounts.base import DocentError
from accounts.http import content_length
from workspaces import permissions
from workspaces.api.access import document_in, key_actions, workspace_for
from workspaces.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, page_by_id, page_by_name
from workspaces.api.schemas import DocumentOut, DocumentPage, ReindexOut, UploadOut, WorkspaceOut, WorkspacePage
from workspaces.documents.extraction import DocumentRefused
from workspaces.documents.services import (
    MAX_FILES_PER_UPLOAD,
    document_delete,
    document_ingest,
    documents_reindex,
    upload_batch_check,
    upload_body_check,
)
from workspaces.models import Workspace, WorkspaceDocument, count_of

router = Router(tags=["workspaces and documents"])

UPLOAD_FIELD = "files"


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=200, description="From the previous page's `next_cursor`.")
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def workspace_out(request, workspace) -> dict:
    return {
        "slug": workspace.slug, "name": workspace.name, "description": workspace.description,
        "role": workspace.member_role, "actions": key_actions(request.auth, workspace),
        "document_count": workspace.document_total,
        "url": request.build_absolute_uri(workspace.get_absolute_url()),
    }


def document_out(request, document: WorkspaceDocument) -> dict:
    metadata = document.metadata or {}
    return {
        "doc_id": document.doc_id, "filename": document.filename, "kind": document.kind_label,
        "size": metadata.get("size") if isinstance(metadata.get("size"), int) else None,
        "status": document.status, "label": "Re-indexing" if document.reindexing else document.get_status_display(),
        "processing": document.is_processing, "reindexing": document.reindexing, "reason": document.status_reason,
        "progress_done": document.progress_done, "progress_total": document.progress_total,
        "created_at": document.created_at, "url": request.build_absolute_uri(document.get_absolute_url()),
    }


def _listed_workspaces(request):
    workspaces = Workspace.objects.with_role_of(request.auth.user).annotate(document_total=count_of(WorkspaceDocument))
    return permissions.workspaces_for_key(request.auth, permissions.SEE, workspaces)


@router.get("/workspaces", response=WorkspacePage, summary="The workspaces this key may read")
def workspace_list(request, page: Query[PageQuery]):
    """One query for the page, whatever its size."""
    rows, next_cursor = page_by_name(_listed_workspaces(request), cursor=page.cursor, limit=page.limit)
    return {"items": [workspace_out(request, workspace) for workspace in rows], "next_cursor": next_cursor}


@router.get("/workspaces/{slug}", response=WorkspaceOut, summary="One workspace")
def workspace_detail(request, slug: str):
    workspace_for(request, slug, permissions.SEE)
    return workspace_out(request, _listed_workspaces(request).get(slug=slug))


@router.get("/workspaces/{slug}/documents", response=DocumentPage, summary="Documents, newest first, with state")
def document_list(request, slug: str, page: Query[PageQuery]):
    workspace = workspace_for(request, slug, permissions.SEE)
    documents = workspace.documents.select_related("workspace")
    rows, next_cursor = page_by_id(documents, cursor=page.cursor, limit=page.limit)
    return {"items": [document_out(request, document) for document in rows], "next_cursor": next_cursor}


@router.get("/workspaces/{slug}/documents/{doc_id}", response=DocumentOut, summary="One document and its state")
def document_detail(request, slug: str, doc_id: str):
    return document_out(request, document_in(workspace_for(request, slug, permissions.SEE), doc_id))


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": [UPLOAD_FIELD],
            "properties": {UPLOAD_FIELD: {"type": "array", "items": {"type": "string", "format": "binary"},
                                          "maxItems": MAX_FILES_PER_UPLOAD}},
        }}},
    }
}


@router.post("/workspaces/{slug}/documents", response={201: UploadOut}, openapi_extra=UPLOAD_BODY,
             summary="Upload files (multipart, field `files`); they are processed in the background")
def document_upload(request, slug: str):
    """The upload page's rules: who may, size (checked before the body is read), type, duplicates."""
    workspace = workspace_for(request, slug, permissions.UPLOAD)
    upload_body_check(declared_bytes=content_length(request))
    files = request.FILES.getlist(UPLOAD_FIELD) if request.content_type.startswith("multipart/form-data") else []
    upload_batch_check(files=files)
    added, refused = [], []
    for uploaded in files:
        try:
            added.append(document_ingest(
                workspace=workspace, uploaded_file=uploaded, filename=uploaded.name, user=request.user,
                request=request,
            ))
        except DocumentRefused as refusal:
            refused.append({"filename": uploaded.name or "", "code": str(refusal.code), "detail": refusal.message})
    if not added:
        first = refused[0]
        raise DocentError(" ".join(item["detail"] for item in refused), code=first["code"])
    return Status(201, {"documents": [document_out(request, document) for document in added], "refused": refused})


@router.delete("/workspaces/{slug}/documents/{doc_id}", response={204: None}, summary="Delete a document")
def document_remove(request, slug: str, doc_id: str):
    workspace = workspace_for(request, slug, permissions.DELETE_OWN_DOCUMENT)
    document = document_in(workspace, doc_id)
    if not permissions.may_delete_document(request.user, document):
        raise PermissionDenied(permissions.REFUSALS[permissions.DELETE_DOCUMENT])
    document_delete(document=document, user=request.user, request=request)
    return Status(204, None)


@router.post("/workspaces/{slug}/documents/{doc_id}/reindex", response={202: ReindexOut},
             summary="Re-index a ready document in the background (owners)")
def document_reindex(request, slug: str, doc_id: str):
    workspace = workspace_for(request, slug, permissions.DELETE_DOCUMENT)
    document = document_in(workspace, doc_id)
    queued = documents_reindex(documents=workspace.documents.filter(pk=document.pk), user=request.user)
    document.refresh_from_db()
    return Status(202, {"queued": queued, "document": document_out(request, document)})

