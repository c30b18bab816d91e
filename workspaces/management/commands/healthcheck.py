from django.core.management.base import BaseCommand, CommandError

from workspaces.operations.health import health_report, is_healthy


class Command(BaseCommand):
    help = "Check that the database answers and the document storage is writable; exits 1 if not."

    def handle(self, *args, **options):
        report = health_report()
        for check, result in report.items():
            self.stdout.write(f"{check}: {result}")
        if not is_healthy(report):
            raise CommandError("unhealthy")
