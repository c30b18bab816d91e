"""Dark mode: the top bar's button keeps a person's choice; pages carry it to the stylesheet."""

import pytest

from accounts.preferences import Theme

pytestmark = pytest.mark.django_db


def test_a_new_person_follows_their_system_until_they_choose(member_client):
    page = member_client.get("/").content.decode()
    assert '<html lang="en" data-theme="system">' in page
    assert "Theme: auto" in page


def test_the_button_moves_to_dark_then_light_and_the_choice_is_kept_for_the_next_page(member_client, user):
    answer = member_client.post("/account/theme/", {"theme": "dark", "next": "/w/research/"})
    assert answer.status_code == 302 and answer["Location"] == "/w/research/"
    user.refresh_from_db()
    assert user.theme == Theme.DARK
    page = member_client.get("/").content.decode()
    assert 'data-theme="dark"' in page and 'value="light"' in page
    member_client.post("/account/theme/", {"theme": "light"})
    user.refresh_from_db()
    assert user.theme == Theme.LIGHT


def test_an_unknown_theme_is_a_400_and_changes_nothing(member_client, user):
    answer = member_client.post("/account/theme/", {"theme": "neon"})
    assert answer.status_code == 400
    user.refresh_from_db()
    assert user.theme == Theme.SYSTEM


def test_the_way_back_never_leaves_the_site(member_client):
    answer = member_client.post("/account/theme/", {"theme": "dark", "next": "https://evil.example/"})
    assert answer["Location"] == "/"


def test_signed_out_pages_follow_the_system_and_the_button_needs_a_session(client, user):
    assert 'data-theme="system"' in client.get("/login/").content.decode()
    answer = client.post("/account/theme/", {"theme": "dark"})
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")


def test_the_button_is_a_csrf_protected_post(client, user):
    client.handler.enforce_csrf_checks = True
    client.force_login(user)
    assert client.post("/account/theme/", {"theme": "dark"}).status_code == 403
    assert client.get("/account/theme/").status_code == 405
