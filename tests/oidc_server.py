"""An OpenID Connect provider for tests: oidc-provider-mock (PyPI), in its own process on 127.0.0.1.

Docent talks to it over HTTP exactly as to Keycloak or Entra ID (discovery, authorization code
with PKCE, token, userinfo); nothing in allauth is mocked. Each person's claims (email, groups…)
are set over HTTP with `set_claims`; signing in at the provider is a form post with the subject.
"""

import contextlib
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.ports import free_port

PROVIDER_ID = "acme"
PROVIDER_LABEL = "Acme ID"
CLIENT_ID = "docent"
CLIENT_SECRET = "docent-secret"  # noqa: S105 - the test provider accepts any


@contextlib.contextmanager
def oidc_provider():
    """Start the provider on a free port; yield its issuer URL."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed command
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"The OpenID Connect test provider did not start on port {port}.")
        time.sleep(0.1)
    try:
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


def provider_settings(issuer: str) -> dict:
    """SOCIALACCOUNT_PROVIDERS as config/settings.py builds it from OIDC_* variables."""
    return {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [{
        "provider_id": PROVIDER_ID, "name": PROVIDER_LABEL, "client_id": CLIENT_ID, "secret": CLIENT_SECRET,
        "settings": {"server_url": issuer, "scope": ["openid", "profile", "email"]},
    }]}}


def set_claims(issuer: str, subject: str, **claims) -> None:
    """What the provider says about `subject` from the next sign-in on (PUT /users/<sub>)."""
    httpx.put(f"{issuer}/users/{subject}", json=claims, timeout=5).raise_for_status()


def authorize(authorize_url: str, subject: str) -> str:
    """Sign in at the provider as `subject` (its form's post); the redirect back to Docent."""
    answer = httpx.post(authorize_url, data={"sub": subject}, timeout=5)
    assert answer.status_code == 302, answer.text[:300]
    return answer.headers["location"]


def callback_path(location: str) -> str:
    """The callback URL's path and query, for Django's test client."""
    parts = urlsplit(location)
    assert "code" in parse_qs(parts.query), location
    return f"{parts.path}?{parts.query}"
