"""Backup and restore of everything Docent keeps: every row of its own tables (users,
invites and their workspaces, settings, workspaces, memberships, documents, passages,
chats, audit trail) plus the admin's own log, and the stored document files, in one .tar.gz.

A round trip is exact: rows come back with the same ids and every column byte for byte
(timestamps keep their microseconds, which Django's `dumpdata` drops), and every file
with the SHA-256 recorded at backup time (checked on restore).
"""

import datetime
import hashlib
import io
import itertools
import json
import tarfile
import tempfile
import time
from pathlib import Path

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import connection, transaction
from django.db.models import F

from accounts.models import User
from settings_app.models import SystemSetting
from settings_app.services import settings_invalidate
from workspaces.chats.rendering import stored_answers_render
from workspaces.documents.jobs import documents_requeue_unfinished
from workspaces.models import IndexChange, TermStat, Workspace, WorkspaceChat, WorkspaceDocument, WorkspaceStat
from workspaces.retrieval.statistics_bulk import passage_statistics_rebuilt_after
from workspaces.retrieval.vectors import pgvector_backfill

BACKED_UP_APPS = ("accounts", "settings_app", "workspaces")
DATA_MEMBER = "data.json"
MANIFEST_MEMBER = "manifest.json"
FILES_PREFIX = "files/"
NOT_EMPTY = "The database already has users: restore only into an empty database (migrate a new one first)."
NOT_AN_ARCHIVE = "{source} is not a Docent backup: `manage.py backup` writes a .tar.gz archive holding data.json."
CHECKSUM_MISMATCH = "The archive's copy of {docpath} does not match the checksum recorded at backup time."


class RestoreError(Exception):
    pass


def backed_up_models() -> list:
    """Every table the product owns (with the invite-workspace link table) and the admin log,
    but for the BM25 statistics and the search index's change log, which the database rebuilds
    from the passages and documents as they are restored."""
    derived = {TermStat, WorkspaceStat, IndexChange}
    models = [
        model for label in BACKED_UP_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model not in derived
    ]
    return [*models, LogEntry]


