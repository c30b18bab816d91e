"""A source's sync: the task, the lease that lets one sync of a source run at a time, the
schedule, and the record of what the last sync did.

- `sync_enqueue` queues the task (`sync_source`) for a source: on demand (Sync now), when a
  source is added, and from the schedule: every ingestion worker calls `sources_enqueue_due`
  each INGEST_SWEEP_SECONDS, which moves each due source's `next_sync_at` on by its interval
  with a conditional update, so however many workers sweep, a due source is queued once.
- A run first takes the source's lease (`lease_until`, `lease_token`) with a conditional
  update: a second run while one holds it does nothing. The lease is renewed after every
  file or page and released at the end; a run that died leaves a lease that runs out after
  SOURCE_SYNC_LEASE_SECONDS.
- Files and pages go one at a time through `sources.items` (the upload's services), so the
  documents are read by the ingestion tasks, as uploads are. A refused file or page is
  counted as failed with its reason; the source itself fails (and nothing is removed) when
  its folder or site cannot be read at all.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from accounts.base import DocentError
from workspaces.documents.refusals import DocumentRefused
from workspaces.documents.services import upload_limit_bytes
from workspaces.sources.folders import file_copy, folder_files, folder_resolve
from workspaces.sources.items import ADDED, CHANGED, item_gone, item_ingest
from workspaces.sources.models import SourceKind, SyncOutcome, WorkspaceSource
from workspaces.sources.web import Walk

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 50
TOO_MANY_FILES = (
    "The folder holds more than {limit:,} files Docent reads; the rest were not read (SOURCE_FOLDER_MAX_FILES)."
)
READ_FAILED = "could not be read ({error})"
SYNC_FAILED = "The sync stopped: {error}"
INTERNAL_ERROR = "The sync stopped because of an internal error; the server's log says more."


class LeaseLost(Exception):
    """Another run holds the source now (this one was too slow to renew)."""


@dataclass
class SyncReport:
    added: int = 0
    changed: int = 0
    removed: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)

    def fail(self, item: str, message: str) -> None:
        self.failed += 1
        self.note(item, message)

    def note(self, item: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"item": item, "message": message})


@task()
def sync_source(source_id: int) -> str:
    return source_sync(source_id=source_id)


def sync_enqueue(*, source_id: int) -> None:
    """Queue a sync (with the database task backend the task row commits with the caller's transaction)."""
    sync_source.enqueue(source_id)


def sources_enqueue_due(*, now=None) -> int:
    """Queue a sync of every source whose scheduled time has come. Returns how many."""
    now = now or timezone.now()
    due = WorkspaceSource.objects.filter(next_sync_at__lte=now).values_list("pk", "next_sync_at", "interval_minutes")
    queued = 0
    for pk, next_sync_at, interval in due:
        moved = WorkspaceSource.objects.filter(pk=pk, next_sync_at=next_sync_at).update(
            next_sync_at=now + timedelta(minutes=interval), sync_queued_at=now
        )
        if moved:
            sync_enqueue(source_id=pk)
            queued += 1
    return queued


def source_sync(*, source_id: int) -> str:
    """Run one sync of the source if no other run holds it; returns what happened."""
    token = _lease_take(source_id)
    if token is None:
        return "busy"
    source = WorkspaceSource.objects.select_related("workspace").get(pk=source_id)
    report = SyncReport()
    outcome = SyncOutcome.OK
    try:
        renew = lambda: _lease_renew(source_id, token)  # noqa: E731
        if source.kind == SourceKind.FOLDER:
            _folder_sync(source, report, renew)
        else:
            _web_sync(source, report, renew)
    except LeaseLost:
        logger.warning("The sync of source %s lost its lease to another run", source_id)
        return "superseded"
    except (DocentError, OSError) as error:
        outcome = SyncOutcome.FAILED
        report.errors.insert(0, {"item": "", "message": SYNC_FAILED.format(error=_words(error))})
    except Exception:
        logger.exception("The sync of source %s failed", source_id)
        outcome = SyncOutcome.FAILED
        report.errors.insert(0, {"item": "", "message": INTERNAL_ERROR})
    if outcome == SyncOutcome.OK and report.failed:
        outcome = SyncOutcome.PARTIAL
    _record(source, token, report, outcome)
    return outcome or "ok"


def _words(error: Exception) -> str:
    return getattr(error, "message", None) or str(error) or type(error).__name__


def _count(report: SyncReport, key: str, bring_in) -> None:
    """One file or page: ingest it and count what happened, or count it failed with its reason."""
    try:
        outcome = bring_in()
    except DocumentRefused as refusal:
        if refusal.code == "duplicate":
            report.note(key, refusal.message)
        else:
            report.fail(key, refusal.message)
        return
    except (DocentError, OSError) as error:
        report.fail(key, READ_FAILED.format(error=_words(error)))
        return
    if outcome == ADDED:
        report.added += 1
    elif outcome == CHANGED:
        report.changed += 1


def _folder_sync(source: WorkspaceSource, report: SyncReport, renew) -> None:
    folder = folder_resolve(source.location)
    limit, max_bytes = settings.SOURCE_FOLDER_MAX_FILES, upload_limit_bytes()
    seen, complete, unreadable = set(), True, []
    for key, path in folder_files(folder, unreadable=unreadable):
        if len(seen) >= limit:
            report.note("", TOO_MANY_FILES.format(limit=limit))
            complete = False
            break
        seen.add(key)

        def bring_in(key=key, path=path):
            with file_copy(path, max_bytes=max_bytes) as (content, sha256):
                return item_ingest(source=source, key=key, filename=path.name, content=content, sha256=sha256)

        _count(report, key, bring_in)
        renew()
    for error in unreadable[:MAX_ERRORS_KEPT]:
        report.fail(_relative(error.filename, folder), READ_FAILED.format(error=error.strerror or error))
    if complete and not unreadable:  # a folder that could not be listed hides files, it does not remove them
        _gone(source, report, lambda item: item.key not in seen, renew)


def _relative(path, folder) -> str:
    try:
        return Path(path).relative_to(folder).as_posix()
    except (TypeError, ValueError):
        return str(path or "")


def _web_sync(source: WorkspaceSource, report: SyncReport, renew) -> None:
    walk = Walk(start=source.location, whole_section=source.kind == SourceKind.SITE,
                max_pages=source.max_pages, max_depth=source.max_depth)
    seen, gone = set(), set()
    for visit in walk.visits():
        if visit.gone:
            gone.add(visit.key)
            if visit.key == walk.start:
                report.note(visit.key, visit.error)
            continue
        seen.add(visit.key)
        if visit.error:
            report.fail(visit.key, visit.error)
        else:
            _count(report, visit.key, lambda visit=visit: item_ingest(
                source=source, key=visit.key, filename=visit.filename, content=File(BytesIO(visit.content)),
                sha256=hashlib.sha256(visit.content).hexdigest(),
            ))
        renew()
    _gone(source, report, lambda item: item.key in gone or (walk.complete and item.key not in seen), renew)


def _gone(source: WorkspaceSource, report: SyncReport, is_gone, renew) -> None:
    for item in source.items.select_related(None).iterator():
        if is_gone(item):
            if item_gone(source=source, item=item):
                report.removed += 1
            renew()


def _lease_take(source_id: int) -> str | None:
    now, token = timezone.now(), secrets.token_hex(16)
    taken = WorkspaceSource.objects.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now), pk=source_id).update(
        lease_until=now + timedelta(seconds=settings.SOURCE_SYNC_LEASE_SECONDS), lease_token=token,
        last_sync_started_at=now, sync_queued_at=None,
    )
    return token if taken else None


def _lease_renew(source_id: int, token: str) -> None:
    until = timezone.now() + timedelta(seconds=settings.SOURCE_SYNC_LEASE_SECONDS)
    if not WorkspaceSource.objects.filter(pk=source_id, lease_token=token).update(lease_until=until):
        raise LeaseLost


def _record(source: WorkspaceSource, token: str, report: SyncReport, outcome: str) -> None:
    """The last sync's result on the source, the lease released and the next sync scheduled."""
    now = timezone.now()
    WorkspaceSource.objects.filter(pk=source.pk, lease_token=token).update(
        lease_until=None, lease_token="", last_sync_finished_at=now, last_outcome=outcome,
        last_added=report.added, last_changed=report.changed, last_removed=report.removed,
        last_failed=report.failed, last_errors=report.errors[:MAX_ERRORS_KEPT],
        next_sync_at=now + timedelta(minutes=source.interval_minutes), last_updated_at=now,
    )
