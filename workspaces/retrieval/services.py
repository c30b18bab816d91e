"""Semantic indexing: passages to stored vectors, for every door (upload, task, re-index command).

Only passages without a vector of the current model, or whose text changed since
it was embedded, are embedded, in batches. A failing provider never fails an
upload: the document stays findable by its words and `vectors_reembed` (the
`retrieval_reembed` command) fills the gap later.
"""

import hashlib
import logging
import time

from django.db import transaction

from workspaces.documents.models import DocumentPassage, WorkspaceDocument
from workspaces.models import Workspace
from workspaces.retrieval import vectors
from workspaces.retrieval.embeddings import Embedder, EmbeddingError, embedder_current
from workspaces.retrieval.models import PassageVector

logger = logging.getLogger(__name__)

EMBED_BATCH = 64


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def passages_embed(*, document: WorkspaceDocument, embedder: Embedder | None = None) -> int:
    """Embed the document's new or changed passages with the configured model; return how many.
    0 when semantic search is off or the provider fails (logged)."""
    try:
        embedder = embedder or embedder_current(download=True)
    except EmbeddingError as exc:
        logger.warning("document %s not embedded: %s", document.pk, exc.message)
        return 0
    if embedder is None:
        return 0
    existing = dict(
        PassageVector.objects.filter(passage__document=document, model=embedder.name).values_list(
            "passage_id", "text_sha256"
        )
    )
    todo = [
        (pk, text) for pk, text in document.passages.order_by("position").values_list("pk", "text")
        if existing.get(pk) != _sha256(text)
    ]
    done = 0
    started = time.perf_counter()
    try:
        for start in range(0, len(todo), EMBED_BATCH):
            batch = todo[start:start + EMBED_BATCH]
            matrix = embedder.embed([text for _, text in batch])
            _store(embedder, batch, matrix)
            done += len(batch)
    except EmbeddingError as exc:
        logger.warning("document %s: %d of %d passages embedded: %s", document.pk, done, len(todo), exc.message)
    if done:
        vectors.vectors_changed(workspace_id=document.workspace_id, model=embedder.name)
        logger.info("document %s: %d passages embedded in %.1f s", document.pk, done, time.perf_counter() - started)
    return done


@transaction.atomic
def _store(embedder, batch, matrix):
    if vectors.pgvector_ready():
        vectors.pgvector_index_ensure(int(matrix.shape[1]))  # before writing: DDL waits for no pending trigger
    rows = [
        PassageVector(
            passage_id=pk, model=embedder.name, dimensions=int(matrix.shape[1]),
            text_sha256=_sha256(text), vector=vectors.to_bytes(vector),
        )
        for (pk, text), vector in zip(batch, matrix, strict=True)
    ]
    PassageVector.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["passage"],
        update_fields=["model", "dimensions", "text_sha256", "vector", "last_updated_at"],
    )
    if vectors.pgvector_ready():
        vectors.pgvector_store([(pk, vector) for (pk, _), vector in zip(batch, matrix, strict=True)])


def vectors_reembed(*, workspace: Workspace | None = None) -> int:
    """Embed every passage (of `workspace`, or of all workspaces) that lacks a vector of the
    configured model: what changing the model needs. Vectors of other models are removed
    once replaced, so a query never meets two models. Returns how many were embedded."""
    embedder = embedder_current(download=True)
    if embedder is None:
        return 0
    documents = WorkspaceDocument.objects.order_by("pk")
    if workspace is not None:
        documents = documents.filter(workspace=workspace)
    total = 0
    for document in documents.iterator():
        total += passages_embed(document=document, embedder=embedder)
    passages = DocumentPassage.objects.all() if workspace is None else DocumentPassage.objects.filter(
        document__workspace=workspace
    )
    PassageVector.objects.filter(passage__in=passages).exclude(model=embedder.name).delete()
    return total
