"""The account page's API keys: made by the member, the secret shown once, listed, revoked."""

import re

import pytest

from accounts.api_keys import ApiKey, api_key_authenticate
from accounts.base import DocentError
from tests.factories import WorkspaceFactory, make_api_key

pytestmark = pytest.mark.django_db


def test_a_member_makes_a_key_and_sees_its_secret_once(member_client, user, workspace):
    response = member_client.post(
        "/account/keys/new/",
        {"name": "upload script", "scopes": ["read", "write"], "workspaces": [workspace.pk], "expires_in_days": "30"},
    )
    assert response.status_code == 201 and "no-store" in response["Cache-Control"]
    secret = re.search(r"dct_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", response.content.decode()).group(0)
    key = api_key_authenticate(secret=secret, ip=None)
    assert key.user == user and key.scopes == ["read", "write"] and list(key.workspaces.all()) == [workspace]
    assert key.expires_at is not None
    page = member_client.get("/account/").content.decode()
    assert key.prefix in page and "upload script" in page and "Research" in page
    assert secret not in page and secret.rsplit("_", 1)[1] not in page


def test_a_member_cannot_limit_a_key_to_someone_elses_workspace(member_client):
    elsewhere = WorkspaceFactory(name="Elsewhere")
    response = member_client.post("/account/keys/new/", {"name": "x", "scopes": ["read"], "workspaces": [elsewhere.pk]})
    assert response.status_code == 200 and not ApiKey.objects.exists()


def test_the_list_shows_last_use_and_revoking_stops_the_key_at_once(member_client, user):
    key, secret = make_api_key(user, name="bot")
    api_key_authenticate(secret=secret, ip="203.0.113.9")
    assert "203.0.113.9" in member_client.get("/account/").content.decode()
    response = member_client.post(f"/account/keys/{key.public_id}/revoke/")
    assert response.status_code == 302
    with pytest.raises(DocentError):
        api_key_authenticate(secret=secret, ip=None)
    assert "Revoked" in member_client.get("/account/").content.decode()


def test_a_member_cannot_revoke_someone_elses_key(member_client, other_user):
    key, secret = make_api_key(other_user)
    assert member_client.post(f"/account/keys/{key.public_id}/revoke/").status_code == 404
    assert api_key_authenticate(secret=secret, ip=None).pk == key.pk


def test_signed_out_visitors_are_sent_to_sign_in(client, user):
    assert client.get("/account/keys/new/")["Location"].startswith("/login/")
