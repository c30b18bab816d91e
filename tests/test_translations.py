"""The German catalog (config/locale/de): complete, compiled, and with nothing left in English on the
member and owner pages (issue 29, must-have 6). No gettext tools needed: polib reads both files."""

import html
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.text import Truncator

from settings_app.services import setting_get
from tests.factories import DocumentPassageFactory, WorkspaceChatFactory, WorkspaceDocumentFactory

CATALOG = Path(settings.LOCALE_PATHS[0]) / "de" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


# django: templates and Python; djangojs: the page scripts (static/js), served by /jsi18n/.
@pytest.fixture(scope="module", params=["django", "djangojs"])
def domain(request):
    return request.param


@pytest.fixture(scope="module")
def po(domain):
    return polib.pofile(str(CATALOG / f"{domain}.po"))


def test_every_entry_of_the_german_catalog_is_translated_and_none_is_fuzzy(po):
    assert len(po) > 20
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy
    for entry in po:
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        assert all(form.strip() for form in forms), entry.msgid


def test_every_translation_keeps_the_placeholders_of_its_english(po):
    for entry in po:
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        english = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) <= english, (entry.msgid, form)
            # The singular of a plural may leave the count out ("eine Frage"); everything else keeps them all.
            if not entry.msgid_plural:
                assert set(PLACEHOLDER.findall(form)) == english, (entry.msgid, form)


def test_the_compiled_catalog_is_the_po_file_as_it_is_now(po, domain):
    """`make run` needs no gettext tools: the .mo files are committed, so they must match the .po files."""
    compiled = {(entry.msgid, entry.msgid_plural): entry for entry in polib.mofile(str(CATALOG / f"{domain}.mo"))}
    for entry in po:
        found = compiled.get((entry.msgid, entry.msgid_plural))
        assert found is not None, f"not compiled: {entry.msgid!r} (run compilemessages)"
        if entry.msgid_plural:
            assert dict(found.msgstr_plural) == dict(entry.msgstr_plural), entry.msgid
        else:
            assert found.msgstr == entry.msgstr, entry.msgid
    assert len(compiled) == len(po)


# Words of the English interface that German pages must not show (user content aside).
ENGLISH_WORDS = re.compile(
    r"\b(the|and|your|you|of|with|workspaces?|documents?|members?|settings|upload|delete|search|"
    r"sign (?:in|out)|cancel|save|questions?|answers?|passages?|sources?|never|revoke|remove|"
    r"no \w+ yet|theme|account|page|next|previous|download|ready|queued)\b",
    re.IGNORECASE,
)
# German words that contain an English one as a whole word, and the names the fixtures give.
ALLOWED = {
    "Chat", "Chats", "Passage", "Upload", "Admin", "Docent", "Research", "CSV", "Tokens", "Status", "Link", "Details",
    "Text",
}


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style|svg|textarea|code)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def english_leftovers(page: str, *, user_content: tuple[str, ...]) -> list[str]:
    text = visible_text(page)
    for content in user_content:
        text = text.replace(content, " ")
    return sorted({match.group(0) for match in ENGLISH_WORDS.finditer(text)} - ALLOWED)


@pytest.mark.django_db
def test_the_member_and_owner_pages_in_german_show_no_english_interface_words(owner_client, owner, workspace):
    document = WorkspaceDocumentFactory(workspace=workspace, filename="bericht.txt")
    DocumentPassageFactory(document=document, text="Der Bericht.")
    chat = WorkspaceChatFactory(workspace=workspace, user=owner, prompt="Wo steht der Bericht?")
    server_prompt = Truncator(setting_get("default_system_prompt")).chars(140)  # an admin's text, quoted
    user_content = ("bericht.txt", "Der Bericht.", "Wo steht der Bericht?", "An answer.", owner.username, server_prompt)
    pages = [
        "/", "/account/", "/account/insights/", "/workspaces/new/",
        f"/w/{workspace.slug}/", f"/w/{workspace.slug}/documents/upload/", document.get_absolute_url(),
        f"/w/{workspace.slug}/documents/{document.doc_id}/delete/",
        f"/w/{workspace.slug}/chat/", f"/w/{workspace.slug}/chat/{chat.pk}/sources/1/",
        f"/w/{workspace.slug}/search/", f"/w/{workspace.slug}/search/?q=Bericht",
        f"/w/{workspace.slug}/members/", f"/w/{workspace.slug}/invites/", f"/w/{workspace.slug}/settings/",
        f"/w/{workspace.slug}/insights/", f"/w/{workspace.slug}/activity/", "/no-such-page/",
    ]
    found = {}
    for page in pages:
        response = owner_client.get(page, HTTP_ACCEPT_LANGUAGE="de")
        if response.status_code in (200, 404) and response["Content-Type"].startswith("text/html"):
            leftovers = english_leftovers(response.content.decode(), user_content=user_content)
            if leftovers:
                found[page] = leftovers
    assert found == {}


@pytest.mark.django_db
def test_the_page_scripts_get_their_words_in_the_pages_language(member_client):
    page = member_client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<script src="/jsi18n/?l=de" defer></script>' in page
    catalog = member_client.get("/jsi18n/?l=de", HTTP_ACCEPT_LANGUAGE="de")
    assert catalog.status_code == 200 and catalog["Content-Type"].startswith("text/javascript")
    assert "Wird hochgeladen\\u2026" in catalog.content.decode() or "Wird hochgeladen…" in catalog.content.decode()
    english = member_client.get("/jsi18n/?l=en", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wird hochgeladen" not in english
