from pathlib import Path

from django.core.management.base import BaseCommand

from workspaces.operations.backup import backup_create


class Command(BaseCommand):
    help = "Write a .tar.gz with every Docent row and every stored document file."

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="e.g. backups/docent-2026-11-25.tar.gz")

    def handle(self, *args, destination, **options):
        destination.parent.mkdir(parents=True, exist_ok=True)
        counts = backup_create(destination=destination)
        self.stdout.write(f"Wrote {destination}: {counts['documents']} documents, {counts['files']} files.")
