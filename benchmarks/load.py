"""`make load`: Docent under gunicorn, PostgreSQL and Redis, driven by wrk from another process.

    make load                                   # ~3 minutes once the data set exists
    LOAD_SECONDS=30 make load                   # longer scenarios
    LOAD_RESEED=1 make load                     # re-seed the bench workspace first

What it does:

1. Makes sure Redis answers (starts a throwaway redis-server if not) and the
   database exists (`createdb` when missing), migrates it, and reuses the
   `bench` workspace of benchmarks/bench.py (10,000 documents, 200,000
   passages) when it holds the expected rows; otherwise (or with LOAD_RESEED=1)
   seeds it with bench.py's own functions, which takes a few minutes.
2. Creates member users and two admins (`load-member-N`, `load-admin-N`) with a
   session each, and a CSRF secret used as both cookie and X-CSRFToken header.
3. Starts gunicorn with the repository's gunicorn.conf.py and production-like
   settings (DEBUG off, a random SECRET_KEY, collectstatic into a temporary
   STATIC_ROOT, this host's search index built first as `make serve` builds it,
   Redis cache, 4 workers never recycled, no per-minute chat limit)
   on a free port of 127.0.0.1.
4. Runs each scenario with wrk (benchmarks/load.lua) for LOAD_SECONDS, then
   lets every request already sent finish, so nothing is in flight at the end:
   the /livez ceiling, the workspace page, a sorted deep page, document pages,
   search, asking questions, the admin chat log (once the workspace holds at
   least LOAD_CHAT_BACKLOG chats, default 1,000: copies of the questions just
   asked are added if needed), and a mix of them.
5. Prints a table (req/s, p50/p95/p99, errors, share of the /livez ceiling),
   each worker's peak memory (VmHWM), and stops gunicorn whatever happened.

It passes (exit 0) when no request failed (a page must answer 2xx, a question
302 to the chat) and every question answered with a 302 is one new
workspace_chats row: the 302s counted by wrk equal the rows added. The
environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench),
LOAD_SECONDS (15), LOAD_CONNECTIONS (8), LOAD_THREADS (2), LOAD_WORKERS (4),
LOAD_MEMBERS (8), LOAD_CHAT_BACKLOG (1000), LOAD_CACHE_URL (redis://127.0.0.1:6379/5), LOAD_RESEED.
"""

import json
import math
import os
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess  # noqa: S404 - runs gunicorn, wrk, createdb and redis-server with fixed arguments
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus, urlencode, urlparse

from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
LUA_SCRIPT = Path(__file__).resolve().with_suffix(".lua")
SECONDS = int(os.environ.get("LOAD_SECONDS", 15))
CONNECTIONS = int(os.environ.get("LOAD_CONNECTIONS", 8))
THREADS = int(os.environ.get("LOAD_THREADS", 2))
WORKERS = int(os.environ.get("LOAD_WORKERS", 4))
MEMBERS = int(os.environ.get("LOAD_MEMBERS", 8))
RESEED = os.environ.get("LOAD_RESEED", "") not in ("", "0")
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
CACHE_URL = os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/5")
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(Path(tempfile.gettempdir()) / "docent-bench-media"))
SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(Path(tempfile.gettempdir()) / "docent-load-search-index"))
CHAT_BACKLOG = int(os.environ.get("LOAD_CHAT_BACKLOG", 1000))  # chats in the workspace when admins read the log
WARMUP_SECONDS = 3
DRAIN_LIMIT_SECONDS = 60  # a request still unanswered this long after the cutoff counts as lost
WRK_TIMEOUT = "30s"
USER_PREFIX = "load-"
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class LoadError(Exception):
    """The load test cannot run (a missing tool, a database that does not answer)."""


# ENVIRONMENT
# ------------------------------------------------------------------------------
def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise LoadError("wrk is not installed: apt-get install -y wrk")
    return wrk


def ensure_redis() -> None:
    import redis

    parts = urlparse(CACHE_URL)
    client = redis.Redis(host=parts.hostname or "127.0.0.1", port=parts.port or 6379, socket_timeout=2)
    try:
        client.ping()
        return
    except redis.exceptions.ConnectionError:
        if (parts.hostname, parts.port or 6379) != ("127.0.0.1", 6379):
            raise LoadError(f"Redis does not answer at {CACHE_URL}") from None
    log("Redis is down: starting it (" + " ".join(REDIS_START) + ")")
    subprocess.run(REDIS_START, check=True)  # noqa: S603
    for _ in range(50):
        try:
            client.ping()
            return
        except redis.exceptions.ConnectionError:
            time.sleep(0.1)
    raise LoadError("redis-server started but does not answer")


