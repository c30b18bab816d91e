"""Backup and restore of everything Docent keeps: the database rows of its own
apps (users, invites, settings, workspaces, documents, passages, chats, audit
trail) and the stored document files, in one .tar.gz."""

import io
import tarfile
import tempfile
from pathlib import Path

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction

from accounts.models import User
from settings_app.models import SystemSetting
from workspaces.documents.jobs import documents_requeue_unfinished
from workspaces.models import WorkspaceChat, WorkspaceDocument

BACKED_UP_APPS = ("accounts", "settings_app", "workspaces")
DATA_MEMBER = "data.json"
FILES_PREFIX = "files/"
NOT_EMPTY = "The database already has users: restore only into an empty database (migrate a new one first)."


class RestoreError(Exception):
    pass


def backup_create(*, destination: Path) -> dict[str, int]:
    """Write the archive; rows are streamed to a temporary file, not held in memory."""
    counts = {"documents": 0, "files": 0}
    with tempfile.TemporaryDirectory() as workdir:
        data_path = Path(workdir) / DATA_MEMBER
        call_command("dumpdata", *BACKED_UP_APPS, output=str(data_path), verbosity=0)
        with tarfile.open(destination, "w:gz") as archive:
            archive.add(data_path, arcname=DATA_MEMBER)
            for docpath in WorkspaceDocument.objects.values_list("docpath", flat=True).iterator():
                counts["documents"] += 1
                if not default_storage.exists(docpath):
                    continue
                with default_storage.open(docpath, "rb") as stored:
                    info = tarfile.TarInfo(FILES_PREFIX + docpath)
                    info.size = default_storage.size(docpath)
                    archive.addfile(info, stored)
                counts["files"] += 1
    return counts


def backup_restore(*, source: Path) -> dict[str, int]:
    """Load an archive into an empty, migrated database and put the files back in storage."""
    if User.objects.exists():
        raise RestoreError(NOT_EMPTY)
    counts = {"files": 0}
    with tempfile.TemporaryDirectory() as workdir, tarfile.open(source, "r:gz") as archive:
        data_path = Path(workdir) / DATA_MEMBER
        data_member = archive.getmember(DATA_MEMBER)
        with archive.extractfile(data_member) as data, open(data_path, "wb") as out:
            out.write(data.read())
        with transaction.atomic():
            SystemSetting.objects.all().delete()  # the defaults created by migrate
            call_command("loaddata", str(data_path), verbosity=0)
        known_paths = set(WorkspaceDocument.objects.values_list("docpath", flat=True))
        for member in archive.getmembers():
            if not member.isfile() or not member.name.startswith(FILES_PREFIX):
                continue
            docpath = member.name[len(FILES_PREFIX):]
            if docpath not in known_paths:
                continue  # only paths the restored rows name: no path from the archive is trusted
            if default_storage.exists(docpath):
                default_storage.delete(docpath)
            with archive.extractfile(member) as content:
                saved = default_storage.save(docpath, File(io.BytesIO(content.read()), name=docpath))
            if saved != docpath:
                raise RestoreError(f"storage renamed {docpath} to {saved}")
            counts["files"] += 1
    # Task queues are not backed up: documents that were still being processed go back on the queue.
    counts["requeued"] = documents_requeue_unfinished()
    counts.update(
        users=User.objects.count(),
        documents=WorkspaceDocument.objects.count(),
        chats=WorkspaceChat.objects.count(),
    )
    return counts
