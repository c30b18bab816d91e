"""`make bench`: how fast the member pages and search are with a large workspace.

Seeds a dedicated workspace (slug `bench`, deleted and re-created on every run)
with 10,000 documents and 200,000 passages in the configured database, then
times real requests through django.test.Client as a signed-in member and
prints the median and 95th percentile of each.

    make bench                                                        # SQLite, a throwaway file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench make bench  # PostgreSQL

Without DATABASE_URL the bench uses its own SQLite file in the temporary
folder, never the project's database; MEDIA_ROOT likewise defaults to a
temporary folder. Sizes come from BENCH_DOCUMENTS, BENCH_PASSAGES,
BENCH_PASSAGE_WORDS, BENCH_INGEST_DOCUMENTS and BENCH_REPEAT; BENCH_SECTIONS runs only
some sections, and BENCH_REUSE=1 keeps the workspace an earlier run seeded.

Each section is a function `(Bench) -> list[Result]` listed in SECTIONS, so a
later section (answering) is one more function and one more line there.
"""

import hashlib
import itertools
import logging
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'docent-bench.sqlite3'}")
os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "docent-bench-media"))
# This host's search index folders, one set per bench database.
_DATABASE_HASH = hashlib.sha256(os.environ["DATABASE_URL"].encode()).hexdigest()[:8]
os.environ.setdefault("SEARCH_INDEX_DIR", str(Path(tempfile.gettempdir()) / f"docent-bench-index-{_DATABASE_HASH}"))
# One process: the memory cache, as every figure in docs/benchmarks.md was measured with.
os.environ.setdefault("CACHE_URL", "locmemcache://")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from benchmarks import bench_engine  # noqa: E402
from workspaces.documents.ingestion import document_process  # noqa: E402
from workspaces.documents.models import DocumentStatus  # noqa: E402
from workspaces.documents.services import document_ingest  # noqa: E402
from workspaces.models import (  # noqa: E402
    DocumentPassage,
    Workspace,
    WorkspaceChat,
    WorkspaceDocument,
    WorkspaceUser,
)
from workspaces.retrieval.query import query_terms  # noqa: E402
from workspaces.retrieval.search_index import search_index_build  # noqa: E402

DOCUMENTS = int(os.environ.get("BENCH_DOCUMENTS", 10_000))
PASSAGES = int(os.environ.get("BENCH_PASSAGES", 200_000))
PASSAGE_WORDS = int(os.environ.get("BENCH_PASSAGE_WORDS", 200))  # the passage_size_words default
INGEST_DOCUMENTS = int(os.environ.get("BENCH_INGEST_DOCUMENTS", 100))
REPEAT = int(os.environ.get("BENCH_REPEAT", 50))
VOCABULARY_SIZE = 20_000
BATCH = 5_000
SLUG = "bench"
MEMBER = "bench-member"


@dataclass
class Result:
    name: str
    unit: str = "ms"
    samples: list[float] = field(default_factory=list)
    value: float | None = None  # for a single figure such as a rate

    def summary(self) -> str:
        if self.value is not None:
            return f"{self.name:<52} {self.value:>12,.0f} {self.unit}"
        ordered = sorted(self.samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return f"{self.name:<52} median {statistics.median(ordered):8.1f} ms   p95 {p95:8.1f} ms   (n={len(ordered)})"


@dataclass
class Bench:
    workspace: Workspace
    client: Client
    vocabulary: list[str]
    rng: random.Random


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def make_vocabulary(rng: random.Random) -> list[str]:
    """Pronounceable made-up words, most common first (used with a Zipf-like weighting)."""
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    words = set()
    while len(words) < VOCABULARY_SIZE:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words, key=lambda word: (len(word), word))


def text_source(bench_rng: random.Random, vocabulary: list[str]):
    cumulative = list(itertools.accumulate(1 / rank for rank in range(1, len(vocabulary) + 1)))

    def words(count: int) -> str:
        return " ".join(bench_rng.choices(vocabulary, cum_weights=cumulative, k=count))

    return words


