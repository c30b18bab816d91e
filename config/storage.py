import logging

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files. When `collectstatic` has never run (no manifest),
    pages still render with plain URLs, served by whitenoise's finders, and the omission
    is logged, instead of every page failing with a 500."""

    def url(self, name, force=False):
        try:
            return super().url(name, force)
        except ValueError:
            if self.hashed_files:
                raise  # collected, but not this file: whitenoise and Django handle that as usual
            logger.error("Static files are not collected (%s): run `manage.py collectstatic`.", name)
            return StaticFilesStorage.url(self, name)
