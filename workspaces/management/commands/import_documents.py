"""Bulk import: `manage.py import_documents <workspace-slug> <path>... [--wait | --inline]`.

By default every file is checked, stored and queued for the ingestion workers, with a
progress bar; `--wait` then follows the queue with a second bar until every imported
document is ready or failed; `--inline` processes each file in this process, for
scripts with no worker running.
"""

import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from workspaces.documents.ingestion import document_process
from workspaces.documents.models import ACTIVE_STATUSES, DocumentStatus, WorkspaceDocument
from workspaces.documents.services import DocumentRefused, document_ingest
from workspaces.models import Workspace

PROGRESS_WIDTH = 30
WAIT_POLL_SECONDS = 0.5


def files_under(paths: list[Path]) -> list[Path]:
    """Every file named or inside a named folder, in a stable order; hidden files and folders in a walk are left out."""
    found = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    child for child in path.rglob("*")
                    if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts)
                )
            )
        elif path.is_file():
            found.append(path)
        else:
            raise CommandError(f"{path} is not a file or folder.")
    return found


class Command(BaseCommand):
    help = (
        "Import files into a workspace, checked like uploads, and queue them for processing. Folders are walked "
        "recursively. Duplicates are skipped; the command exits with status 1 if any file was refused or failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="The workspace's slug, as in /w/<slug>/.")
        parser.add_argument("paths", nargs="+", type=Path, help="Files or folders to import.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--wait", action="store_true",
                          help="Wait until the workers have processed every imported file.")
        mode.add_argument("--inline", action="store_true",
                          help="Process each file here instead of queueing it (no worker needed).")

    def handle(self, *args, workspace, paths, wait, inline, **options):
        target = Workspace.objects.filter(slug=workspace).first()
        if target is None:
            raise CommandError(f"No workspace with the slug “{workspace}”.")
        files = files_under(paths)
        imported, skipped, refused = [], [], []
        for number, path in enumerate(files, start=1):
            self.progress(number - 1, len(files), path.name)
            try:
                with path.open("rb") as handle:
                    document = document_ingest(
                        workspace=target, uploaded_file=File(handle, name=path.name), filename=path.name
                    )
            except DocumentRefused as refusal:
                (skipped if refusal.code == "duplicate" else refused).append((path, refusal.message))
            except OSError as error:
                refused.append((path, f"could not be read: {error.strerror or error}"))
            else:
                if inline:
                    document_process(document_id=document.pk, attempt=document.attempts)
                imported.append((path, document.pk))
        self.progress(len(files), len(files), "stored" if not inline else "done")
        self.stderr.write("")
        if wait:
            self.wait_for([pk for _path, pk in imported])
        failed = self.report(target, imported, skipped, refused)
        if refused or failed:
            count = len(refused) + len(failed)
            raise CommandError(f"{count} file{'s' if count != 1 else ''} refused or failed.", returncode=1)

    def wait_for(self, document_ids: list[int]):
        """A progress bar over the queue: documents ready or failed, of those imported."""
        documents = WorkspaceDocument.objects.filter(pk__in=document_ids)
        while True:
            pending = documents.filter(status__in=ACTIVE_STATUSES).count()
            self.progress(len(document_ids) - pending, len(document_ids), "processed")
            if not pending:
                break
            time.sleep(WAIT_POLL_SECONDS)
        self.stderr.write("")

    def progress(self, done: int, total: int, label: str):
        filled = PROGRESS_WIDTH * done // total if total else PROGRESS_WIDTH
        bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} {label[:40]:<40}", ending="")
        self.stderr.flush()

    def report(self, workspace, imported, skipped, refused) -> list:
        """Print the summary; return the imported documents that failed."""
        rows = WorkspaceDocument.objects.filter(pk__in=[pk for _path, pk in imported])
        by_status = {status: [] for status in DocumentStatus.values}
        for document in rows.only("filename", "status", "status_reason", "metadata"):
            by_status[document.status].append(document)
        ready = by_status[DocumentStatus.READY]
        passages = sum(document.metadata.get("passage_count", 0) for document in ready)
        queued = len(imported) - len(ready) - len(by_status[DocumentStatus.FAILED])
        self.stdout.write(
            f"Imported {len(imported)} document(s) into “{workspace.name}”: {len(ready)} ready ({passages} passages)"
            + (f", {queued} queued for the workers" if queued else "") + "."
        )
        if skipped:
            self.stdout.write(f"Skipped {len(skipped)} duplicate(s):")
            for path, message in skipped:
                self.stdout.write(f"  {path}: {message}")
        if refused:
            self.stdout.write(f"Refused {len(refused)} file(s):")
            for path, message in refused:
                self.stdout.write(f"  {path}: {message}")
        failed = by_status[DocumentStatus.FAILED]
        if failed:
            self.stdout.write(f"Failed {len(failed)} file(s):")
            for document in failed:
                self.stdout.write(f"  {document.filename}: {document.status_reason}")
        return failed
