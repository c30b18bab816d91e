"""`manage.py reindex_documents [<workspace-slug>...] [--wait]`: re-index ready documents in the background.

Run after changing `passage_size_words`/`passage_overlap_words` or the embedding model.
Each document keeps answering from its current passages until its new set is swapped in.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from workspaces.documents.models import WorkspaceDocument
from workspaces.documents.services import documents_reindex
from workspaces.models import Workspace

PROGRESS_WIDTH = 30


class Command(BaseCommand):
    help = "Queue every ready document (of the named workspaces, or all) for re-indexing by the ingestion workers."

    def add_arguments(self, parser):
        parser.add_argument("workspaces", nargs="*", help="Workspace slugs (default: every workspace).")
        parser.add_argument("--wait", action="store_true", help="Show progress until every document is re-indexed.")

    def handle(self, *args, workspaces, wait, **options):
        documents = WorkspaceDocument.objects.all()
        if workspaces:
            found = set(Workspace.objects.filter(slug__in=workspaces).values_list("slug", flat=True))
            if missing := sorted(set(workspaces) - found):
                raise CommandError(f"No workspace with the slug {', '.join(f'“{slug}”' for slug in missing)}.")
            documents = documents.filter(workspace__slug__in=workspaces)
        ids = list(documents.filter(status="ready", reindexing=False).values_list("pk", flat=True))
        queued = documents_reindex(documents=WorkspaceDocument.objects.filter(pk__in=ids))
        self.stdout.write(f"Queued {queued} document(s) for re-indexing; they keep serving their passages meanwhile.")
        if wait and queued:
            pending_rows = WorkspaceDocument.objects.filter(pk__in=ids, reindexing=True)
            while True:
                pending = pending_rows.count()
                filled = PROGRESS_WIDTH * (queued - pending) // queued
                self.stderr.write(f"\r[{'#' * filled}{'-' * (PROGRESS_WIDTH - filled)}] {queued - pending}/{queued}",
                                  ending="")
                if not pending:
                    break
                time.sleep(0.5)
            self.stderr.write("")
