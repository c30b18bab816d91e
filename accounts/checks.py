"""System checks for the accounts app: the proxy settings that decide each client's address."""

from django.conf import settings
from django.core.checks import Warning as CheckWarning

PROXY_COUNT_WITHOUT_IPS = (
    "TRUSTED_PROXY_COUNT is set but TRUSTED_PROXY_IPS is empty: X-Forwarded-For is ignored and "
    "every client is known by the address it connects from (behind a proxy, the proxy's)."
)
PROXY_COUNT_HINT = (
    "Set TRUSTED_PROXY_IPS to the addresses (or networks) of your reverse proxies, or unset TRUSTED_PROXY_COUNT."
)
PROXY_IPS_WITHOUT_COUNT = (
    "TRUSTED_PROXY_IPS is set but TRUSTED_PROXY_COUNT is 0: X-Forwarded-For is ignored and clients "
    "behind the proxy share its address (lockouts and throttles then hit them all)."
)
PROXY_IPS_HINT = (
    "Set TRUSTED_PROXY_COUNT to the number of proxies that append to X-Forwarded-For (or leave it unset: 1)."
)


def proxy_settings_check(app_configs=None, **kwargs):
    """TRUSTED_PROXY_COUNT and TRUSTED_PROXY_IPS only work together (accounts.audit.client_ip)."""
    if settings.TRUSTED_PROXY_COUNT and not settings.TRUSTED_PROXY_IPS:
        return [CheckWarning(PROXY_COUNT_WITHOUT_IPS, hint=PROXY_COUNT_HINT, id="accounts.W001")]
    if settings.TRUSTED_PROXY_IPS and not settings.TRUSTED_PROXY_COUNT:
        return [CheckWarning(PROXY_IPS_WITHOUT_COUNT, hint=PROXY_IPS_HINT, id="accounts.W002")]
    return []