def ensure_database() -> None:
    """Create the PostgreSQL database of DATABASE_URL when it does not exist yet."""
    parts = urlparse(DATABASE_URL)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg

    try:
        psycopg.connect(DATABASE_URL, connect_timeout=5).close()
        return
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise LoadError(f"PostgreSQL does not answer at {DATABASE_URL}: {error}") from None
    name = parts.path.lstrip("/")
    command = ["createdb", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
               "-U", parts.username or "postgres", name]
    log("Creating the database: " + " ".join(command))
    environment = {**os.environ, **({"PGPASSWORD": parts.password} if parts.password else {})}
    subprocess.run(command, check=True, env=environment)  # noqa: S603


def production_environment(static_root: Path, port: int) -> dict[str, str]:
    """What both this process and gunicorn run with: production settings over plain http on 127.0.0.1."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "DATABASE_URL": DATABASE_URL,
        "CACHE_URL": CACHE_URL,
        "MEDIA_ROOT": MEDIA_ROOT,
        "SEARCH_INDEX_DIR": SEARCH_INDEX_DIR,
        "STATIC_ROOT": str(static_root),
        "CHAT_RATE_LIMIT_PER_MINUTE": "0",
        "LOG_LEVEL": "WARNING",  # the access log still records every request
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_THREADS": "1",
    }


# DATA
# ------------------------------------------------------------------------------
@dataclass
class Identity:
    username: str
    cookie: str


@dataclass
class Data:
    workspace_pk: int
    workspace_slug: str
    doc_ids: list[str]
    vocabulary: list[str]
    members: list[Identity]
    admins: list[Identity]
    counts: tuple[int, int]
    csrf_secret: str
    session_keys: list[str] = field(default_factory=list)


def prepare_data() -> Data:
    """Migrate, reuse or seed the bench workspace, and sign in the load users (this process, same database)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from accounts.roles import Role
    from benchmarks import bench
    from settings_app.services import setting_get
    from workspaces.chats.answering import provider_for
    from workspaces.models import DocumentPassage, Workspace, WorkspaceChat, WorkspaceUser

    log("Migrating…")
    bench.refuse_a_real_database()
    call_command("migrate", verbosity=0)
    cache.clear()  # the load test's own Redis database: no settings left from another run
    workspace = Workspace.objects.filter(slug=bench.SLUG).first()
    expected = (bench.DOCUMENTS, bench.PASSAGES)
    found = None
    if workspace is not None:
        found = (workspace.documents.count(), DocumentPassage.objects.filter(document__workspace=workspace).count())
    # The uploaded documents split into a few more passages than the seeded ones (200,100 in all).
    if RESEED or found is None or found[0] != expected[0] or found[1] < expected[1]:
        reason = "LOAD_RESEED is set" if RESEED else f"found {found or 'no workspace'}, expected {expected}"
        log(f"Seeding the bench workspace ({reason}); this takes a few minutes…")
        started = time.perf_counter()
        bench.section_import(bench.reset())
        log(f"  seeded in {time.perf_counter() - started:.0f} s")
        workspace = Workspace.objects.get(slug=bench.SLUG)
        found = (workspace.documents.count(), DocumentPassage.objects.filter(document__workspace=workspace).count())
    else:
        log(f"Reusing the bench workspace: {found[0]:,} documents, {found[1]:,} passages")

    deleted, _ = WorkspaceChat.objects.filter(user__username__startswith=USER_PREFIX).delete()
    if deleted:
        log(f"Deleted {deleted:,} chats left by an earlier load run")
    vacuum_if_bloated()
    if setting_get("daily_message_limit"):
        log(f"warning: the daily_message_limit setting is {setting_get('daily_message_limit')}: "
            f"questions past it answer 429 and count as errors")
    if provider_for(workspace) != "retrieval":
        log(f"warning: the bench workspace answers with {provider_for(workspace)!r}, not the retrieval provider")

    def user(username: str, role: str) -> User:
        account = User.objects.filter(username=username).first()
        if account is None:
            account = User.objects.create_user(username, password=None, role=role)
        elif account.role != role or account.suspended:
            account.role, account.suspended = role, False
            account.save(update_fields=["role", "suspended"])
        return account

    csrf_secret = secrets.token_hex(16)  # 32 characters: Django takes an unmasked secret as cookie and header
    session_keys = []

    def identity(account: User) -> Identity:
        client = Client()
        client.force_login(account)
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        session_keys.append(key)
        return Identity(account.username, f"{settings.SESSION_COOKIE_NAME}={key}; "
                                          f"{settings.CSRF_COOKIE_NAME}={csrf_secret}")

    members = []
    for number in range(1, MEMBERS + 1):
        member = user(f"{USER_PREFIX}member-{number}", Role.DEFAULT)
        WorkspaceUser.objects.get_or_create(user=member, workspace=workspace)
        members.append(identity(member))
    admins = [identity(user(f"{USER_PREFIX}admin-{number}", Role.ADMIN)) for number in (1, 2)]

    log("Collecting static files and building the search index (as `make serve` does)…")
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("search_index_build", workspace=workspace.slug, verbosity=0)
    doc_ids = [str(doc_id) for doc_id in workspace.documents.order_by("?").values_list("doc_id", flat=True)[:300]]
    vocabulary = bench.make_vocabulary(random.Random(20261125))  # the words bench.py seeded the passages with
    return Data(workspace.pk, workspace.slug, doc_ids, vocabulary, members, admins, found, csrf_secret, session_keys)


