from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workspaces.operations.backup import RestoreError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty, migrated database and the document storage."

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)

    def handle(self, *args, source, **options):
        if not source.is_file():
            raise CommandError(f"No backup at {source}")
        try:
            counts = backup_restore(source=source)
        except RestoreError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored {counts['users']} users, {counts['documents']} documents "
            f"({counts['files']} files) and {counts['chats']} chats."
        )
