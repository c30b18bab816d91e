"""`make eval`: retrieval and built-in answers measured on ../shared/eval/squad-open.json.

Each article becomes one text file imported with the product's own import command
(`manage.py import_documents --inline`: read, split, indexed and, with a model set, embedded in the
command), then every
answerable question is asked through `workspaces.chats.answering.answer`, the code
the chat page runs, with the workspace's defaults (4 sources, its threshold). Per
configuration (SQLite / PostgreSQL x lexical / hybrid):

- recall@1 and recall@4: a gold answer occurs in the first / any of the retrieved
  passages (`retrieve_passages`, the sources every provider is given);
- first sentence: the built-in answer's first quote holds a gold answer;
- off-topic refused: the last article's questions asked in a second workspace holding
  every other article, answered "no document answers that" (the threshold's job);
- unanswerable refused: the same for the set's unanswerable (on-topic) questions;
- time: median and p95 of one answer (retrieval + composing).

PostgreSQL runs on a throwaway PostgreSQL 16 with pgvector from the `pgserver` wheel
(benchmarks/pgserver.py), on EVAL_PG_PORT. Hybrid needs EMBEDDING_MODEL_DIR.
Usage: python -m benchmarks.eval [--db sqlite|postgresql] [--mode lexical|hybrid] [--limit N]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATASET = Path(os.environ.get("EVAL_DATASET", ROOT.parent / "shared" / "eval" / "squad-open.json"))
PG_PORT = int(os.environ.get("EVAL_PG_PORT", "0"))  # 0: a free one


def run_one(db: str, mode: str, limit: int | None) -> dict:
    """One configuration in a fresh database, in a child process (Django is configured once per process)."""
    with tempfile.TemporaryDirectory(prefix="docent-eval-") as folder:
        env = dict(os.environ, DEBUG="0", SECRET_KEY="eval-only", ALLOWED_HOSTS="localhost",
                   MEDIA_ROOT=str(Path(folder) / "media"), EVAL_FOLDER=folder)
        server = None
        if db == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{folder}/eval.sqlite3"
        else:
            from benchmarks.pgserver import PgServer

            server = PgServer(Path(folder) / "pg", port=PG_PORT).start()
            env["DATABASE_URL"] = server.url("eval")
        try:
            args = [sys.executable, "-m", "benchmarks.eval", "--child", "--mode", mode]
            if limit:
                args += ["--limit", str(limit)]
            result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        finally:
            if server:
                server.stop()
        if result.returncode != 0:
            raise SystemExit(f"{db}/{mode} failed:\n{result.stderr[-4000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])


def child(mode: str, limit: int | None) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    from settings_app.services import setting_set
    from workspaces.chats.answering import NO_ANSWER, answer, retrieve_passages
    from workspaces.models import Workspace

    call_command("migrate", verbosity=0)
    setting_set(label="max_upload_mb", value=50)
    setting_set(label="embedding_provider", value="local" if mode == "hybrid" else "none")
    workspace = Workspace.objects.create(name="squad")
    if os.environ.get("EVAL_THRESHOLD"):
        workspace.similarity_threshold = float(os.environ["EVAL_THRESHOLD"])
        workspace.save()
    data = json.loads(DATASET.read_text())["data"]
    folder = Path(os.environ["EVAL_FOLDER"]) / "articles"
    folder.mkdir()
    for article in data:
        text = "\n\n".join(paragraph["context"] for paragraph in article["paragraphs"])
        (folder / f"{article['title']}.txt").write_text(text)
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("import_documents", workspace.slug, str(folder), "--inline", verbosity=0, stdout=quiet)
    import_seconds = time.perf_counter() - started
    questions = [q for a in data for p in a["paragraphs"] for q in p["qas"]]
    answerable = [q for q in questions if not q.get("is_impossible")]
    impossible = [q for q in questions if q.get("is_impossible")]
    if limit:
        answerable, impossible = answerable[:limit], impossible[:limit]
    at1 = at4 = first = 0
    times = []
    for question in answerable:
        golds = [a["text"].lower() for a in question["answers"]]
        hits = retrieve_passages(workspace=workspace, prompt=question["question"], history=[])
        texts = [hit.text.lower() for hit in hits]
        at1 += bool(texts) and any(g in texts[0] for g in golds)
        at4 += any(g in t for t in texts[:4] for g in golds)
        begun = time.perf_counter()
        stored = answer(workspace=workspace, prompt=question["question"], history=[])
        times.append((time.perf_counter() - begun) * 1000)
        quotes = [line for line in stored.text.split("\n\n") if line.startswith("> ")]
        first += bool(quotes) and any(g in quotes[0].lower() for g in golds)
    refused = sum(
        answer(workspace=workspace, prompt=q["question"], history=[]).text == NO_ANSWER for q in impossible
    )
    # Off-topic: the last article's questions in a workspace holding every other article.
    held_out = data[-1]
    others = Workspace.objects.create(name="squad without one article")
    others.similarity_threshold = workspace.similarity_threshold
    others.save()
    (folder / f"{held_out['title']}.txt").unlink()
    with open(os.devnull, "w") as quiet:
        call_command("import_documents", others.slug, str(folder), "--inline", verbosity=0, stdout=quiet)
    off_topic = [q for p in held_out["paragraphs"] for q in p["qas"] if not q.get("is_impossible")]
    if limit:
        off_topic = off_topic[:limit]
    off_refused = sum(answer(workspace=others, prompt=q["question"], history=[]).text == NO_ANSWER for q in off_topic)
    relevance_on = _top_relevance(workspace, answerable)
    relevance_off = _top_relevance(others, off_topic)
    times.sort()
    return {
        "questions": len(answerable), "recall@1": round(at1 / len(answerable), 3),
        "recall@4": round(at4 / len(answerable), 3), "first_sentence": round(first / len(answerable), 3),
        "refused_unanswerable": round(refused / max(1, len(impossible)), 3),
        "median_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "import_s": round(import_seconds, 1),
        "refused_off_topic": round(off_refused / max(1, len(off_topic)), 3),
        "relevance_answerable": relevance_on, "relevance_off_topic": relevance_off,
    }


def _top_relevance(workspace, questions):
    """Percentiles (10/25/50/75/90) of the best passage's relevance, threshold off: for calibrating it."""
    from workspaces.retrieval.search import search_passages

    values = sorted(
        max((hit.relevance for hit in search_passages(workspace=workspace, query=q["question"], limit=4)), default=0)
        for q in questions
    )
    return [round(values[int(share * (len(values) - 1))], 3) for share in (0.1, 0.25, 0.5, 0.75, 0.9)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], action="append")
    parser.add_argument("--mode", choices=["lexical", "hybrid"], action="append")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.mode[0], args.limit)))
        return
    modes = args.mode or (["lexical", "hybrid"] if os.environ.get("EMBEDDING_MODEL_DIR") else ["lexical"])
    print("| database | retrieval | recall@1 | recall@4 | first sentence | off-topic refused "
          "| unanswerable refused | median | p95 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for db in args.db or ["sqlite", "postgresql"]:
        for mode in modes:
            r = run_one(db, mode, args.limit)
            print(f"| {db} | {mode} | {r['recall@1']} | {r['recall@4']} | {r['first_sentence']} | "
                  f"{r['refused_off_topic']} | {r['refused_unanswerable']} | {r['median_ms']} ms | {r['p95_ms']} ms |",
                  flush=True)
            print(f"<!-- {db}/{mode}: {json.dumps(r)} -->", flush=True)


if __name__ == "__main__":
    main()
