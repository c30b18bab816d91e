"""What this release is made of, as one short fingerprint: the project's code and templates.

Caches of rendered HTML (the documents list, chat turns) put it in their keys, so after a deploy
that changes a template or the code that feeds it no page shows HTML of the previous release."""

import functools
import hashlib
from pathlib import Path

from django.conf import settings

SOURCES = ("*.py", "*.html")
FOLDERS = ("accounts", "settings_app", "workspaces", "config", "templates")


@functools.cache
def release_fingerprint() -> str:
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in FOLDERS:
        for pattern in SOURCES:
            for path in sorted((base / folder).rglob(pattern)):
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
