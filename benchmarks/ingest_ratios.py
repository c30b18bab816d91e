"""`make bench-ingest`, part 2 (issue 30): ingestion against its anchors, measured in one run.

1. Without embeddings: one ingestion worker's passages per second over 20 ten-page PDFs,
   against bare pypdf extraction of the same files in this process (target ≥ 0.5).
2. With the local model (when EMBEDDING_MODEL_DIR names its folder): the worker's passages
   per second, against a bare ONNX Runtime loop (tokenizer, session, mean pooling) over the
   same passages' texts in this process (target ≥ 0.85).
3. On PostgreSQL: 20,000 passage inserts with the search triggers, against the same inserts
   with the triggers disabled (target ≥ 0.9); and the same inserts as a bulk load, the statistics
   rebuilt once at its end (workspaces/retrieval/statistics_bulk.py, the rebuild timed). Each is
   measured between two runs without triggers and compared with their mean. All are rolled back.

Each in BENCH_RATIO_ROUNDS rounds (3), Docent and its anchor side by side in each round, on a
machine other work may share: the table gives each round's rates and the ratios' range.
"""

import contextlib
import io
import os
import time

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from settings_app.services import setting_set
from workspaces.documents.ingestion import PASSAGE_BATCH_SIZE
from workspaces.documents.models import DocumentPassage
from workspaces.models import WorkspaceDocument
from workspaces.retrieval.statistics_bulk import passage_statistics_rebuilt_after

FILES = int(os.environ.get("BENCH_RATIO_FILES", 20))
TRIGGER_PASSAGES = int(os.environ.get("BENCH_TRIGGER_PASSAGES", 20_000))
ROUNDS = int(os.environ.get("BENCH_RATIO_ROUNDS", 3))


def _worker_seconds(bench, workspace, files: list[bytes], prefix: str) -> tuple[int, float]:
    """(passages, seconds) one worker takes from its first claim to the last document ready."""
    ids = [bench.queue(workspace, f"{prefix}-{n}.pdf", content).pk for n, content in enumerate(files)]
    worker = bench.start_worker()
    try:
        first_claim = None
        while first_claim is None:
            if WorkspaceDocument.objects.filter(pk__in=ids).exclude(status="queued").exists():
                first_claim = time.monotonic()
            time.sleep(0.01)
        finished = bench.wait_ready(ids)
    finally:
        worker.terminate()
        worker.wait()
    passages = DocumentPassage.objects.filter(document_id__in=ids).count()
    return passages, finished - first_claim


def _bare_pypdf_seconds(files: list[bytes]) -> float:
    from pypdf import PdfReader

    started = time.perf_counter()
    for content in files:
        for page in PdfReader(io.BytesIO(content)).pages:
            page.extract_text()
    return time.perf_counter() - started


