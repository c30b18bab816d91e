"""The site's language: English unless the browser asks for German, and a person's choice on their
account page wins over the browser (issue 29, must-have 6)."""

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import WorkspaceDocumentFactory

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}


def test_english_is_the_default_for_a_browser_that_asks_for_nothing_we_speak(member_client):
    body = member_client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en"' in body and "Your workspaces" in body


def test_a_german_browser_gets_the_home_page_in_german(member_client):
    response = member_client.get("/", **GERMAN)
    body = response.content.decode()
    assert '<html lang="de"' in body
    assert "Ihre Arbeitsbereiche" in body and "Abmelden" in body and "Your workspaces" not in body
    assert response["Content-Language"] == "de"


@pytest.mark.parametrize(("page", "german"), [
    ("", "Noch keine Dokumente"),
    ("chat/", "Ihre Frage"),
    ("search/", "Suche"),
    ("members/", "Mitglied hinzufügen"),
    ("settings/", "Einstellungen speichern"),
    ("insights/", "Fragen, die die Dokumente nicht beantworten konnten"),
    ("activity/", "Noch keine Aktivität aufgezeichnet"),
    ("invites/", "Neuer Einladungslink"),
])
def test_a_german_browser_gets_the_workspace_pages_in_german(owner_client, workspace, page, german):
    body = owner_client.get(f"/w/{workspace.slug}/{page}", **GERMAN).content.decode()
    assert german in body
    assert "Research" in body  # the workspace's own name stays as it is


def test_a_german_browser_gets_the_account_page_and_its_form_labels_in_german(member_client):
    body = member_client.get("/account/", **GERMAN).content.decode()
    assert "Ihr Konto" in body and "Passwort ändern" in body and "Sprache der Website" in body
    assert "<dt>Rolle</dt><dd>Mitglied</dd>" in body and "· Leser" in body


def test_the_sign_in_page_follows_the_browser_before_anyone_signs_in(user):
    body = Client().get("/login/", **GERMAN).content.decode()
    assert "Anmelden" in body and "Benutzername" in body and "Passwort vergessen?" in body


def test_a_refusal_from_a_service_reaches_a_german_browser_in_german(owner_client, workspace):
    response = owner_client.post(f"/w/{workspace.slug}/members/", {"username": "nobody", "role": "viewer"}, **GERMAN)
    assert "Kein aktiver Benutzer heißt „nobody“." in response.content.decode()


def test_the_accounts_german_wins_over_an_english_browser(member_client, user):
    user.language = "de"
    user.save()
    body = member_client.get("/", **ENGLISH).content.decode()
    assert '<html lang="de"' in body and "Ihre Arbeitsbereiche" in body


def test_the_accounts_english_wins_over_a_german_browser(member_client, user):
    user.language = "en"
    user.save()
    body = member_client.get("/", **GERMAN).content.decode()
    assert '<html lang="en"' in body and "Your workspaces" in body


def test_choosing_a_language_on_the_account_page_keeps_it_for_the_person(member_client, user):
    response = member_client.post("/account/language/", {"language": "de"}, **ENGLISH)
    assert response.status_code == 302 and response["Location"] == "/account/"
    assert User.objects.get(pk=user.pk).language == "de"
    body = member_client.get("/account/", **ENGLISH).content.decode()
    assert "Ihr Konto" in body and '<option value="de" selected>' in body

    member_client.post("/account/language/", {"language": ""})
    assert User.objects.get(pk=user.pk).language == ""
    assert "Ihre Arbeitsbereiche" in member_client.get("/", **GERMAN).content.decode()
    assert "Your workspaces" in member_client.get("/", **ENGLISH).content.decode()


def test_an_unknown_language_is_a_400_and_nothing_is_kept(member_client, user):
    response = member_client.post("/account/language/", {"language": "xx"})
    assert response.status_code == 400
    response = member_client.post("/account/language/", {})
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).language == ""


def test_the_language_form_needs_a_signed_in_person_a_post_and_its_csrf_token(user):
    assert Client().post("/account/language/", {"language": "de"}).status_code == 302  # to sign-in
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post("/account/language/", {"language": "de"}).status_code == 403
    assert strict.get("/account/language/").status_code == 405
    assert User.objects.get(pk=user.pk).language == ""


def test_the_admin_stays_in_english_for_a_german_browser_and_a_german_account(admin_client, admin_user):
    admin_user.language = "de"
    admin_user.save()
    response = admin_client.get("/admin/", **GERMAN)
    assert '<html lang="en"' in response.content.decode() and response["Content-Language"] == "en"
    assert "Ihre Arbeitsbereiche" in admin_client.get("/", **GERMAN).content.decode()


def test_a_cached_documents_list_is_never_served_in_the_other_language(member_client, workspace):
    WorkspaceDocumentFactory(workspace=workspace, filename="plan.txt")
    assert "Nach Dateiname filtern" in member_client.get(f"/w/{workspace.slug}/", **GERMAN).content.decode()
    english = member_client.get(f"/w/{workspace.slug}/", **ENGLISH).content.decode()
    assert "Filter by file name" in english and "Nach Dateiname filtern" not in english
