"""`make bench-pages` (issue 30): Docent's workspace, chat and search pages against a minimal view.

    make bench-pages                          # PostgreSQL at DATABASE_URL (default .../bench), Redis
    BENCH_PAGES_SECONDS=10 make bench-pages

The anchor is a minimal login-required ListView over the same 50 documents the workspace page
lists (benchmarks/pages_urls.py), served by the same gunicorn with the production settings
(benchmarks/pages_settings.py only adds its URL). wrk drives each page in turn, in
BENCH_PAGES_ROUNDS interleaved rounds (3), for BENCH_PAGES_SECONDS (5) each, every page between two
runs of the anchor, and the table gives each page's requests per second and its ratio to the mean
of the anchor's two runs beside it, per round (target ≥ 0.8 in every round). The data is a
workspace of its own: 50 documents with passages, a member with a conversation of 30 questions
whose answers cite 4 passages each.
"""

import os
import random
import secrets
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks import load
from tests.ports import free_port

SLUG = "bench-pages"
SECONDS = int(os.environ.get("BENCH_PAGES_SECONDS", 5))
ROUNDS = int(os.environ.get("BENCH_PAGES_ROUNDS", 3))
TARGET = 0.8
WORDS = [
    "harbour", "ferry", "museum", "ticket", "train", "station", "festival", "river", "island", "lantern",
    "market", "bridge", "garden", "library", "tower", "castle", "square", "fountain", "tram", "bicycle",
]


def seed():
    """The bench-pages workspace: 50 ready documents of 3 passages, one member with a conversation of
    30 answered questions, each citing 4 passages (the chat page shows its latest 20)."""
    from accounts.models import User
    from workspaces.chats.models import ChatThread, WorkspaceChat
    from workspaces.chats.rendering import render_markdown
    from workspaces.documents.models import DocumentPassage
    from workspaces.models import Workspace, WorkspaceDocument, WorkspaceUser
    from workspaces.services import workspace_delete

    for old in Workspace.objects.filter(slug=SLUG):
        workspace_delete(workspace=old)
    workspace = Workspace.objects.create(name="Bench pages", slug=SLUG)
    member = User.objects.filter(username="bench-pages-member").first() or User.objects.create_user(
        "bench-pages-member", password=None
    )
    WorkspaceUser.objects.get_or_create(user=member, workspace=workspace)
    rng = random.Random(30)
    for number in range(50):
        document = WorkspaceDocument.objects.create(
            workspace=workspace, filename=f"report-{number:02d}-{rng.choice(WORDS)}.pdf",
            docpath=f"bench/{number}.pdf", status="ready",
            metadata={"title": f"Report {number}", "size": 40_000 + number * 917, "content_type": "application/pdf",
                      "page_count": 12, "passage_count": 3},
        )
        DocumentPassage.objects.bulk_create([
            DocumentPassage(document=document, position=position, page_start=position, page_end=position,
                            text=" ".join(rng.choice(WORDS) for _ in range(120)), word_count=120, blocks=[])
            for position in (1, 2, 3)
        ])
    documents = list(workspace.documents.order_by("pk"))
    thread = ChatThread.objects.create(workspace=workspace, user=member, title="Where is the harbour?")
    for number in range(30):
        cited = rng.sample(documents, 4)
        sources = [
            {"doc_id": str(document.doc_id), "filename": document.filename, "position": position,
             "quote": f"The {rng.choice(WORDS)} by the {rng.choice(WORDS)}.", "score": 0.5, "page_start": position,
             "page_end": position, "section": ""}
            for position, document in enumerate(cited, start=1)
        ]
        text = (f"## Answer {number}\n\nThe **{rng.choice(WORDS)}** is by the {rng.choice(WORDS)} [1], next to the "
                f"{rng.choice(WORDS)} [2].\n\n- the {rng.choice(WORDS)} [3]\n- the {rng.choice(WORDS)} [4]")
        WorkspaceChat.objects.create(
            workspace=workspace, user=member, thread=thread, prompt=f"Where is the {rng.choice(WORDS)}?",
            response={"text": text, "sources": sources, "provider": "retrieval"},
            text_html=render_markdown(text),  # as an answer that ended stores it (workspaces.chats.services)
        )
    return workspace, member


