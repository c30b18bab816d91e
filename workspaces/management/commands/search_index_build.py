"""Build or update this host's search index folders now (a deploy step on each web host), so no
workspace's first search on the host waits or ranks in the database meanwhile."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workspaces.models import Workspace
from workspaces.retrieval.search_index import search_index_build, search_index_prune


class Command(BaseCommand):
    help = "Build or bring up to date this host's search index of every workspace (SEARCH_INDEX_DIR)."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="Only this workspace (its slug).")

    def handle(self, *args, workspace=None, **options):
        if not settings.SEARCH_INDEX_DIR:
            raise CommandError("SEARCH_INDEX_DIR is empty: searches rank in the database, there is no index to build.")
        workspaces = Workspace.objects.order_by("pk")
        if workspace:
            workspaces = workspaces.filter(slug=workspace)
            if not workspaces.exists():
                raise CommandError(f"No workspace “{workspace}”.")
        else:
            search_index_prune()
        for target in workspaces:
            started = time.monotonic()
            passages = search_index_build(workspace=target)
            self.stdout.write(f"{target.slug}: {passages:,} passages ({time.monotonic() - started:.1f} s)")