def vacuum_if_bloated() -> None:
    """Re-seeding deletes 200,000 passages; until autovacuum runs, every search also visits the dead
    rows. Vacuum the big tables when a fifth of their rows are dead, so runs measure the same table."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    tables = ("document_passages", "workspace_documents", "workspace_chats")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s) "
                       "AND n_dead_tup > 0.2 * GREATEST(n_live_tup, 1000)", [list(tables)])
        bloated = [name for (name,) in cursor.fetchall()]
        for name in bloated:
            log(f"VACUUM (ANALYZE) {name}: many dead rows from an earlier seeding…")
            cursor.execute(f'VACUUM (ANALYZE) "{name}"')  # noqa: S608 - a name from the fixed list above


def chat_backlog(data: Data, minimum: int) -> int:
    """Give the admin chat log a realistic backlog: at least `minimum` chats in the workspace
    (copies of the questions the load users just asked). Returns the workspace's chat count."""
    from workspaces.models import WorkspaceChat

    chats = WorkspaceChat.objects.filter(workspace_id=data.workspace_pk)
    count = chats.count()
    asked = list(chats.filter(user__username__startswith=USER_PREFIX).values("user_id", "prompt", "response")[:500])
    if count < minimum and asked:
        WorkspaceChat.objects.bulk_create(
            [WorkspaceChat(workspace_id=data.workspace_pk, include=True, **asked[number % len(asked)])
             for number in range(minimum - count)],
            batch_size=1000,
        )
        count = minimum
    return count


def chat_rows() -> int:
    from workspaces.models import WorkspaceChat

    return WorkspaceChat.objects.count()


def workspace_unchanged(data: Data) -> bool:
    from workspaces.models import Workspace

    return Workspace.objects.filter(pk=data.workspace_pk, slug=data.workspace_slug).exists()


def forget_sessions(data: Data) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=data.session_keys).delete()


# REQUESTS
# ------------------------------------------------------------------------------
QUESTION_FORMS = [
    "What does the {0} say about {1}?",
    "Summarise what we know about {0}.",
    "How is {0} related to {1} and {2}?",
    "Where is {0} {1} mentioned?",
    "Which documents discuss {0}?",
    "Is there anything on {0} or {1} in the reports?",
]


class Words:
    """Search words like people type them: one to three words per query, each word's frequency rank
    drawn log-uniformly between 20 and 20,000, so a query's words occur in anything from about
    60% of the passages down to one in a thousand."""

    def __init__(self, vocabulary: list[str], seed: int):
        self.vocabulary = vocabulary
        self.rng = random.Random(seed)

    def word(self) -> str:
        rank = int(math.exp(self.rng.uniform(math.log(20), math.log(len(self.vocabulary)))))
        return self.vocabulary[min(rank, len(self.vocabulary) - 1)]

    def query(self) -> str:
        return " ".join(self.word() for _ in range(self.rng.choices((1, 2, 3), weights=(50, 35, 15))[0]))

    def question(self) -> str:
        return self.rng.choice(QUESTION_FORMS).format(self.word(), self.word(), self.word())