def _bare_onnx_seconds(folder: str, texts: list[str]) -> float:
    import onnxruntime
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tokenizer.enable_truncation(max_length=256)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token
    # The session options Docent's own session uses (workspaces/retrieval/embeddings.py): the loop
    # differs from the worker only by what the worker does around the model.
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = 2, 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(
        os.path.join(folder, "model.onnx"), sess_options=options, providers=["CPUExecutionProvider"]
    )
    names = {item.name for item in session.get_inputs()}
    started = time.perf_counter()
    for start in range(0, len(texts), 32):
        encodings = tokenizer.encode_batch(texts[start:start + 32])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in names:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feed)[0]
        weights = mask[:, :, None].astype(np.float32)
        (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    return time.perf_counter() - started


def _insert_seconds(workspace, *, triggers: bool, bulk: bool = False) -> float:
    """Seconds to insert TRIGGER_PASSAGES passages, 2,000 an INSERT, rolled back: with or without the
    statistics triggers, or (`bulk`) as a bulk load, the statistics rebuilt once at its end (included)."""
    texts = [f"Section {n}. " + " ".join(f"w{(n * 7919 + k * 31) % 5000}" for k in range(200))
             for n in range(TRIGGER_PASSAGES)]
    try:
        with transaction.atomic():
            if not triggers:
                with connection.cursor() as cursor:
                    cursor.execute("ALTER TABLE document_passages DISABLE TRIGGER USER")
            document = WorkspaceDocument.objects.create(
                workspace=workspace, filename="triggers.txt", docpath="bench/triggers.txt", metadata={}
            )
            rows = [DocumentPassage(document=document, position=n + 1, text=text, word_count=201, blocks=[])
                    for n, text in enumerate(texts)]
            started = time.perf_counter()
            with passage_statistics_rebuilt_after([workspace.pk]) if bulk else contextlib.nullcontext():
                DocumentPassage.objects.bulk_create(rows, batch_size=PASSAGE_BATCH_SIZE)
            elapsed = time.perf_counter() - started
            raise _RollBack(elapsed)
    except _RollBack as done:
        return done.seconds


class _RollBack(Exception):
    def __init__(self, seconds):
        self.seconds = seconds


def _vacuumed() -> None:
    """PostgreSQL: the passages' and statistics' dead rows cleared, as autovacuum keeps them on a
    server in use. Each run of these measures rolls back 300,000 passage inserts and as many
    statistics upserts; with their dead rows left, a document's 20 passages took 44.6 ms to insert
    in the next run, 28.7 ms after a VACUUM."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) document_passages, retrieval_term_stats, retrieval_workspace_stats")


def _row(measure, anchor, docent, rounds: list[tuple[float, float]], target):
    """One table row from (anchor rate, Docent rate) pairs, each measured in the same round."""
    ratios = [docent_rate / anchor_rate for anchor_rate, docent_rate in rounds]
    verdict = "meets" if min(ratios) >= target else "**misses**"
    spread = f"{min(ratios):.2f}–{max(ratios):.2f}" if len(ratios) > 1 else f"{ratios[0]:.2f}"
    anchors = " / ".join(f"{anchor_rate:,.0f}" for anchor_rate, _ in rounds)
    docents = " / ".join(f"{docent_rate:,.0f}" for _, docent_rate in rounds)
    return (f"| {measure} | {anchor} | {anchors} /s | {docent} | {docents} /s | "
            f"**{spread}** (≥ {target}: {verdict}) |")


def _extraction_round(bench, workspace, round_number: int) -> tuple[float, float]:
    files = [bench.pdf_of(10, 500 + 100 * round_number + n) for n in range(FILES)]
    passages, docent = _worker_seconds(bench, workspace, files, f"plain{round_number}")
    bare = _bare_pypdf_seconds(files)
    return passages / bare, passages / docent


def _model_round(bench, workspace, folder: str, round_number: int) -> tuple[float, float]:
    prefix = f"embedded{round_number}"
    files = [bench.pdf_of(10, 5000 + 100 * round_number + n) for n in range(FILES)]
    passages, docent = _worker_seconds(bench, workspace, files, prefix)
    texts = list(DocumentPassage.objects.filter(document__filename__startswith=f"{prefix}-")
                 .values_list("text", flat=True))
    return len(texts) / _bare_onnx_seconds(folder, texts), passages / docent


def ratio_lines(bench, workspace) -> list[str]:
    """Each measure in ROUNDS rounds, the anchor measured right after Docent in each: the ratio's range."""
    lines = ["| measure | anchor | anchor, each round | Docent | Docent, each round | ratio |",
             "|---|---|---:|---|---:|---|"]
    setting_set(label="embedding_provider", value="none")
    _vacuumed()
    rounds = [_extraction_round(bench, workspace, n) for n in range(ROUNDS)]
    lines.append(_row(f"{FILES} PDFs of 10 pages, no embeddings", "bare pypdf extraction", "one worker",
                      rounds, 0.5))
    bench.log(lines[-1])
    folder = settings.EMBEDDING_MODEL_DIR or os.environ.get("EMBEDDING_MODEL_DIR", "")
    if folder:
        # The passages read without a model would be embedded by the worker's background backfill
        # (`retrieval.backfill`) in the middle of the timed runs: they go first.
        WorkspaceDocument.objects.filter(workspace=workspace).delete()
        setting_set(label="embedding_provider", value="local")
        rounds = [_model_round(bench, workspace, folder, n) for n in range(ROUNDS)]
        lines.append(_row(f"{FILES} PDFs of 10 pages, local model", "bare ONNX Runtime loop", "one worker",
                          rounds, 0.85))
        bench.log(lines[-1])
        setting_set(label="embedding_provider", value="none")
    else:
        lines.append("| local model | (set EMBEDDING_MODEL_DIR to measure) | | | | |")
    if connection.vendor == "postgresql":
        # Each measure between two runs without triggers, against their mean: the machine's speed drifts
        # by more than the triggers cost from one 10-second run to the next.
        rounds, bulk_rounds = [], []
        _vacuumed()
        for _ in range(ROUNDS):
            before = _insert_seconds(workspace, triggers=False)
            with_triggers = _insert_seconds(workspace, triggers=True)
            between = _insert_seconds(workspace, triggers=False)
            bulk = _insert_seconds(workspace, triggers=True, bulk=True)
            after = _insert_seconds(workspace, triggers=False)
            rounds.append((2 * TRIGGER_PASSAGES / (before + between), TRIGGER_PASSAGES / with_triggers))
            bulk_rounds.append((2 * TRIGGER_PASSAGES / (between + after), TRIGGER_PASSAGES / bulk))
        lines.append(_row(f"{TRIGGER_PASSAGES:,} passage inserts", "inserts without triggers", "with the triggers",
                          rounds, 0.9))
        lines.append(_row(f"{TRIGGER_PASSAGES:,} passage inserts in a bulk load", "inserts without triggers",
                          "statistics rebuilt once", bulk_rounds, 0.9))
        bench.log("\n".join(lines[-2:]))
    return lines
