import logging

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; a page still renders when `collectstatic` was not run
    (the plain URL is used, served by whitenoise's finders, and the omission is logged)."""

    def url(self, name, force=False):
        try:
            return super().url(name, force)
        except ValueError:
            logger.error("Static file %s is not collected: run `manage.py collectstatic`.", name)
            return StaticFilesStorage.url(self, name)