class ExactEncoder(DjangoJSONEncoder):
    """Times with every digit: DjangoJSONEncoder cuts microseconds to milliseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class RowSerializer(JSONSerializer):
    """Rows only: many-to-many links are written as rows of their own table (with their ids)."""

    def handle_m2m_field(self, obj, field):
        pass


def backup_create(*, destination: Path) -> dict[str, int]:
    """Write the archive; rows are streamed to a temporary file, not held in memory."""
    counts = {"documents": 0, "files": 0}
    manifest = {"files": {}, "content_types": {}}
    with tempfile.TemporaryDirectory() as workdir:
        data_path = Path(workdir) / DATA_MEMBER
        with transaction.atomic(), open(data_path, "w", encoding="utf-8") as out:
            rows = itertools.chain.from_iterable(
                model._base_manager.order_by("pk").iterator(chunk_size=2000) for model in backed_up_models()
            )
            RowSerializer().serialize(rows, stream=out, cls=ExactEncoder)
            # The admin log names content types by id; a new database may number them differently.
            manifest["content_types"] = {
                str(pk): [app_label, model]
                for pk, app_label, model in ContentType.objects.values_list("pk", "app_label", "model")
            }
        with tarfile.open(destination, "w:gz") as archive:
            archive.add(data_path, arcname=DATA_MEMBER)
            for docpath in WorkspaceDocument.objects.values_list("docpath", flat=True).iterator():
                counts["documents"] += 1
                if not default_storage.exists(docpath):
                    continue
                manifest["files"][docpath] = _add_file(archive, docpath)
                counts["files"] += 1
            _add_bytes(archive, MANIFEST_MEMBER, json.dumps(manifest).encode())
    return counts


def _add_file(archive, docpath) -> str:
    digest = hashlib.sha256()
    with default_storage.open(docpath, "rb") as stored:
        for chunk in iter(lambda: stored.read(1024 * 1024), b""):
            digest.update(chunk)
        stored.seek(0)
        info = tarfile.TarInfo(FILES_PREFIX + docpath)
        info.size = default_storage.size(docpath)
        archive.addfile(info, stored)
    return digest.hexdigest()


def _add_bytes(archive, name, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def backup_restore(*, source: Path) -> dict[str, int]:
    """Load an archive into an empty, migrated database and put the files back in storage."""
    if User.objects.exists():
        raise RestoreError(NOT_EMPTY)
    counts = {"files": 0}
    with tempfile.TemporaryDirectory() as workdir, _opened(source) as archive:
        manifest = _read_manifest(archive)
        data_path = Path(workdir) / DATA_MEMBER
        with archive.extractfile(_member(archive, DATA_MEMBER)) as data, open(data_path, "wb") as out:
            out.write(data.read())
        with transaction.atomic():
            SystemSetting.objects.all().delete()  # the defaults created by migrate
            with passage_statistics_rebuilt_after():  # once, not once a passage (the rows are saved one by one)
                _load_rows(data_path, manifest["content_types"])
            _search_versions_moved_ahead()
            # The archive's copy of each answer's HTML is not trusted: rendered again, as its answer did.
            stored_answers_render(WorkspaceChat.objects.filter(text_html__isnull=False))
        settings_invalidate()  # the defaults read before the restore are cached
        known_paths = set(WorkspaceDocument.objects.values_list("docpath", flat=True))
        for member in archive.getmembers():
            if not member.isfile() or not member.name.startswith(FILES_PREFIX):
                continue
            docpath = member.name[len(FILES_PREFIX):]
            if docpath not in known_paths:
                continue  # only paths the restored rows name: no path from the archive is trusted
            _restore_file(archive, member, docpath, manifest["files"].get(docpath))
            counts["files"] += 1
    # pgvector's column lives outside the rows: filled again from the stored vectors.
    counts["vectors"] = pgvector_backfill()
    # Task queues are not backed up: documents that were still being processed go back on the queue.
    counts["requeued"] = documents_requeue_unfinished()
    counts.update(
        users=User.objects.count(),
        documents=WorkspaceDocument.objects.count(),
        chats=WorkspaceChat.objects.count(),
    )
    return counts


def _opened(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, "r:gz")
    except tarfile.TarError:  # not gzip, not tar, cut short
        raise RestoreError(NOT_AN_ARCHIVE.format(source=source)) from None


def _member(archive, name: str) -> tarfile.TarInfo:
    try:
        return archive.getmember(name)
    except KeyError:
        raise RestoreError(NOT_AN_ARCHIVE.format(source=archive.name)) from None


def _read_manifest(archive) -> dict:
    try:
        member = archive.getmember(MANIFEST_MEMBER)
    except KeyError:  # an archive from before checksums: restored as it is
        return {"files": {}, "content_types": {}}
    with archive.extractfile(member) as data:
        return json.loads(data.read())


def _search_versions_moved_ahead() -> None:
    """Every workspace's search version past any a host's index folder may hold (the restored
    database may be older than the folders), with an empty change log: each host rebuilds its
    folders from the restored passages on their next search (`retrieval/search_index.py`)."""
    IndexChange.objects.all().delete()
    Workspace.objects.update(search_version=F("search_version") + time.time_ns() // 1000)


def _load_rows(data_path, content_types) -> None:
    new_ids = {
        (app_label, model): pk for pk, app_label, model in ContentType.objects.values_list("pk", "app_label", "model")
    }
    models = set()
    with open(data_path, encoding="utf-8") as data:
        for row in serializers.deserialize("json", data):
            if isinstance(row.object, LogEntry) and row.object.content_type_id is not None:
                natural = tuple(content_types.get(str(row.object.content_type_id), ()))
                row.object.content_type_id = new_ids.get(natural)
            row.save()  # raw: no auto_now, no signals' side effects on the stored values
            models.add(type(row.object))
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _restore_file(archive, member, docpath, expected_sha256) -> None:
    with archive.extractfile(member) as content:
        data = content.read()
    if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
        raise RestoreError(CHECKSUM_MISMATCH.format(docpath=docpath))
    if default_storage.exists(docpath):
        default_storage.delete(docpath)
    saved = default_storage.save(docpath, File(io.BytesIO(data), name=docpath))
    if saved != docpath:
        raise RestoreError(f"storage renamed {docpath} to {saved}")