def timed(client: Client, urls: list[str], name: str) -> Result:
    client.get(urls[0])  # warm caches (settings, session) once
    result = Result(name)
    for number in range(REPEAT):
        url = urls[number % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        result.samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return result


def refuse_a_real_database() -> None:
    """The bench deletes and re-creates data: only in a database named for it."""
    name = str(connection.settings_dict["NAME"])
    if "bench" not in name and not os.environ.get("BENCH_ANY_DATABASE"):
        sys.exit(f"Refusing to run in database {name!r}: use one whose name contains 'bench' "
                 "(or set BENCH_ANY_DATABASE=1).")


def reuse() -> Bench | None:
    """With BENCH_REUSE=1, the bench workspace an earlier run seeded, when it holds every passage."""
    if not os.environ.get("BENCH_REUSE"):
        return None
    refuse_a_real_database()
    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.filter(slug=SLUG).first()
    if workspace is None or DocumentPassage.objects.filter(document__workspace=workspace).count() < PASSAGES:
        return None
    return bench_for(workspace, User.objects.get(username=MEMBER))


def reset() -> Bench:
    """Delete the previous bench workspace and member, create them afresh."""
    refuse_a_real_database()
    call_command("migrate", verbosity=0)
    old = Workspace.objects.filter(slug=SLUG).first()
    if old is not None:
        log("Deleting the previous bench workspace…")
        started = time.perf_counter()
        for docpath in old.documents.values_list("docpath", flat=True).iterator():
            default_storage.delete(docpath)
        with transaction.atomic():
            DocumentPassage.objects.filter(document__workspace=old).delete()
            old.documents.all().delete()
            old.delete()
        log(f"  deleted in {time.perf_counter() - started:.1f} s")
    User.objects.filter(username=MEMBER).delete()
    workspace = Workspace.objects.create(name="Bench", slug=SLUG)
    member = User.objects.create_user(MEMBER, password=None)
    WorkspaceUser.objects.create(user=member, workspace=workspace)
    return bench_for(workspace, member)


def bench_for(workspace: Workspace, member: User) -> Bench:
    """The bench over `workspace`, asked by `member` signed in, with the seeded vocabulary."""
    client = Client()
    client.force_login(member)
    rng = random.Random(20261125)
    return Bench(workspace=workspace, client=client, vocabulary=make_vocabulary(rng), rng=rng)


def section_import(bench: Bench) -> list[Result]:
    """Seed the workspace: most rows in bulk, then some documents through the real upload pipeline."""
    words = text_source(bench.rng, bench.vocabulary)
    ingest_passages = INGEST_DOCUMENTS * (PASSAGES // DOCUMENTS)
    seed_documents, seed_passages = DOCUMENTS - INGEST_DOCUMENTS, PASSAGES - ingest_passages
    per_document = seed_passages // seed_documents
    log(f"Seeding {seed_documents:,} documents and {seed_passages:,} passages of {PASSAGE_WORDS} words…")

    insert_seconds = 0.0
    metadata = {"content_type": "text/plain", "size": PASSAGE_WORDS * per_document * 7, "page_count": None,
                "word_count": PASSAGE_WORDS * per_document, "passage_count": per_document}
    rows = [
        WorkspaceDocument(
            workspace=bench.workspace,
            filename=f"{words(2)} {number:05}.txt",
            docpath=f"documents/{bench.workspace.pk}/seeded-{number}.txt",
            metadata={**metadata, "title": words(3), "sha256": f"seeded-{number}"},
            status=DocumentStatus.READY,  # searched and cited like any processed document
        )
        for number in range(seed_documents)
    ]
    started = time.perf_counter()
    WorkspaceDocument.objects.bulk_create(rows, batch_size=BATCH)
    insert_seconds += time.perf_counter() - started
    document_ids = list(bench.workspace.documents.order_by("pk").values_list("pk", flat=True))
    written = 0
    for first in range(0, len(document_ids), BATCH // per_document):
        batch = [
            DocumentPassage(document_id=document_id, position=position, text=words(PASSAGE_WORDS))
            for document_id in document_ids[first:first + BATCH // per_document]
            for position in range(1, per_document + 1)
        ]
        started = time.perf_counter()
        with transaction.atomic():
            DocumentPassage.objects.bulk_create(batch, batch_size=BATCH)
        insert_seconds += time.perf_counter() - started
        written += len(batch)
        if written % 50_000 < len(batch):
            log(f"  {written:,} passages, {written / insert_seconds:,.0f}/s")

    log(f"Ingesting {INGEST_DOCUMENTS} documents through document_ingest…")
    size, overlap = 200, 40
    document_words = (PASSAGES // DOCUMENTS - 1) * (size - overlap) + size
    ingested = 0
    started = time.perf_counter()
    for number in range(INGEST_DOCUMENTS):
        text = f"Bench upload {number}\n\n{words(document_words - 3)}"
        document = document_ingest(
            workspace=bench.workspace, uploaded_file=ContentFile(text.encode(), name=f"upload-{number}.txt"),
            filename=f"upload-{number}.txt",
        )
        # The upload queues; the bench runs the ingestion task in this process, as a worker would.
        document_process(document_id=document.pk, attempt=document.attempts)
        document.refresh_from_db()
        ingested += document.metadata["passage_count"]
    ingest_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE document_passages; ANALYZE workspace_documents")
    log(f"  workspace now holds {bench.workspace.documents.count():,} documents and "
        f"{DocumentPassage.objects.filter(document__workspace=bench.workspace).count():,} passages")
    return [
        Result("seed: passages indexed per second (bulk insert)", unit="passages/s", value=written / insert_seconds),
        Result("upload pipeline: passages indexed per second", unit="passages/s", value=ingested / ingest_seconds),
        Result("upload pipeline: documents per second", unit="documents/s", value=INGEST_DOCUMENTS / ingest_seconds),
    ]


def section_pages(bench: Bench) -> list[Result]:
    workspace_url = reverse("workspaces:detail", kwargs={"slug": SLUG})
    doc_ids = list(bench.workspace.documents.order_by("?").values_list("doc_id", flat=True)[:REPEAT])
    document_urls = [reverse("workspaces:document", kwargs={"slug": SLUG, "doc_id": doc_id}) for doc_id in doc_ids]
    middle = DOCUMENTS // 50 // 2
    return [
        timed(bench.client, [workspace_url], "workspace page (newest first)"),
        timed(bench.client, [f"{workspace_url}?sort=name&page={middle}"], f"workspace page (by name, page {middle})"),
        timed(bench.client, [f"{workspace_url}?q={bench.vocabulary[3][:4]}"], "workspace page (file name filter)"),
        timed(bench.client, document_urls, "document page (random documents)"),
    ]


def query_groups(vocabulary: list[str]) -> dict[str, list[str]]:
    return {
        "a rare word": [vocabulary[rank] for rank in (5_000, 9_000, 12_000, 15_000, 18_000)],
        "a mid-frequency word": [vocabulary[rank] for rank in (150, 300, 600, 900, 1_200)],
        "a word in most passages": [vocabulary[rank] for rank in (0, 3, 7, 12, 20)],
        "three words": [" ".join(vocabulary[r] for r in (rank, rank * 7 + 50, rank * 31 + 900))
                        for rank in (10, 40, 90, 160, 250)],
    }


def section_search(bench: Bench) -> list[Result]:
    search_url = reverse("workspaces:search", kwargs={"slug": SLUG})
    started = time.perf_counter()
    passages = search_index_build(workspace=bench.workspace)  # as `manage.py search_index_build` at deploy
    results = [Result(f"search index: {passages:,} passages built in", unit="s", value=time.perf_counter() - started)]
    for label, queries in query_groups(bench.vocabulary).items():
        share = statistics.mean(matching_share(bench.workspace, query) for query in queries)
        name = f"search: {label} ({share:.1%} match)"
        results.append(timed(bench.client, [f"{search_url}?q={query}" for query in queries], name))
    return results


@dataclass
class Line:
    text: str

    def summary(self) -> str:
        return self.text


def section_engine(bench: Bench) -> list[Line]:
    """BM25 ranking against tantivy itself over the same passages (benchmarks/bench_engine.py)."""
    search_index_build(workspace=bench.workspace)
    timings = bench_engine.compare(bench.workspace, query_groups(bench.vocabulary), max(REPEAT, 40))
    return [Line(line) for line in bench_engine.report(timings)]


def matching_share(workspace: Workspace, query: str) -> float:
    """The share of the workspace's passages that match `query` (any of its words), by the same index."""
    terms = query_terms(query)
    if connection.vendor == "sqlite":
        sql = (
            "SELECT count(*) FROM document_passages_fts JOIN document_passages p ON p.id = document_passages_fts.rowid "
            'JOIN workspace_documents d ON d.id = p."documentId" WHERE document_passages_fts MATCH %s '
            'AND d."workspaceId" = %s'
        )
        match = " OR ".join(f'"{term}"' for term in terms)
    else:
        sql = (
            'SELECT count(*) FROM document_passages p JOIN workspace_documents d ON d.id = p."documentId" '
            "WHERE p.search_vector @@ websearch_to_tsquery('english', %s) AND d.\"workspaceId\" = %s"
        )
        match = " or ".join(terms)
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, workspace.pk])
        matches = cursor.fetchone()[0]
    return matches / PASSAGES


CHATS = int(os.environ.get("BENCH_CHATS", 100_000))


def section_answering(bench: Bench) -> list[Result]:
    """Retrieval answers over the big workspace, then the chat page with CHATS chats in it."""
    chat_url = reverse("workspaces:chat", kwargs={"slug": SLUG})
    member = User.objects.get(username=MEMBER)
    vocabulary = bench.vocabulary
    # Answered: two words of the corpus. Refused: the question also names words no passage
    # holds ("documents", "say"), so nothing is relevant enough; in chat mode the question is
    # then searched again together with the previous one before "no document answers that".
    asked = {
        "answer: retrieval, ask and store (POST)": [
            f"What about {vocabulary[rank]} and {vocabulary[rank * 13 + 400]}?" for rank in range(60, 60 + REPEAT)
        ],
        "answer refused: two searches, ask and store (POST)": [
            f"What do the documents say about {vocabulary[rank]} and {vocabulary[rank * 13 + 400]}?"
            for rank in range(60 + REPEAT, 60 + 2 * REPEAT)
        ],
    }
    answer_results = []
    with override_settings(CHAT_RATE_LIMIT_PER_MINUTE=0):
        for name, prompts in asked.items():
            result = Result(name)
            for prompt in prompts:
                started = time.perf_counter()
                response = bench.client.post(chat_url, {"prompt": prompt})
                result.samples.append((time.perf_counter() - started) * 1000)
                if response.status_code != 302:
                    raise RuntimeError(f"asking answered {response.status_code}")
            answer_results.append(result)

    # A reused workspace keeps the chats of earlier runs: start again from the ones just asked,
    # so that every run measures the chat page over the same number of chats.
    WorkspaceChat.objects.filter(workspace=bench.workspace).exclude(
        pk__in=WorkspaceChat.objects.filter(workspace=bench.workspace).order_by("-pk")[:2 * REPEAT].values("pk")
    ).delete()
    log(f"Seeding {CHATS:,} chats…")
    words = text_source(bench.rng, vocabulary)
    doc_id = str(bench.workspace.documents.values_list("doc_id", flat=True).first())
    sources = [{"doc_id": doc_id, "filename": "seeded.txt", "position": n, "quote": words(60), "score": 1.0}
               for n in range(1, 5)]
    for first in range(0, CHATS, BATCH):
        WorkspaceChat.objects.bulk_create(
            [
                WorkspaceChat(workspace=bench.workspace, user=member, prompt=words(12),
                              response={"text": words(80), "sources": sources, "provider": "retrieval"})
                for _ in range(min(BATCH, CHATS - first))
            ],
            batch_size=BATCH,
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE workspace_chats")
    chat_count = WorkspaceChat.objects.filter(workspace=bench.workspace).count()
    middle_url = f"{chat_url}?page={chat_count // 20 // 2}"
    pages = [
        timed(bench.client, [chat_url],
              f"chat page, newest ({chat_count:,} chats; {queries(bench.client, chat_url)} q)"),
        timed(bench.client, [middle_url], f"chat page, middle page ({queries(bench.client, middle_url)} q)"),
    ]
    return [*answer_results, *pages]


def queries(client: Client, url: str) -> int:
    """How many SQL queries one GET of `url` costs."""
    connection.queries_log.clear()  # the request_started signal resets it too; start from empty
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured)


def section_hybrid(bench: Bench) -> list[Result]:
    """Search and answers again with semantic search on (issue 14), when EMBEDDING_MODEL_DIR is set.

    Embedding 200,000 passages with the real model takes hours on 2 CPUs, so the passages get
    random unit vectors under the model's name (the search does the same work whatever the
    values); the query is embedded by the real model on every request."""
    import numpy as np

    from settings_app.services import setting_set
    from workspaces.retrieval.embeddings import embedder_current
    from workspaces.retrieval.models import PassageVector
    from workspaces.retrieval.vectors import (
        from_bytes,
        pgvector_index_ensure,
        pgvector_ready,
        pgvector_store,
        to_bytes,
        vectors_changed,
    )

    if not os.environ.get("EMBEDDING_MODEL_DIR"):
        log("hybrid skipped: EMBEDDING_MODEL_DIR is not set")
        return []
    if connection.vendor == "postgresql" and not pgvector_ready():
        log("hybrid skipped: this PostgreSQL has no pgvector")
        return []
    setting_set(label="embedding_provider", value="local")
    embedder = embedder_current()
    dimensions = embedder.embed(["probe"]).shape[1]
    rng = np.random.default_rng(7)
    ids = list(DocumentPassage.objects.filter(document__workspace=bench.workspace, vector__isnull=True)
               .values_list("pk", flat=True))
    if ids and pgvector_ready():
        with connection.cursor() as cursor:  # built once after the fill: far faster than row by row
            cursor.execute(f"DROP INDEX IF EXISTS passage_vectors_hnsw_{int(dimensions)}")
    log(f"Storing {len(ids):,} random vectors…")
    for first in range(0, len(ids), BATCH):
        chunk = ids[first:first + BATCH]
        matrix = rng.standard_normal((len(chunk), dimensions)).astype(np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        with transaction.atomic():
            PassageVector.objects.bulk_create([
                PassageVector(passage_id=pid, model=embedder.name, dimensions=dimensions, text_sha256="-",
                              vector=to_bytes(vector)) for pid, vector in zip(chunk, matrix, strict=True)
            ], batch_size=BATCH)
    if ids and pgvector_ready():
        log("  filling pgvector's column from the stored bytes…")
        for first in range(0, len(ids), BATCH):  # (pgvector_backfill would build the index first)
            rows = PassageVector.objects.filter(passage_id__in=ids[first:first + BATCH]).values_list(
                "passage_id", "vector"
            )
            pgvector_store([(pid, from_bytes(data)) for pid, data in rows])
        log("  building the HNSW index…")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            pgvector_index_ensure(dimensions)
            cursor.execute("ANALYZE passage_vectors")
        log(f"  built in {time.perf_counter() - started:.0f} s")
    vectors_changed(workspace_id=bench.workspace.pk, model=embedder.name)
    bench.workspace.semantic_weight = 0.5
    bench.workspace.save()
    search_url = reverse("workspaces:search", kwargs={"slug": SLUG})
    chat_url = reverse("workspaces:chat", kwargs={"slug": SLUG})
    vocabulary = bench.vocabulary
    searches = [f"{search_url}?q={vocabulary[rank]}+{vocabulary[rank * 7 + 50]}" for rank in range(40, 40 + REPEAT)]
    bench.client.get(searches[0])  # loads the model and, on SQLite, the workspace's vector matrix
    results = [timed(bench.client, searches, "hybrid search: two words")]
    answer_result = Result("hybrid answer: retrieval, ask and store (POST)")
    with override_settings(CHAT_RATE_LIMIT_PER_MINUTE=0):
        for rank in range(70, 70 + REPEAT):
            started = time.perf_counter()
            bench.client.post(chat_url, {"prompt": f"What about {vocabulary[rank]} and {vocabulary[rank * 11]}?"})
            answer_result.samples.append((time.perf_counter() - started) * 1000)
    setting_set(label="embedding_provider", value="none")
    return [*results, answer_result]


SECTIONS = [section_import, section_pages, section_search, section_engine, section_answering, section_hybrid]


def database_version() -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    return f"PostgreSQL {connection.pg_version // 10_000}.{connection.pg_version % 100}"


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    logging.getLogger("docent.audit").setLevel(logging.WARNING)
    staticfiles = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(
        STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": staticfiles},
        ALLOWED_HOSTS=["testserver"],
    ):
        started = time.perf_counter()
        bench = reuse()
        seeded = bench is not None
        bench = bench or reset()
        results = []
        wanted = os.environ.get("BENCH_SECTIONS", "")  # e.g. "import,search,hybrid" (import runs unless reused)
        for section in SECTIONS:
            name = section.__name__.removeprefix("section_")
            if seeded and name == "import":
                log("== import: reusing the bench workspace (BENCH_REUSE=1)")
                continue
            if wanted and name != "import" and name not in wanted.split(","):
                continue
            log(f"== {name}")
            done = section(bench)
            for result in done:
                log(f"   {result.summary()}")
            results.extend(done)
        print(
            f"\nDocent bench · {database_version()} · {DOCUMENTS:,} documents, {PASSAGES:,} passages of "
            f"{PASSAGE_WORDS} words · {os.cpu_count()} CPUs · Python {platform.python_version()}"
        )
        for result in results:
            print(result.summary())
        print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
