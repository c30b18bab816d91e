"""Writes to a workspace's sources: add, change, delete, ask for a sync (what a sync does to
each file or page is `sources.items`).

Owners and administrators manage sources (`permissions.MANAGE_SOURCES`), on the site and in
the admin alike; a sync itself runs as the system and feeds files to the same services as
an upload (`documents.services`), so every rule and every format of an upload applies.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workspaces import permissions
from workspaces.documents.models import WorkspaceDocument
from workspaces.documents.services import document_delete
from workspaces.sources.folders import FolderRefused, folder_resolve
from workspaces.sources.models import SourceKind, WorkspaceSource
from workspaces.sources.sync import sync_enqueue
from workspaces.sources.web import page_key
from workspaces.web_fetch import address_refusal

EDITABLE = ("name", "kind", "location", "on_removal", "max_pages", "max_depth", "interval_minutes")
LOCATION_TOO_LONG = "Use an address or path of at most {limit} characters."


def _require(user, workspace) -> None:
    if not permissions.may(user, permissions.MANAGE_SOURCES, workspace):
        raise PermissionDenied(permissions.REFUSALS[permissions.MANAGE_SOURCES])


def location_clean(*, kind: str, location: str) -> str:
    """The location as stored, or ValidationError (on `location`) saying why it may not be used:
    a folder under the allowed roots, or a web address the SSRF guard lets through."""
    location = (location or "").strip()
    limit = WorkspaceSource._meta.get_field("location").max_length
    if len(location) > limit:
        raise ValidationError({"location": LOCATION_TOO_LONG.format(limit=limit)})
    if kind == SourceKind.FOLDER:
        try:
            folder_resolve(location)
        except FolderRefused as refusal:
            raise ValidationError({"location": refusal.message}) from None
        return location.rstrip("/") or "/"
    location = page_key(location)
    refusal = address_refusal(location)
    if refusal:
        raise ValidationError({"location": f"This address may not be used: {refusal}."})
    return location


@transaction.atomic
def source_create(*, actor, workspace, **fields) -> WorkspaceSource:
    """Add a source (its first sync is queued at once). ValidationError by field."""
    _require(actor, workspace)
    fields = {name: value for name, value in fields.items() if name in EDITABLE}
    fields["location"] = location_clean(kind=fields.get("kind", ""), location=fields.get("location", ""))
    source = WorkspaceSource(workspace=workspace, created_by=actor, **fields)
    source.full_clean(exclude=("created_by",))
    source.save()
    source_sync_request(actor=actor, source=source)
    return source


@transaction.atomic
def source_update(*, actor, source: WorkspaceSource, **changes) -> WorkspaceSource:
    """Change a source's settings. ValidationError by field. A new location or kind is synced at once."""
    _require(actor, source.workspace)
    changes = {name: value for name, value in changes.items() if name in EDITABLE}
    if "location" in changes or "kind" in changes:
        changes["location"] = location_clean(
            kind=changes.get("kind", source.kind), location=changes.get("location", source.location)
        )
    for name, value in changes.items():
        setattr(source, name, value)
    source.full_clean(exclude=("created_by",))
    source.save()
    if {"location", "kind"} & changes.keys():
        source_sync_request(actor=actor, source=source)
    return source


@transaction.atomic
def source_delete(*, actor, source: WorkspaceSource, delete_documents: bool) -> int:
    """Delete a source; its documents go too when asked (else they stay, as ordinary
    documents that still name their origin). Returns how many documents were deleted."""
    _require(actor, source.workspace)
    deleted = 0
    if delete_documents:
        documents = WorkspaceDocument.objects.filter(
            pk__in=source.items.filter(document__isnull=False).values("document")
        ).select_related("workspace")
        for document in documents:
            document_delete(document=document, user=actor)
            deleted += 1
    source.delete()
    return deleted


def source_sync_request(*, actor, source: WorkspaceSource) -> bool:
    """Queue a sync of `source` now (Sync now). False when one is already queued or running:
    it will find every change anyway."""
    _require(actor, source.workspace)
    now = timezone.now()
    # A mark older than a lease is a task that was lost (a restore, a cleared queue): queue again.
    stale = now - timedelta(seconds=settings.SOURCE_SYNC_LEASE_SECONDS)
    queued = WorkspaceSource.objects.filter(
        Q(sync_queued_at__isnull=True) | Q(sync_queued_at__lt=stale), pk=source.pk
    ).update(sync_queued_at=now)
    if not queued:
        return False
    sync_enqueue(source_id=source.pk)
    return True
