"""Every cache key names the database its value was read from.

The cache outlives the database it describes: the default file cache sits in the checkout
(`.cache/django`), and one Redis may serve several deploys. After `rm db.sqlite3`, a
PostgreSQL database dropped and created again under its name, or DATABASE_URL pointed at
another database, a value read from the old one ("setup is done", settings, vector versions)
must not be found again. So settings.py makes `database_scoped_key` the cache's KEY_FUNCTION:
each key starts with a digest of the database's identity, its engine, host, port and name and
the moment its first migration was applied (the oldest row of `django_migrations`, to the
microsecond), which a database created again at the same address does not share. That needs
no table of Docent's own and works alike on every engine; a SQLite file's inode would not do,
as a file created after a delete often gets the freed inode back.

The identity is read once per database connection (two small queries), so a process that
outlives a reset (a development server whose SQLite file was deleted and migrated again)
sees the new database with its next connection. Until the database is migrated, or while it
cannot be read, keys carry a prefix of this process's own: nothing is shared or kept.
"""

import hashlib
import secrets
import threading

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.recorder import MigrationRecorder

FIRST_MIGRATION_SQL = "SELECT MIN(applied) FROM django_migrations"
PROCESS_ONLY_PREFIX = f"process-{secrets.token_hex(8)}"

_read = threading.local()  # per thread, as Django's connections are


def database_scoped_key(key: str, key_prefix: str, version: int) -> str:
    """Django's `prefix:version:key`, after the identity of the database in use."""
    return f"{database_identity()}:{key_prefix}:{version}:{key}"


def database_identity() -> str:
    """A digest naming the default database, or PROCESS_ONLY_PREFIX when it cannot say."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
        if getattr(_read, "connection", None) is connection.connection:
            return _read.identity
        identity = _identity_read(connection)
    except DatabaseError:
        return PROCESS_ONLY_PREFIX
    if identity is None:
        return PROCESS_ONLY_PREFIX
    # The connection object is kept with its identity, so a new connection is never mistaken for it.
    _read.connection, _read.identity = connection.connection, identity
    return identity


def _identity_read(connection) -> str | None:
    if not MigrationRecorder(connection).has_table():
        return None
    with connection.cursor() as cursor:
        cursor.execute(FIRST_MIGRATION_SQL)
        (first_migration,) = cursor.fetchone()
    if first_migration is None:
        return None
    database = connection.settings_dict
    address = "\0".join(
        str(part) for part in (connection.vendor, database["HOST"], database["PORT"], database["NAME"], first_migration)
    )
    return hashlib.sha256(address.encode()).hexdigest()[:16]
