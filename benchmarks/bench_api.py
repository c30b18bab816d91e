"""`make bench-api`: an API ask against the same ask on the site (issue 24, must-have 5).

Over `make bench`'s workspace (seeded here unless BENCH_REUSE=1 finds it), the same member
asks the same kind of question through both doors, turn about, so both see the same caches
and the same database: the site's chat form (POST, answered and stored, then the redirect)
against POST /api/v1/workspaces/bench/chats with a key (answered, stored, the answer and its
sources as JSON); then the streamed answer of each (the chat page's event stream against the
API's `stream=true`), read to the end; then the search page against GET …/search.
Prints each median and p95 and the API's cost over the site's.

    BENCH_DOCUMENTS=1000 BENCH_PASSAGES=20000 make bench-api
"""

# benchmarks.bench sets Django up, so it comes before anything that needs it:
# ruff: noqa: I001
import logging
import statistics
import time
import warnings

from benchmarks.bench import MEMBER, REPEAT, SLUG, Result, database_version, log, reset, reuse, section_import
from django.test import Client, override_settings
from django.urls import reverse

from accounts.api_keys import SCOPE_ASK, SCOPE_READ, api_key_create
from accounts.models import User

ALLOWED_OVERHEAD = 0.10


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _consume(response) -> None:
    if response.status_code not in (200, 302):
        raise RuntimeError(f"answered {response.status_code}: {response.content[:200]!r}")
    if response.streaming:
        b"".join(response.streaming_content)


def pairs(bench, api: Client, headers: dict) -> list[tuple[Result, Result]]:
    words = bench.vocabulary
    chat_url = reverse("workspaces:chat", kwargs={"slug": SLUG})
    stream_url = reverse("workspaces:chat_stream", kwargs={"slug": SLUG})
    search_url = reverse("workspaces:search", kwargs={"slug": SLUG})
    api_chats, api_search = f"/api/v1/workspaces/{SLUG}/chats", f"/api/v1/workspaces/{SLUG}/search"
    doors = {
        "ask": (
            lambda prompt: bench.client.post(chat_url, {"prompt": prompt}),
            lambda prompt: api.post(api_chats, {"prompt": prompt}, content_type="application/json", headers=headers),
        ),
        "ask, streamed": (
            lambda prompt: bench.client.post(stream_url, {"prompt": prompt}),
            lambda prompt: api.post(f"{api_chats}?stream=true", {"prompt": prompt}, content_type="application/json",
                                    headers=headers),
        ),
        "search": (
            lambda query: bench.client.get(search_url, {"q": query}),
            lambda query: api.get(api_search, {"q": query}, headers=headers),
        ),
    }
    results = []
    for offset, (name, (site, through_api)) in enumerate(doors.items()):
        site_result, api_result = Result(f"{name}: site"), Result(f"{name}: API")
        questions = [f"What about {words[rank]} and {words[rank * 13 + 400]}?"
                     for rank in range(100 + offset * 2 * REPEAT, 100 + (offset * 2 + 2) * REPEAT)]
        _consume(site(questions[0]))
        _consume(through_api(questions[1]))
        for number, question in enumerate(questions):
            first, second = ((site, site_result), (through_api, api_result))[:: 1 if number % 2 else -1]
            for door, result in (first, second):
                result.samples.append(_timed(lambda door=door, question=question: _consume(door(question))))
        results.append((site_result, api_result))
    return results


def main() -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    logging.getLogger("docent.audit").setLevel(logging.WARNING)
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(ALLOWED_HOSTS=["testserver"], CHAT_RATE_LIMIT_PER_MINUTE=0, STORAGES=storages):
        bench = reuse()
        if bench is None:
            bench = reset()
            section_import(bench)
        member = User.objects.get(username=MEMBER)
        member.api_keys.all().delete()
        _, secret = api_key_create(user=member, name="bench", scopes=[SCOPE_READ, SCOPE_ASK])
        headers = {"Authorization": f"Bearer {secret}"}
        log("== API against the site")
        print(f"\nDocent API bench · {database_version()} · {REPEAT} asks of each kind, turn about")
        worst = 0.0
        for site_result, api_result in pairs(bench, Client(), headers):
            overhead = statistics.median(api_result.samples) / statistics.median(site_result.samples) - 1
            worst = max(worst, overhead)
            print(site_result.summary())
            print(api_result.summary())
            print(f"{'':<52} API over site: {overhead:+.1%}")
        verdict = "within" if worst <= ALLOWED_OVERHEAD else "OVER"
        print(f"worst API overhead {worst:+.1%}: {verdict} the {ALLOWED_OVERHEAD:.0%} allowed")


if __name__ == "__main__":
    main()
