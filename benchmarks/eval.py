"""`make eval`: retrieval and built-in answers measured on ../shared/eval/squad-open.json.

Each article becomes one text file imported with the product's own import command
(`manage.py import_documents --inline`: read, split, indexed and, with a model set, embedded in the
command), then every
answerable question is asked through `workspaces.chats.answering.answer`, the code
the chat page runs, with the workspace's defaults (4 sources, its threshold). Per
configuration (SQLite / PostgreSQL with pgvector / PostgreSQL without x lexical / hybrid, and
with a reranker when EVAL_RERANK_URL or EVAL_RERANK_DIR names one):

- recall@4 and first sentence cross-validated (`eval_cv.py`): the share of the threshold
  putting a passage first chosen on six articles, reported on the seventh, per article and in all, with the
  passages per question handed to the model; beside textbook BM25 and its
  extractive answer (`eval_textbook.py`);
- recall@1 and recall@4: a gold answer occurs in the first / any of the retrieved
  passages (`retrieve_passages`, the sources every provider is given);
- first sentence: the built-in answer's first quote holds a gold answer;
- off-topic refused: the last article's questions asked in a second workspace holding
  every other article, answered "no document answers that" (the threshold's job);
- unanswerable refused: the same for the set's unanswerable (on-topic) questions;
- time: median and p95 of one answer (retrieval + composing).

PostgreSQL runs on a throwaway PostgreSQL 16 with pgvector from the `pgserver` wheel
(benchmarks/pgserver.py), on EVAL_PG_PORT; "postgresql-plain" in a throwaway database (created
and dropped) on the server at EVAL_PLAIN_PG_URL (default postgres://postgres@127.0.0.1:5432/docent_eval),
skipped with a note when that server cannot be reached or offers pgvector. Hybrid needs EMBEDDING_MODEL_DIR.
Usage: python -m benchmarks.eval [--db sqlite|postgresql|postgresql-plain] [--mode lexical|hybrid] [--limit N]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from benchmarks.eval_cv import SHARES, leave_one_article_out

ROOT = Path(__file__).resolve().parent.parent
DATASET = Path(os.environ.get("EVAL_DATASET", ROOT.parent / "shared" / "eval" / "squad-open.json"))
PG_PORT = int(os.environ.get("EVAL_PG_PORT", "0"))  # 0: a free one
PLAIN_PG_URL = os.environ.get("EVAL_PLAIN_PG_URL", "postgres://postgres@127.0.0.1:5432/docent_eval")
RERANK_URL = os.environ.get("EVAL_RERANK_URL", "")
RERANK_DIR = os.environ.get("EVAL_RERANK_DIR", "")


class Skipped(Exception):
    pass


def _plain_postgresql(create: bool) -> str:
    """Create (or drop) the throwaway database on the server at PLAIN_PG_URL; its URL."""
    import psycopg

    parts = urllib.parse.urlsplit(PLAIN_PG_URL)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            if create:
                offered = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'").fetchone()
                if offered:
                    raise Skipped("the server at EVAL_PLAIN_PG_URL offers pgvector")
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            if create:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        raise Skipped(f"no PostgreSQL at EVAL_PLAIN_PG_URL ({exc.__class__.__name__})") from exc
    return PLAIN_PG_URL


def run_one(db: str, mode: str, limit: int | None) -> dict:
    """One configuration in a fresh database, in a child process (Django is configured once per process)."""
    with tempfile.TemporaryDirectory(prefix="docent-eval-") as folder:
        env = dict(os.environ, DEBUG="0", SECRET_KEY="eval-only", ALLOWED_HOSTS="localhost",
                   MEDIA_ROOT=str(Path(folder) / "media"), EVAL_FOLDER=folder,
                   SEARCH_INDEX_DIR=os.environ.get("SEARCH_INDEX_DIR", str(Path(folder) / "search-index")))
        server = None
        if db == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{folder}/eval.sqlite3"
        elif db == "postgresql-plain":
            env["DATABASE_URL"] = _plain_postgresql(create=True)
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
            if db == "postgresql-plain":
                _plain_postgresql(create=False)
        if result.returncode != 0:
            raise SystemExit(f"{db}/{mode} failed:\n{result.stderr[-4000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])


def _configure(mode: str) -> None:
    from settings_app.services import setting_set

    setting_set(label="max_upload_mb", value=50)
    setting_set(label="embedding_provider", value="local" if mode.startswith("hybrid") else "none")
    if mode.endswith("+rerank"):
        if RERANK_URL:
            setting_set(label="rerank_provider", value="http")
            setting_set(label="rerank_base_url", value=RERANK_URL)
            setting_set(label="rerank_model", value=os.environ.get("EVAL_RERANK_MODEL", ""))
        else:
            os.environ["RERANK_MODEL_DIR"] = RERANK_DIR
            setting_set(label="rerank_provider", value="local")


def _import(workspace, folder, articles) -> float:
    from django.core.management import call_command

    folder.mkdir(exist_ok=True)
    for article in articles:
        (folder / f"{article['title']}.txt").write_text("\n\n".join(p["context"] for p in article["paragraphs"]))
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("import_documents", workspace.slug, str(folder), "--inline", verbosity=0, stdout=quiet)
    return time.perf_counter() - started


def _first_quote(text: str) -> str:
    quotes = [line for line in text.split("\n\n") if line.startswith("> ")]
    return quotes[0].lower() if quotes else ""


def child(mode: str, limit: int | None) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    from workspaces.chats.answering import CANDIDATES_PER_SOURCE, NO_ANSWER, answer, retrieve_passages, sources_select
    from workspaces.chats.compose import compose
    from workspaces.models import Workspace
    from workspaces.retrieval.bm25 import term_weights
    from workspaces.retrieval.query import query_terms
    from workspaces.retrieval.search import search_passages

    call_command("migrate", verbosity=0)
    _configure(mode)
    workspace = Workspace.objects.create(name="squad")
    if os.environ.get("EVAL_THRESHOLD"):
        workspace.similarity_threshold = float(os.environ["EVAL_THRESHOLD"])
        workspace.save()
    data = json.loads(DATASET.read_text())["data"]
    folder = Path(os.environ["EVAL_FOLDER"]) / "articles"
    import_seconds = _import(workspace, folder, data)
    questions = [(a["title"], q) for a in data for p in a["paragraphs"] for q in p["qas"]]
    answerable = [(title, q) for title, q in questions if not q.get("is_impossible")]
    impossible = [q for _, q in questions if q.get("is_impossible")]
    if limit:
        answerable, impossible = answerable[:limit], impossible[:limit]
    at1 = at4 = first = 0
    times, rows = [], []
    for title, question in answerable:
        golds = [a["text"].lower() for a in question["answers"]]
        prompt = question["question"]
        candidates = search_passages(workspace=workspace, query=prompt, limit=workspace.top_n * CANDIDATES_PER_SOURCE)
        weights = term_weights(workspace=workspace, terms=query_terms(prompt))
        per_share = []
        for share in SHARES:
            handed = sources_select(candidates, threshold=workspace.similarity_threshold, top_n=workspace.top_n,
                                    share=share)
            quote = _first_quote(compose(hits=handed, weights=weights)[0])
            per_share.append((any(g in hit.text.lower() for hit in handed for g in golds),
                              any(g in quote for g in golds), len(handed)))
        rows.append((title, prompt, per_share))
        handed = [hit.text.lower() for hit in retrieve_passages(workspace=workspace, prompt=prompt, history=[])]
        at1 += bool(handed) and any(g in handed[0] for g in golds)
        at4 += any(g in text for text in handed for g in golds)
        begun = time.perf_counter()
        stored = answer(workspace=workspace, prompt=prompt, history=[])  # the chat page's code, as configured
        times.append((time.perf_counter() - begun) * 1000)
        first += any(g in _first_quote(stored.text) for g in golds)
    refused = sum(answer(workspace=workspace, prompt=q["question"], history=[]).text == NO_ANSWER for q in impossible)
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
    times.sort()
    return {
        "questions": len(answerable), "recall@1": round(at1 / len(answerable), 3),
        "recall@4": round(at4 / len(answerable), 3), "first_sentence": round(first / len(answerable), 3),
        "refused_unanswerable": round(refused / max(1, len(impossible)), 3),
        "median_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "import_s": round(import_seconds, 1),
        "refused_off_topic": round(off_refused / max(1, len(off_topic)), 3),
        "rows": rows,
    }


def textbook(limit: int | None) -> dict:
    """Textbook BM25's recall@4 and extractive first sentence, per article and in all."""
    from benchmarks.eval_textbook import TextbookBM25

    data = json.loads(DATASET.read_text())["data"]
    index = TextbookBM25(["\n\n".join(p["context"] for p in article["paragraphs"]) for article in data])
    questions = [(a["title"], q) for a in data for p in a["paragraphs"] for q in p["qas"] if not q.get("is_impossible")]
    per_article = {}
    for title, question in questions[:limit] if limit else questions:
        golds = [a["text"].lower() for a in question["answers"]]
        top = index.top(question["question"])
        sentence = index.first_sentence(question["question"], top[0]).lower() if top else ""
        counts = per_article.setdefault(title, [0, 0, 0])
        counts[0] += 1
        counts[1] += any(g in passage.lower() for passage in top for g in golds)
        counts[2] += any(g in sentence for g in golds)
    n = sum(c[0] for c in per_article.values())
    return {"articles": {t: (c[1] / c[0], c[2] / c[0]) for t, c in per_article.items()},
            "total": (sum(c[1] for c in per_article.values()) / n, sum(c[2] for c in per_article.values()) / n)}