def get(path: str, who: Identity | None) -> dict:
    headers = {"Cookie": who.cookie} if who else {}
    return {"kind": "get", "method": "GET", "path": path, "headers": headers}


def ask(slug: str, who: Identity, prompt: str, data: Data) -> dict:
    return {
        "kind": "ask", "method": "POST", "path": f"/w/{slug}/chat/", "body": urlencode({"prompt": prompt}),
        "headers": {"Cookie": who.cookie, "X-CSRFToken": data.csrf_secret,
                    "Content-Type": "application/x-www-form-urlencoded"},
    }


def scenarios(data: Data) -> dict[str, tuple[str, list[dict]]]:
    """name -> (what it is, the requests each wrk thread cycles through)."""
    slug, members = data.workspace_slug, data.members
    words = Words(data.vocabulary, seed=7)

    def member(number: int) -> Identity:
        return members[number % len(members)]

    workspace = f"/w/{slug}/"
    pages = (1, 20, 50, 100, 150, 199)
    sorted_pages = [f"{workspace}?sort={sort}&page={page}" for sort in ("name", "-name") for page in pages]
    documents = [f"{workspace}documents/{doc_id}/" for doc_id in data.doc_ids]
    searches = [f"{workspace}search/?q={quote_plus(words.query())}" for _ in range(300)]
    questions = [words.question() for _ in range(300)]
    chat_log = "/admin/workspaces/workspacechat/"
    mixed = (
        [get(workspace, member(n)) for n in range(30)]
        + [get(url, member(n)) for n, url in enumerate(sorted_pages)]
        + [get(url, member(n)) for n, url in enumerate(documents[:30])]
        + [get(url, member(n)) for n, url in enumerate(searches[:30])]
        + [get(f"{workspace}chat/", member(n)) for n in range(15)]
        + [ask(slug, member(n), question, data) for n, question in enumerate(questions[:20])]
        + [get(chat_log, data.admins[n % 2]) for n in range(8)]
    )
    random.Random(11).shuffle(mixed)
    return {
        "livez": ("ceiling: GET /livez (no database)", [get("/livez", None)]),
        "workspace": ("workspace page, newest first", [get(workspace, member(n)) for n in range(len(members))]),
        "workspace-sorted": ("workspace page by name, pages 1–199", [
            get(url, member(n)) for n, url in enumerate(sorted_pages)]),
        "document": ("document page (300 random documents)", [
            get(url, member(n)) for n, url in enumerate(documents)]),
        "search": ("search, 1–3 words of mixed frequency", [get(url, member(n)) for n, url in enumerate(searches)]),
        "ask": (f"ask a question (POST, {len(members)} members)", [
            ask(slug, member(n), question, data) for n, question in enumerate(questions)]),
        "chat-log": ("admin chat log (2 admins)", [get(chat_log, admin) for admin in data.admins]),
        "mixed": ("mixed: members browse, search, ask; admin reads the chat log", mixed),
    }


