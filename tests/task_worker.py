"""Running queued tasks in a test, as `ingestion_worker` does, on the database task backend
(tests switch to it with `settings.TASKS = DATABASE_TASKS`)."""

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """What `ingestion_worker --batch` does, minus its connection housekeeping (which would
    close the test's transaction): run every task that is due, oldest first."""
    worker = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )
    while (due := DBTaskResult.objects.ready().get_locked()) is not None:
        due.claim(worker.worker_id)
        worker.run_task(due)
