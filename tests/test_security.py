"""Security headers and error pages, as a browser receives them."""

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_pages_carry_a_csp_without_inline_scripts_and_deny_framing(client, user):
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_page_contains_an_inline_script(member_client):
    for path in ("/", "/account/", "/login/"):
        body = member_client.get(path).content.decode()
        assert "<script>" not in body and "<script " not in body.replace('<script src=', "")


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https_when_enabled(client, user):
    response = client.get("/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200


def test_404_page_uses_the_site_layout(member_client):
    response = member_client.get("/w/no-such-workspace/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and 'class="topbar"' in body


def test_500_page_uses_the_site_layout_without_a_stack_trace(user, settings):
    from django.urls import path

    def broken(request):
        raise RuntimeError("secret internals")

    import config.urls

    settings.ROOT_URLCONF = type("urls", (), {"urlpatterns": [path("boom/", broken), *config.urls.urlpatterns]})
    client = Client(raise_request_exception=False)
    client.force_login(user)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "secret internals" not in body and "Traceback" not in body


def test_csrf_failure_page_explains_what_to_do(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "mia", "password": "x"})
    assert response.status_code == 403
    assert "This form expired" in response.content.decode()