def configurations(args) -> list[tuple[str, str]]:
    modes = args.mode or (["lexical", "hybrid"] if os.environ.get("EMBEDDING_MODEL_DIR") else ["lexical"])
    if RERANK_URL or RERANK_DIR:
        modes = [m for mode in modes for m in (mode, f"{mode}+rerank")]
    return [(db, mode) for db in args.db or ["sqlite", "postgresql", "postgresql-plain"] for mode in modes]


def report(book: dict, results: dict) -> None:
    """The tables of docs/benchmarks.md: the issue's comparison, per article, and the rest."""
    print("\n| retrieval (held-out articles) | recall@4 handed to the model | first sentence | passages per question |")
    print("|---|---|---|---|")
    recall, first = book["total"]
    print(f"| textbook BM25, 200-word passages, top 4 / extractive | {recall:.3f} | {first:.3f} | 4 |")
    for (db, mode), r in results.items():
        recall, first, passages = r["cv"]["total"]
        print(f"| Docent {mode}, {db} | {recall:.3f} | {first:.3f} | {passages:.2f} |")
    names = list(results)
    print("\n| article | textbook recall / first | " + " | ".join(f"{m}, {d}" for d, m in names) + " |")
    print("|---|---|" + "---|" * len(names))
    for title, (recall, first) in book["articles"].items():
        cells = []
        for name in names:
            a_recall, a_first, a_passages, share = results[name]["cv"]["articles"][title]
            cells.append(f"{a_recall:.3f} / {a_first:.3f} ({a_passages:.2f} p., share {share})")
        print(f"| {title} | {recall:.3f} / {first:.3f} | " + " | ".join(cells) + " |")
    print("\n| database | retrieval | share chosen on all | recall@1 | recall@4 | first sentence | off-topic refused "
          "| unanswerable refused | median | p95 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (db, mode), r in results.items():
        print(f"| {db} | {mode} | {r['cv']['chosen_on_all']} | {r['recall@1']} | {r['recall@4']} "
              f"| {r['first_sentence']} | {r['refused_off_topic']} | {r['refused_unanswerable']} "
              f"| {r['median_ms']} ms | {r['p95_ms']} ms |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "postgresql-plain"], action="append")
    parser.add_argument("--mode", choices=["lexical", "hybrid"], action="append")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--save", type=Path, help="also write each configuration's results into this folder")
    parser.add_argument("--report", type=Path, help="only print the tables of the results saved in this folder")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.mode[0], args.limit)))
        return
    book = textbook(args.limit)
    if args.report:
        saved = [json.loads(path.read_text()) for path in sorted(args.report.glob("*.json"))]
        report(book, {(r["db"], r["mode"]): r for r in saved})
        return
    results = {}
    for db, mode in configurations(args):
        try:
            r = run_one(db, mode, args.limit)
        except Skipped as skipped:
            print(f"{db}: skipped, {skipped}", flush=True)
            continue
        r["cv"] = leave_one_article_out(r.pop("rows"))
        results[(db, mode)] = r
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{db}-{mode}.json").write_text(json.dumps({**r, "db": db, "mode": mode}))
        print(f"{db}/{mode}: recall@4 {r['cv']['total'][0]:.3f}, first sentence {r['cv']['total'][1]:.3f} "
              f"(held-out), {json.dumps({k: v for k, v in r.items() if k != 'cv'})}", flush=True)
    report(book, results)


if __name__ == "__main__":
    main()
