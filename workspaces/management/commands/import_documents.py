"""Bulk import: `manage.py import_documents <workspace-slug> <path>...` (files or folders, recursive)."""

from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from workspaces.documents.services import DocumentRefused, document_ingest
from workspaces.models import Workspace

PROGRESS_WIDTH = 30


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
        "Import files into a workspace, checked like uploads. Folders are walked recursively. "
        "Duplicates are skipped; the command exits with status 1 if any file was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="The workspace's slug, as in /w/<slug>/.")
        parser.add_argument("paths", nargs="+", type=Path, help="Files or folders to import.")

    def handle(self, *args, workspace, paths, **options):
        target = Workspace.objects.filter(slug=workspace).first()
        if target is None:
            raise CommandError(f"No workspace with the slug “{workspace}”.")
        files = files_under(paths)
        imported, skipped, refused = [], [], []
        passages = 0
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
                imported.append(path)
                passages += document.metadata.get("passage_count", 0)
        self.progress(len(files), len(files), "done")
        self.stderr.write("")
        self.report(target, imported, passages, skipped, refused)
        if refused:
            raise CommandError(f"{len(refused)} file{'s' if len(refused) != 1 else ''} refused.", returncode=1)

    def progress(self, done: int, total: int, label: str):
        filled = PROGRESS_WIDTH * done // total if total else PROGRESS_WIDTH
        bar = "#" * filled + "-" * (PROGRESS_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {done}/{total} {label[:40]:<40}", ending="")
        self.stderr.flush()

    def report(self, workspace, imported, passages, skipped, refused):
        self.stdout.write(f"Imported {len(imported)} document(s) into “{workspace.name}” ({passages} passages).")
        if skipped:
            self.stdout.write(f"Skipped {len(skipped)} duplicate(s):")
            for path, message in skipped:
                self.stdout.write(f"  {path}: {message}")
        if refused:
            self.stdout.write(f"Refused {len(refused)} file(s):")
            for path, message in refused:
                self.stdout.write(f"  {path}: {message}")
