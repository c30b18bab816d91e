"""Settings for the test suite, read by plain `pytest` (pyproject.toml names this module).

Tests run as production would (DEBUG off) but over plain http, with a fixed secret
and a fast password hasher. Anything set in the environment (DATABASE_URL for the
PostgreSQL run, say) still wins.
"""

import os

for name, value in {
    "DEBUG": "0",
    "SECRET_KEY": "test-only-secret-key-not-for-production",
    "SECURE_SSL_REDIRECT": "0",
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
}.items():
    os.environ.setdefault(name, value)

from config.settings import *  # noqa: E402,F403

# One fast hash instead of PBKDF2's many rounds: the suite signs in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# One process, one test at a time (conftest clears it): memory is enough and fastest. Keys are
# made as in production, named after the database (config/cache_keys.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": CACHES["default"]["KEY_FUNCTION"],  # noqa: F405
    }
}

# Tasks run inside the request that queues them, so a test sees the document processed;
# tests of the worker itself switch to the database backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# No connection outlives its use: the test database is dropped at the end, and a thread of the
# semantic-search pool (workspaces.retrieval.semantic) would otherwise keep one open.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# WhiteNoise looks a static file up when it is asked for, instead of listing every file of every
# app at start: each test's client builds the middleware anew, and the listing cost 40 ms each time.
WHITENOISE_AUTOREFRESH = True
