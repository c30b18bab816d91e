"""`manage.py ingestion_worker`: django-tasks-db's `db_worker`, plus the recovery sweep.

The worker runs queued tasks one at a time (run one per CPU you give to ingestion;
any number, on any hosts, may share the database). Beside it, a thread calls
`documents_recover` every INGEST_SWEEP_SECONDS, so a document whose worker died
mid-run is re-queued, or failed after INGEST_MAX_ATTEMPTS, by whichever worker is alive, the
sources whose scheduled sync is due are queued (`sources_enqueue_due`, once each), and passages
lacking a vector of the embedding model get a background run that embeds them (`retrieval.backfill`),
and the search index's old changes and this host's folders of deleted workspaces are removed.
All of db_worker's options apply (--batch, --max-tasks, --interval, --queue-name…).
"""

import logging
import os
import threading

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from workspaces.documents import readers
from workspaces.documents.jobs import documents_recover
from workspaces.retrieval.backfill import vectors_backfill_enqueue
from workspaces.retrieval.embeddings import embedder_warm
from workspaces.retrieval.search_index import search_index_prune
from workspaces.sources.sync import sources_enqueue_due

logger = logging.getLogger(__name__)

WORKER_CONN_MAX_AGE = 60  # seconds, as settings.py's default for PostgreSQL


def sweep_forever(stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            close_old_connections()
            documents_recover()
            sources_enqueue_due()
            vectors_backfill_enqueue()
            search_index_prune()
        except Exception:  # the database may be away for a while: try again next round
            logger.exception("The ingestion recovery sweep failed")
        finally:
            close_old_connections()


def connections_kept() -> None:
    """On SQLite, this worker keeps its database connection between tasks, as it does on PostgreSQL
    (CONN_MAX_AGE, default 60 s). settings.py opens one per request for SQLite's web processes; the
    worker closes old connections after every task, so it connected again for every document: a
    connection, its pragmas and the cache's reading of which database it is (issue 30: 8 % of the
    worker's time on 10-page PDFs). A worker that outlives a deleted and re-created database file
    sees the new one within that time."""
    database = settings.DATABASES[DEFAULT_DB_ALIAS]
    if database["ENGINE"] == "django.db.backends.sqlite3" and database["CONN_MAX_AGE"] == 0:
        database["CONN_MAX_AGE"] = WORKER_CONN_MAX_AGE


class Command(DatabaseWorkerCommand):
    help = "Run a background worker for document ingestion (db_worker plus recovery of documents lost by dead workers)."

    def handle(self, *args, **options):
        in_reloader_parent = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        connections_kept()
        if not in_reloader_parent:
            # The parsers and the local model load once here, before the first task forks the
            # extraction child, so no document waits for them (issue 30: importing pypdf alone
            # took 0.3-0.5 s).
            readers.parsers_preload()
            try:
                embedder_warm()
            except Exception:  # a damaged model fails the embedding later, with its own message
                logger.exception("The embedding model could not be loaded ahead of the first task")
        if not options.get("batch") and not in_reloader_parent:
            stop = threading.Event()
            threading.Thread(
                target=sweep_forever, args=(stop, settings.INGEST_SWEEP_SECONDS), daemon=True, name="ingest-sweep"
            ).start()
        if options.get("batch"):
            documents_recover()
            sources_enqueue_due()
        return super().handle(*args, **options)
