"""What a web process loads on its first requests, loaded when it starts instead.

Under gunicorn's `preload_app` (gunicorn.conf.py) the master runs this once, before it forks
the workers, which then share what it built rather than each building a copy of its own
(issue 30): the cache's client library, the URL patterns' lookup tables, both languages'
translation catalogs, the project's compiled templates and the certificate store of
outgoing requests. Nothing here opens a connection.
"""

from contextlib import suppress
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver
from django.utils import translation

from workspaces.outgoing import tls_context


def web_process_preload() -> None:
    caches["default"]  # builds the backend, importing its client library (redis), without connecting
    get_resolver()._populate()  # what the first reverse() would build
    for code, _name in settings.LANGUAGES:
        translation.trans_real.translation(code)  # the catalogs, read and merged
    engine = engines["django"].engine
    for folder in map(Path, engine.dirs):
        for path in sorted(folder.rglob("*.html")):
            # A broken template fails its page when asked for, as before, not the server's start.
            with suppress(TemplateSyntaxError):
                engine.get_template(str(path.relative_to(folder)))  # compiled into the cached loader
    tls_context()
