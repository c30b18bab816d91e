"""Service accounts and their keys in the admin: keys are secrets there too."""

import re

import pytest
from django.core.exceptions import PermissionDenied

from accounts.api_keys import ApiKey, api_key_authenticate
from accounts.base import DocentError
from accounts.models import User
from tests.factories import UserFactory, WorkspaceUserFactory, make_api_key

pytestmark = pytest.mark.django_db


def test_an_admin_creates_a_service_account_without_a_password(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/", {"username": "ingest-bot", "role": "default", "is_service_account": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bot = User.objects.get(username="ingest-bot")
    assert bot.is_service_account and not bot.has_usable_password()


def test_a_service_account_cannot_hold_a_staff_role(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/", {"username": "root-bot", "role": "admin", "is_service_account": "on"}
    )
    assert response.status_code == 200 and not User.objects.filter(username="root-bot").exists()


def test_an_admin_makes_a_key_for_a_service_account_and_sees_the_secret_once(admin_client, workspace):
    bot = UserFactory(username="ingest-bot", is_service_account=True)
    WorkspaceUserFactory(user=bot, workspace=workspace, role="editor")
    response = admin_client.post("/admin/accounts/apikey/add/", {
        "user": bot.pk, "name": "nightly import", "scopes": ["write"], "workspaces": [workspace.pk],
    })
    assert response.status_code == 201 and "no-store" in response["Cache-Control"]
    secret = re.search(r"dct_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", response.content.decode()).group(0)
    assert api_key_authenticate(secret=secret, ip=None).user == bot
    key = ApiKey.objects.get()
    pages = ("/admin/accounts/apikey/", f"/admin/accounts/apikey/{key.pk}/change/")
    for page in (admin_client.get(address) for address in pages):
        assert page.status_code == 200
        assert key.secret_hash not in page.content.decode() and secret not in page.content.decode()


def test_the_key_list_refuses_lookups_on_the_hash(admin_client, user):
    key, _ = make_api_key(user)
    assert admin_client.get(f"/admin/accounts/apikey/?secret_hash__startswith={key.secret_hash[:2]}").status_code == 400
    found = admin_client.get(f"/admin/accounts/apikey/?q={key.secret_hash}").content.decode()
    assert key.prefix not in found


def test_the_revoke_action_stops_the_keys(admin_client, user):
    key, secret = make_api_key(user)
    admin_client.post("/admin/accounts/apikey/", {"action": "revoke_keys", "_selected_action": [key.pk]})
    with pytest.raises(DocentError):
        api_key_authenticate(secret=secret, ip=None)


@pytest.mark.parametrize("client_fixture", ["admin_client", "manager_client"])
@pytest.mark.parametrize("target_role", ["default", "manager"])
def test_staff_cannot_mint_a_key_that_acts_as_a_real_person(request, client_fixture, target_role, workspace):
    """A key acts as its user: a manager holding a member's key would read the member's private
    chats. Staff make keys for service accounts only, by the admin and by the service."""
    from accounts.api_keys import api_key_create

    client = request.getfixturevalue(client_fixture)
    person = UserFactory(username="person", role=target_role)
    WorkspaceUserFactory(user=person, workspace=workspace)
    response = client.post("/admin/accounts/apikey/add/", {"user": person.pk, "name": "theirs", "scopes": ["ask"]})
    assert response.status_code == 200  # the form refuses the choice
    assert not ApiKey.objects.exists()
    actor = request.getfixturevalue("admin_user" if client_fixture == "admin_client" else "manager_user")
    with pytest.raises(PermissionDenied):
        api_key_create(user=person, name="theirs", scopes=["ask"], actor=actor)


def test_staff_still_revoke_the_keys_of_the_people_they_manage(manager_client, user):
    key, secret = make_api_key(user)
    manager_client.post("/admin/accounts/apikey/", {"action": "revoke_keys", "_selected_action": [key.pk]})
    with pytest.raises(DocentError):
        api_key_authenticate(secret=secret, ip=None)
