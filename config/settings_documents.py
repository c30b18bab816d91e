"""Settings of reading documents (the bounded extraction child, OCR) and of sources (watched
folders and web pages) and of the search index, read by config/settings.py from the same environment."""

from pathlib import Path

import environ

env = environ.Env()
_BASE_DIR = Path(__file__).resolve().parent.parent

# DOCUMENT EXTRACTION (workspaces/documents/sandbox.py)
# ------------------------------------------------------------------------------
# Each upload is read in a separate process: the memory it may use on top of the
# worker's, and how long it may take, before it is killed and the file refused.
EXTRACTION_MEMORY_MB = env.int("EXTRACTION_MEMORY_MB", default=1024)
EXTRACTION_TIMEOUT_SECONDS = env.float("EXTRACTION_TIMEOUT_SECONDS", default=60.0)
# PDFs and images may need OCR (1-5 s a page): they get this limit instead.
EXTRACTION_OCR_TIMEOUT_SECONDS = env.float("EXTRACTION_OCR_TIMEOUT_SECONDS", default=600.0)
# Documents one extraction child reads in turn before a fresh child replaces it (1: a child per
# document). A child that fails, or grows by a quarter of EXTRACTION_MEMORY_MB, is replaced at once.
EXTRACTION_CHILD_DOCUMENTS = env.int("EXTRACTION_CHILD_DOCUMENTS", default=200)
# The Tesseract program OCR runs (a name on PATH or a full path); missing: scans fail with a clear message.
TESSERACT_CMD = env("TESSERACT_CMD", default="tesseract")

# SOURCES (workspaces/sources/): watched folders and web pages, docs/administration.md "Sources"
# ------------------------------------------------------------------------------
# A watched folder must lie under one of these folders (symlinks resolved); none: no folder sources.
SOURCE_FOLDER_ROOTS = env.list("SOURCE_FOLDER_ROOTS", default=[])
# Web sources never reach loopback, private, link-local, metadata or other non-global addresses,
# except the hosts (names or IP addresses) or networks (CIDR) listed here, e.g. an intranet.
SOURCE_ALLOWED_HOSTS = env.list("SOURCE_ALLOWED_HOSTS", default=[])
# Per page: its largest body and the time for the whole exchange (redirects included).
SOURCE_PAGE_MAX_BYTES = env.int("SOURCE_PAGE_MAX_BYTES", default=5 * 1024 * 1024)
SOURCE_PAGE_TIMEOUT_SECONDS = env.float("SOURCE_PAGE_TIMEOUT_SECONDS", default=20.0)
# A folder's files read per sync at most; how long a sync holds its source without a sign of life.
SOURCE_FOLDER_MAX_FILES = env.int("SOURCE_FOLDER_MAX_FILES", default=5000)
SOURCE_SYNC_LEASE_SECONDS = env.int("SOURCE_SYNC_LEASE_SECONDS", default=600)

# SEARCH INDEX (workspaces/retrieval/search_index.py): each host's own tantivy folders, derived
# from the database and rebuilt from it when missing. Empty: BM25 ranks in the database.
SEARCH_INDEX_DIR = env("SEARCH_INDEX_DIR", default=str(_BASE_DIR / ".cache" / "search-index"))
# A workspace up to this many passages gets its folder during its first search on a host; a
# larger one in the background (the database ranks meanwhile) or by `manage.py search_index_build`.
SEARCH_INDEX_INLINE_PASSAGES = env.int("SEARCH_INDEX_INLINE_PASSAGES", default=20_000)
# How long the database keeps the change log: a host further behind rebuilds its folders.
INDEX_CHANGES_KEPT_DAYS = env.int("INDEX_CHANGES_KEPT_DAYS", default=30)
