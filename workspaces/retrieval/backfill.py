"""Existing passages embedded in the background, by themselves, once a model is there.

A fresh install has `embedding_provider` = local: searches stay lexical until the model's
files are present (EMBEDDING_MODEL_DIR) or the worker has downloaded them. Every recovery
sweep of the ingestion worker (`ingestion_worker`, INGEST_SWEEP_SECONDS) calls
`vectors_backfill_enqueue`, which queues one `vectors_backfill` task when passages lack a
vector of the current model and none was queued in the last LEASE_SECONDS (a cache lease). A run embeds
whole documents until BACKFILL_PASSAGES passages are done, then queues the next run itself:
bounded (one run holds a worker for a few minutes at most, so uploads still get their
turn), and resumable (what is left is read from the database, so a killed worker, a
restart or a failing provider just leaves it for the next run). Hybrid search uses a
document's vectors as soon as they are stored; passages not embedded yet are still found by
their words.
"""

import logging

from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django_tasks import task
from django_tasks.base import TASK_MIN_PRIORITY

from settings_app.services import setting_get
from workspaces.documents.models import DocumentPassage, DocumentStatus, WorkspaceDocument
from workspaces.retrieval.embeddings import EmbeddingError, embedder_current
from workspaces.retrieval.models import PassageVector
from workspaces.retrieval.services import passages_embed

logger = logging.getLogger(__name__)

BACKFILL_PASSAGES = 2000
LEASE_SECONDS = 900
LEASE_KEY = "retrieval:backfill-queued"


def documents_to_embed(model: str):
    """Ready documents having a passage without a vector of `model` (oldest first)."""
    unembedded = DocumentPassage.objects.filter(document=OuterRef("pk")).exclude(
        Exists(PassageVector.objects.filter(passage=OuterRef("pk"), model=model))
    )
    return WorkspaceDocument.objects.filter(status=DocumentStatus.READY).filter(Exists(unembedded)).order_by("pk")


def vectors_backfill_run(*, limit: int | None = None) -> tuple[int, bool]:
    """Embed the documents lacking vectors, whole documents, until `limit` (BACKFILL_PASSAGES)
    passages are done. Returns (passages embedded, whether some are left). Nothing when no
    model is available."""
    limit = BACKFILL_PASSAGES if limit is None else limit
    try:
        embedder = embedder_current(download=True)
    except EmbeddingError as exc:
        logger.info("background embedding waits: %s", exc.message)
        return 0, False
    if embedder is None:
        return 0, False
    done = 0
    # A list, not a cursor kept open: embedding may create pgvector's index, which PostgreSQL refuses
    # while a query of this session is still reading. Every document holds a passage, so limit + 1
    # documents are always enough to find the limit or the end.
    for document in list(documents_to_embed(embedder.name)[:limit + 1]):
        if done >= limit:
            return done, True
        embedded = passages_embed(document=document, embedder=embedder)
        if not embedded:  # the provider failed (logged): the next run tries again
            return done, False
        done += embedded
    return done, False


@task()
def vectors_backfill() -> int:
    """The task: one bounded run; queues the next while passages are left. Otherwise the lease
    stays until it expires: a provider that cannot embed yet is not asked again every sweep."""
    done, left = vectors_backfill_run()
    if left:
        cache.delete(LEASE_KEY)
        vectors_backfill_enqueue()
    return done


def _backfill_wanted() -> bool:
    """Whether some passage lacks a vector of the current model (for a local model not downloaded
    yet: whether there is any passage, the run fetching the model first)."""
    try:
        embedder = embedder_current()
    except EmbeddingError:
        return setting_get("embedding_provider") == "local" and DocumentPassage.objects.exists()
    return embedder is not None and documents_to_embed(embedder.name).exists()


def vectors_backfill_enqueue() -> bool:
    """Queue a `vectors_backfill` run, behind every upload, when passages lack a vector of the
    current model and no run is queued; whether one was queued. Never downloads (the run does)."""
    if not _backfill_wanted() or not cache.add(LEASE_KEY, 1, timeout=LEASE_SECONDS):
        return False
    work = vectors_backfill
    if work.get_backend().supports_priority:
        work = work.using(priority=TASK_MIN_PRIORITY)
    work.enqueue()
    return True