def lua_literal(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua_literal(key)}] = {lua_literal(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(lua_literal(item) for item in value) + "}"
    if isinstance(value, int | float):
        return repr(value)
    safe = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 /-_.=&?%:;+")
    return '"' + "".join(chr(b) if b in safe else f"\\{b}" for b in str(value).encode()) + '"'


# GUNICORN
# ------------------------------------------------------------------------------
class Gunicorn:
    def __init__(self, environment: dict[str, str], workdir: Path):
        self.environment = {**os.environ, **environment}
        self.url = f"http://{environment['GUNICORN_BIND']}"
        self.log_path = workdir / "gunicorn.log"
        self.control_socket = workdir / "gunicorn.ctl"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
        command = [str(gunicorn if gunicorn.exists() else "gunicorn"), "-c", "gunicorn.conf.py",
                   "--control-socket", str(self.control_socket)]  # not the shared default in $HOME
        with open(self.log_path, "wb") as log_file:
            self.process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=self.environment, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LoadError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/livez", timeout=2) as response:  # noqa: S310
                    if response.status == 200 and len(self.workers()) == WORKERS:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise LoadError(f"gunicorn did not answer /livez within 60 s:\n{self.log_tail()}")

    def workers(self) -> list[int]:
        """The worker processes: the children of the gunicorn master."""
        if self.process is None:
            return []
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return sorted(children)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their request
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # its own process group (start_new_session)
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def log_problems(self) -> tuple[dict[str, int], list[str]]:
        """Statuses in the access log, and the error lines (tracebacks, worker timeouts) of the error log."""
        statuses: dict[str, int] = {}
        problems = []
        access = re.compile(r'" (\d{3}) ')
        for line in self.log_path.read_text(errors="replace").splitlines():
            match = access.search(line)
            if match and line.startswith("127.0.0.1"):
                statuses[match.group(1)] = statuses.get(match.group(1), 0) + 1
            elif re.search(r"Traceback|\bERROR\b|CRITICAL|WORKER TIMEOUT|Worker .* (exited|was sent)", line):
                problems.append(line)
        return statuses, problems


def peak_memory(pid: int) -> tuple[int, int]:
    """(VmHWM, VmRSS) in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            values[name] = int(rest.split()[0]) // 1024
    return values.get("VmHWM", 0), values.get("VmRSS", 0)


# WRK
# ------------------------------------------------------------------------------
@dataclass
class Outcome:
    name: str
    label: str
    stats: dict
    new_chats: int | None = None

    @property
    def sent(self) -> int:
        return self.stats["sent_get"] + self.stats["sent_ask"]

    @property
    def succeeded(self) -> int:
        return (min(self.stats["ok_2xx"], self.stats["sent_get"])
                + min(self.stats["ok_chat_302"], self.stats["sent_ask"]))

    @property
    def errors(self) -> int:
        """Requests without their expected answer, plus connections that failed or timed out."""
        sockets = self.stats["socket_errors"]
        return self.sent - self.succeeded + sockets["connect"] + sockets["timeout"]

    @property
    def in_flight(self) -> int:
        return self.sent - self.stats["received"]

    @property
    def rate(self) -> float:
        window = self.stats["window_seconds"]
        return self.stats["received"] / window if window else 0.0

    @property
    def lost_chats(self) -> int:
        return 0 if self.new_chats is None else self.new_chats - self.stats["ok_chat_302"]


def run_wrk(wrk: str, url: str, workdir: Path, name: str, requests: list[dict], seconds: int) -> dict:
    scenario = workdir / f"{name}.lua"
    marker = workdir / f"{name}.drained-"
    scenario.write_text("return " + lua_literal({"cutoff": seconds, "marker": str(marker), "requests": requests}))
    command = [wrk, "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", f"{seconds + DRAIN_LIMIT_SECONDS}s",
               "--latency", "--timeout", WRK_TIMEOUT, "-s", str(LUA_SCRIPT), url, "--", str(scenario)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # noqa: S603
    try:
        while process.poll() is None:
            if len(list(workdir.glob(f"{marker.name}*"))) == THREADS:
                process.send_signal(signal.SIGINT)  # wrk then stops, prints its summary and runs done()
                break
            time.sleep(0.05)
        output, _ = process.communicate(timeout=DRAIN_LIMIT_SECONDS + 30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    (workdir / f"{name}.wrk.txt").write_text(output)
    for line in output.splitlines():
        if line.startswith("LOADJSON "):
            return json.loads(line.removeprefix("LOADJSON "))
    raise LoadError(f"wrk printed no result for {name}:\n{output}")


# REPORT
# ------------------------------------------------------------------------------
def table(outcomes: list[Outcome]) -> str:
    ceiling = outcomes[0].rate or 1.0
    lines = [
        "| scenario | requests | req/s | p50 ms | p95 ms | p99 ms | errors | of ceiling |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for outcome in outcomes:
        latency = outcome.stats["latency_ms"]
        lines.append(
            f"| {outcome.label} | {outcome.stats['received']:,} | {outcome.rate:,.1f} | {latency['p50']:,.1f} | "
            f"{latency['p95']:,.1f} | {latency['p99']:,.1f} | {outcome.errors} | {outcome.rate / ceiling:.1%} |"
        )
    return "\n".join(lines)


def describe_failures(outcome: Outcome) -> list[str]:
    stats = outcome.stats
    notes = []
    if outcome.errors:
        notes.append(f"{outcome.name}: {outcome.errors} errors; statuses {stats['statuses']}, "
                     f"socket errors {stats['socket_errors']}, sent {outcome.sent} "
                     f"({stats['sent_ask']} questions), answered {stats['received']}")
    if outcome.in_flight:
        notes.append(f"{outcome.name}: {outcome.in_flight} requests still unanswered "
                     f"{DRAIN_LIMIT_SECONDS} s after the cutoff")
    if outcome.lost_chats:
        notes.append(f"{outcome.name}: {stats['ok_chat_302']} questions answered 302 but "
                     f"{outcome.new_chats} workspace_chats rows were added")
    return notes


def main() -> int:
    wrk = require_wrk()
    ensure_redis()
    ensure_database()
    workdir = Path(tempfile.mkdtemp(prefix="docent-load-"))
    port = free_port()
    environment = production_environment(workdir / "static", port)
    os.environ.update(environment)
    import django

    django.setup()
    data = prepare_data()
    server = Gunicorn(environment, workdir)
    outcomes: list[Outcome] = []
    failures: list[str] = []
    memory: list[tuple[int, int, int]] = []
    try:
        log(f"Starting gunicorn ({WORKERS} workers) on {server.url}…")
        server.start()
        workers_at_start = server.workers()
        plan = scenarios(data)
        warmup = [request for _, requests in plan.values() for request in requests if request["kind"] == "get"]
        log(f"Warming up for {WARMUP_SECONDS} s…")
        warm = Outcome("warm-up", "warm-up", run_wrk(wrk, server.url, workdir, "warmup", warmup, WARMUP_SECONDS))
        failures += describe_failures(warm)
        if failures:
            raise LoadError("the warm-up already failed:\n" + "\n".join(failures) + "\n" + server.log_tail())
        for name, (label, requests) in plan.items():
            if name == "chat-log":
                label = f"{label}, {chat_backlog(data, CHAT_BACKLOG):,} chats"
            log(f"Scenario {name}: {label} ({SECONDS} s)…")
            asks = any(request["kind"] == "ask" for request in requests)
            before = chat_rows() if asks else None
            outcome = Outcome(name, label, run_wrk(wrk, server.url, workdir, name, requests, SECONDS))
            if asks:
                outcome.new_chats = chat_rows() - before
            outcomes.append(outcome)
            failures += describe_failures(outcome)
            log(f"  {outcome.rate:,.1f} req/s, p99 {outcome.stats['latency_ms']['p99']:,.0f} ms, "
                f"{outcome.errors} errors" + (f", {outcome.new_chats} new chats" if asks else ""))
        workers_at_end = server.workers()
        memory = [(pid, *peak_memory(pid)) for pid in workers_at_end]
        if not workspace_unchanged(data):
            failures.append("the bench workspace was deleted or re-created during the run "
                            "(`make bench` against the same database?): the numbers are not valid")
        if workers_at_end != workers_at_start:
            failures.append(f"gunicorn workers changed during the run: {workers_at_start} -> {workers_at_end}")
    except BaseException:
        log(f"Logs and wrk output kept in {workdir}")
        raise
    finally:
        server.stop()
        forget_sessions(data)
    statuses, problems = server.log_problems()

    from benchmarks.bench import database_version

    print(f"\nDocent load test · {database_version()} · {data.counts[0]:,} documents, {data.counts[1]:,} passages "
          f"· gunicorn {WORKERS} sync workers · wrk {THREADS} threads, {CONNECTIONS} connections, "
          f"{SECONDS} s per scenario · {os.cpu_count()} CPUs shared by wrk, gunicorn, PostgreSQL and Redis "
          f"· Python {platform.python_version()}\n")
    print(table(outcomes))
    asked = sum(outcome.stats["ok_chat_302"] for outcome in outcomes)
    added = sum(outcome.new_chats or 0 for outcome in outcomes)
    print(f"\nQuestions answered 302: {asked:,}; workspace_chats rows added: {added:,}")
    print("Worker peak memory (VmHWM / VmRSS at the end): " + ", ".join(
        f"pid {pid} {hwm} MiB / {rss} MiB" for pid, hwm, rss in memory))
    print(f"Access log statuses: {dict(sorted(statuses.items()))}")
    if problems:
        print(f"Error lines in the gunicorn log ({len(problems)}), the first ones:")
        print("\n".join(f"  {line}" for line in problems[:15]))
    if failures:
        print("\nFAIL\n" + "\n".join(f"- {failure}" for failure in failures))
        print(f"Logs and wrk output kept in {workdir}")
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    print("\nPASS: no errors, no lost chats")
    return 0


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        sys.exit(main())
    except LoadError as error:
        log(f"load: {error}")
        sys.exit(2)