def main() -> int:
    wrk = load.require_wrk()
    load.ensure_redis()
    load.ensure_database()
    workdir = Path(tempfile.mkdtemp(prefix="docent-bench-pages-"))
    environment = load.production_environment(workdir / "static", free_port())
    environment["DJANGO_SETTINGS_MODULE"] = "benchmarks.pages_settings"
    os.environ.update(environment)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    _, member = seed()
    client = Client()
    client.force_login(member)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    # A returning browser's cookies: its session and its CSRF secret (as benchmarks/load.py sends them).
    who = load.Identity(member.username, f"{settings.SESSION_COOKIE_NAME}={session}; "
                                         f"{settings.CSRF_COOKIE_NAME}={secrets.token_hex(16)}")
    pages = {
        "minimal view (anchor)": f"/bench/minimal/{SLUG}/",
        "workspace page": f"/w/{SLUG}/",
        "chat page (30 turns, 20 shown)": f"/w/{SLUG}/chat/",
        "search page": f"/w/{SLUG}/search/?q=harbour+museum",
    }
    server = load.Gunicorn(environment, workdir)
    anchor = "minimal view (anchor)"
    rates: dict[str, list[float]] = {name: [] for name in pages}
    ratios: dict[str, list[float]] = {name: [] for name in pages if name != anchor}

    def rate_of(name: str, run: str) -> float:
        stats = load.run_wrk(wrk, server.url, workdir, run, [load.get(pages[name], who)], SECONDS)
        if stats["ok_2xx"] < stats["sent_get"]:
            raise load.LoadError(f"{name}: {stats['sent_get'] - stats['ok_2xx']} requests failed")
        rates[name].append(stats["received"] / stats["window_seconds"])
        load.log(f"{run} {name}: {rates[name][-1]:,.0f} req/s")
        return rates[name][-1]

    try:
        server.start()
        for number, path in enumerate(pages.values()):  # warm-up: templates, connections, caches
            load.run_wrk(wrk, server.url, workdir, f"warm-{number}", [load.get(path, who)], 2)
        # Each page runs between two runs of the anchor and is compared with their mean: the machine's
        # load drifts within a round (other work on the same CPUs), and a page meets the anchor it ran beside.
        for round_number in range(ROUNDS):
            before = rate_of(anchor, f"round-{round_number}-anchor-0")
            for number, name in enumerate(ratios, start=1):
                rate = rate_of(name, f"round-{round_number}-page-{number}")  # wrk's files are named after the run
                after = rate_of(anchor, f"round-{round_number}-anchor-{number}")
                ratios[name].append(rate / ((before + after) / 2))
                before = after
    finally:
        server.stop()
    print(f"\nPages against a minimal view · gunicorn {load.WORKERS} workers · {ROUNDS} rounds of {SECONDS} s, "
          f"each page between two runs of the minimal view · load average {os.getloadavg()[0]:.1f} · "
          f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}\n")
    print("| page | req/s (median) | ratio to the minimal view, per round | median ratio | ≥ 0.8 every round |")
    print("|---|---:|---|---:|---|")
    print(f"| {anchor} | {statistics.median(rates[anchor]):,.0f} | – | – |  |")
    missed = False
    for name, values in ratios.items():
        meets = min(values) >= TARGET
        missed |= not meets
        print(f"| {name} | {statistics.median(rates[name]):,.0f} | {', '.join(f'{ratio:.2f}' for ratio in values)} | "
              f"{statistics.median(values):.2f} | {'meets' if meets else '**misses**'} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
