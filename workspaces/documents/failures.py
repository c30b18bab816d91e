"""Which failures of an ingestion run are worth another try.

Only an outage is: the database or the object store unreachable, a connection dropped, the
database shutting down or out of connections, a deadlock. Everything else is decided by the
file and would happen again on every try, so it fails the document at once: a refusal with
its own message, a database error about the content (PostgreSQL's "string is too long for
tsvector", a value out of range) with CONTENT_REFUSED_BY_DATABASE, and anything unforeseen
with the internal-error message of `ingestion`.

PostgreSQL names the cause of each error by its SQLSTATE. psycopg raises some content errors
as OperationalError (class 54, "program limit exceeded", is one), so the exception class
alone cannot tell an outage from a file.
"""

from django.db import DatabaseError, DataError, InterfaceError, OperationalError

OUTAGE = "outage"
CONTENT = "content"
INTERNAL = "internal"

CONTENT_REFUSED_BY_DATABASE = (
    "The database refused to store the text of this file: some of it is too long or malformed to index "
    "(a line or a word far longer than documents have). Trying again would give the same result; "
    "correct the file and upload it again."
)

# SQLSTATE classes of an outage: connection exception, insufficient resources, operator
# intervention (shutdown), system error, transaction rollback (deadlock, serialization).
OUTAGE_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58", "40"})
# Data exception (value too long, bad encoding…) and program limit exceeded (tsvector, row size).
CONTENT_SQLSTATE_CLASSES = frozenset({"22", "54"})


class TransientError(Exception):
    """A service the run needs is unavailable for now: the run is retried with backoff."""


OUTAGE_ERRORS: tuple[type[BaseException], ...] = (TransientError, InterfaceError, ConnectionError, TimeoutError)
try:
    from botocore.exceptions import ConnectionError as StorageConnectionError
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

    OUTAGE_ERRORS += (StorageConnectionError, ConnectTimeoutError, ReadTimeoutError)
except ImportError:  # no S3 client installed: local storage only
    pass


def failure_kind(error: BaseException) -> str:
    """OUTAGE (retry later), CONTENT (the file's fault: fail now) or INTERNAL (a bug: fail now)."""
    if isinstance(error, OUTAGE_ERRORS):
        return OUTAGE
    if not isinstance(error, DatabaseError):
        return INTERNAL
    sqlstate = _sqlstate(error)
    if sqlstate:
        if sqlstate[:2] in OUTAGE_SQLSTATE_CLASSES:
            return OUTAGE
        if sqlstate[:2] in CONTENT_SQLSTATE_CLASSES:
            return CONTENT
    if isinstance(error, DataError):
        return CONTENT
    if isinstance(error, OperationalError) and not sqlstate:
        # No answer from a server (connection refused or lost), or SQLite busy, locked or unable to open.
        return OUTAGE
    return INTERNAL


def _sqlstate(error: BaseException) -> str:
    """The SQLSTATE of a PostgreSQL error (on the driver's error, Django's cause), or ""."""
    for candidate in (error, error.__cause__):
        sqlstate = getattr(candidate, "sqlstate", None)
        if sqlstate:
            return str(sqlstate)
    return ""
