import pytest

from accounts.forms import SUSPENDED_MESSAGE
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_member_signs_in_with_any_letter_case_and_lands_home(client):
    UserFactory(username="mia")
    response = client.post("/login/", {"username": "MIA", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").wsgi_request.user.username == "mia"


def test_unknown_user_and_wrong_password_get_the_same_message(client):
    UserFactory(username="mia")
    wrong = client.post("/login/", {"username": "mia", "password": "nope-nope-nope"}).content.decode()
    unknown = client.post("/login/", {"username": "nobody", "password": "nope-nope-nope"}).content.decode()
    message = "That username and password do not match an account."
    assert message in wrong and message in unknown


def test_suspended_user_is_refused_with_a_clear_message(client):
    UserFactory(username="sam", suspended=True)
    response = client.post("/login/", {"username": "sam", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert SUSPENDED_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_suspension_message_needs_the_right_password(client):
    UserFactory(username="sam", suspended=True)
    response = client.post("/login/", {"username": "sam", "password": "wrong-password-1"})
    assert SUSPENDED_MESSAGE not in response.content.decode()


def test_sign_out_is_a_post_and_ends_the_session(member_client):
    confirm = member_client.get("/logout/")
    assert confirm.status_code == 200 and "Sign out?" in confirm.content.decode()
    assert member_client.get("/").status_code == 200  # a GET signs nobody out
    response = member_client.post("/logout/")
    assert response.status_code == 302
    assert member_client.get("/").status_code == 302


def test_home_requires_sign_in(client, user):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
