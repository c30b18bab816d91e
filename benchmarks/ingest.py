"""`make bench-ingest`: background ingestion figures (docs/benchmarks.md, "Ingestion").

    make bench-ingest                                                         # SQLite, a throwaway file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench make bench-ingest   # PostgreSQL

1. The web worker's time per upload request by file size: the request checks, hashes,
   stores and queues; it must not grow with the file beyond reading it.
2. Throughput of one ingestion worker (a real `manage.py ingestion_worker` process):
   passages per second, from the first task claimed to the last document ready.
3. Queue latency, upload to ready, for a 1-page and a 300-page PDF with 0 and with 50
   documents (10-page PDFs) already queued ahead of it.
4. The ratios against bare extraction, a bare ONNX loop and trigger-less inserts
   (benchmarks/ingest_ratios.py). BENCH_INGEST_ONLY=ratios runs only these.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'docent-bench-ingest.sqlite3'}")
os.environ.setdefault("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "docent-bench-ingest-media"))
os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from accounts.models import User  # noqa: E402
from benchmarks import ingest_ratios  # noqa: E402
from tests.workspaces.documents.sample_files import pdf_bytes  # noqa: E402
from workspaces.documents.ingestion import document_process  # noqa: E402
from workspaces.documents.models import ACTIVE_STATUSES, DocumentStatus  # noqa: E402
from workspaces.documents.services import document_ingest  # noqa: E402
from workspaces.models import Workspace, WorkspaceDocument  # noqa: E402
from workspaces.services import workspace_delete  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench-ingest"
# Words of letters only: the PDF reader drops a line that, digits aside, tops most pages (a running
# header), so pages of "w1 w2 …" would all read as one header and leave nothing.
WORDS = ["".join("bcdfghjklmnprstvz"[n // 17 ** k % 17] + "aeiou"[n // 5 ** k % 5] for k in range(3))
         for n in range(5000)]
UPLOAD_SIZES_MB = [1, 5, 10, 20]
THROUGHPUT_DOCUMENTS = int(os.environ.get("BENCH_THROUGHPUT_DOCUMENTS", 40))


def log(message):
    print(message, file=sys.stderr, flush=True)


def text_of(words: int, seed: int) -> str:
    return " ".join(WORDS[(seed * 7919 + n * 31) % len(WORDS)] for n in range(words))


def pdf_of(pages: int, seed: int) -> bytes:
    return pdf_bytes([f"Page {page} of {seed}. " + text_of(250, seed + page) for page in range(pages)])


def fresh_workspace() -> Workspace:
    for old in Workspace.objects.filter(slug=SLUG):
        workspace_delete(workspace=old)
    DBTaskResult.objects.all().delete()
    return Workspace.objects.create(name="Bench ingest", slug=SLUG)


def queue(workspace, name, content: bytes) -> WorkspaceDocument:
    return document_ingest(workspace=workspace, uploaded_file=ContentFile(content, name=name), filename=name)


def wait_ready(ids, timeout=1800) -> float:
    deadline = time.monotonic() + timeout
    rows = WorkspaceDocument.objects.filter(pk__in=ids)
    while rows.filter(status__in=ACTIVE_STATUSES).exists():
        if time.monotonic() > deadline:
            raise RuntimeError("documents did not finish")
        time.sleep(0.05)
    failed = rows.filter(status=DocumentStatus.FAILED).values_list("filename", "status_reason")
    if failed:
        raise RuntimeError(f"failed: {list(failed)}")
    return time.monotonic()


def start_worker():
    return subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "ingestion_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05",
         "--verbosity", "0"],
        cwd=ROOT, env=os.environ.copy(),
    )


def section_upload_requests(workspace) -> list[str]:
    admin = User.objects.filter(role="admin").first() or User.objects.create_user("bench-admin", "x" * 12,
                                                                                  role="admin")
    client = Client()
    client.force_login(admin)
    url = reverse("workspaces:upload", kwargs={"slug": workspace.slug})
    lines = ["| file | request (store, checksum, queue) | processing the same file inline |", "|---|---:|---:|"]
    for megabytes in UPLOAD_SIZES_MB:
        content = text_of(megabytes * 1024 * 1024 // 6, megabytes).encode()
        timings = []
        for attempt in range(3):
            upload = ContentFile(content + f" {attempt}".encode(), name=f"size-{megabytes}-{attempt}.txt")
            started = time.perf_counter()
            response = client.post(url, {"documents": upload}, HTTP_ACCEPT="application/json")
            timings.append(time.perf_counter() - started)
            assert response.status_code == 201, response.content
        document = WorkspaceDocument.objects.get(filename=f"size-{megabytes}-0.txt")
        started = time.perf_counter()
        document_process(document_id=document.pk, attempt=document.attempts)
        inline = time.perf_counter() - started
        lines.append(f"| {len(content) / 1048576:.0f} MB text | {statistics.median(timings) * 1000:,.0f} ms | "
                     f"{inline:,.1f} s |")
        log(lines[-1])
    return lines


def section_throughput(workspace) -> list[str]:
    ids = [queue(workspace, f"through-{n}.txt", text_of(16_200, n).encode()).pk for n in range(THROUGHPUT_DOCUMENTS)]
    worker = start_worker()
    try:
        first_claim = None
        while first_claim is None:
            first_claim = (WorkspaceDocument.objects.filter(pk__in=ids).exclude(status=DocumentStatus.QUEUED)
                           .exists() or None) and time.monotonic()
            time.sleep(0.01)
        finished = wait_ready(ids)
    finally:
        worker.terminate()
        worker.wait()
    passages = sum(d.metadata["passage_count"] for d in WorkspaceDocument.objects.filter(pk__in=ids))
    rate = passages / (finished - first_claim)
    line = (f"| one worker, {THROUGHPUT_DOCUMENTS} text documents of 100 passages | {passages:,} passages in "
            f"{finished - first_claim:.1f} s | **{rate:,.0f} passages/s** |")
    log(line)
    return ["| run | work | throughput |", "|---|---|---:|", line]


def section_latency(workspace) -> list[str]:
    lines = ["| document | queued ahead | upload to ready |", "|---|---:|---:|"]
    worker = start_worker()
    try:
        wait_ready([queue(workspace, "warm-up.txt", b"The worker has started.").pk])
        for pages in (1, 300):
            for ahead in (0, 50):
                backlog = [queue(workspace, f"ahead-{pages}-{ahead}-{n}.pdf", pdf_of(10, 1000 * pages + n)).pk
                           for n in range(ahead)]
                started = time.monotonic()
                target = queue(workspace, f"target-{pages}-{ahead}.pdf", pdf_of(pages, 7 + pages + ahead))
                done = wait_ready([target.pk, *backlog])
                target.refresh_from_db()
                lines.append(f"| {pages}-page PDF ({target.metadata['passage_count']} passages) | {ahead} | "
                             f"{done - started:,.1f} s |")
                log(lines[-1])
    finally:
        worker.terminate()
        worker.wait()
    return lines


def main():
    call_command("migrate", verbosity=0)
    from django.db import connection

    log(f"Database: {connection.vendor}")
    workspace = fresh_workspace()
    report = [f"Database: {connection.vendor}, load average {os.getloadavg()[0]:.1f}", ""]
    if os.environ.get("BENCH_INGEST_ONLY") != "ratios":
        report += [*section_upload_requests(workspace), ""]
        report += [*section_throughput(workspace), ""]
        report += [*section_latency(workspace), ""]
    report += ingest_ratios.ratio_lines(sys.modules[__name__], workspace)
    workspace_delete(workspace=workspace)
    print("\n".join(report))


if __name__ == "__main__":
    main()
