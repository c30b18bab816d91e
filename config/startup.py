from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Refuse to serve without a SECRET_KEY (only DEBUG has a development default)."""
    if not settings.DEBUG and not _secret_key():
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable: Docent will not serve without one.")


def _secret_key() -> str:
    try:
        return settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to read an empty key
        return ""
