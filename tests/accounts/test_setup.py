
import pytest

from accounts.models import User
from accounts.roles import Role
from tests.concurrency import at_once
from tests.factories import UserFactory

SETUP = {"username": "Founder", "password1": "a-long-enough-pass-1", "password2": "a-long-enough-pass-1"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/login/", "/admin/", "/w/anything/"])
def test_every_page_leads_to_setup_while_no_user_exists(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/setup/"


@pytest.mark.django_db
def test_setup_creates_the_first_admin_and_signs_them_in(client):
    response = client.post("/setup/", SETUP)
    assert response.status_code == 302
    founder = User.objects.get()
    assert founder.username == "founder"
    assert founder.role == Role.ADMIN and founder.is_superuser and founder.is_staff
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_setup_shows_inline_errors_and_keeps_the_username(client):
    response = client.post("/setup/", {**SETUP, "password2": "something-else-entirely"})
    assert response.status_code == 200
    assert "The two passwords differ." in response.content.decode()
    assert 'value="Founder"' in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_setup_answers_404_once_a_user_exists(client):
    UserFactory()
    assert client.get("/setup/").status_code == 404
    assert client.post("/setup/", SETUP).status_code == 404
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_setup_requests_create_exactly_one_admin():
    from django.test import Client

    codes = at_once(lambda number: Client().post("/setup/", {**SETUP, "username": f"founder{number}"}).status_code, 6)
    assert User.objects.count() == 1
    assert sorted(codes) == [302] + [404] * 5
