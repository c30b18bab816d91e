"""Scope × role × workspace for every endpoint (issue 24, must-have 4): what each key may do
follows a table written here, apart from the code: the key's scope AND the user's role now
AND the key's workspace limit. Outside the user's workspaces or the key's limit: 404;
seen but not allowed: 403."""

import itertools

import pytest

from accounts.api_keys import WORKSPACE_NOT_VISIBLE
from accounts.base import DocentError
from tests.factories import (
    AdminFactory,
    DocumentPassageFactory,
    UserFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)
from tests.workspaces.documents.sample_files import upload, words

pytestmark = pytest.mark.django_db

ROLE_MAY = {
    "viewer": {"see", "search", "ask"},
    "editor": {"see", "search", "ask", "upload"},
    "owner": {"see", "search", "ask", "upload", "delete", "reindex"},
    "admin": {"see", "search", "ask", "upload", "delete", "reindex"},
    "none": set(),
}
SCOPE_MAY = {
    "read": {"see", "search"}, "ask": {"ask"}, "write": {"upload", "delete", "reindex"}, "manage": set(),
}
SCOPE_SETS = [["read"], ["ask"], ["write"], ["manage"], ["read", "ask", "write", "manage"]]


def endpoints(api, slug, document):
    """(what it needs, the request, its success status)."""
    base = f"/api/v1/workspaces/{slug}"
    doc = f"{base}/documents/{document.doc_id}"
    new_file = upload(f"n{document.pk}.txt", words(30, f"d{document.pk}w"))
    return [
        ("see", lambda: api.get(base), 200),
        ("see", lambda: api.get(f"{base}/documents"), 200),
        ("see", lambda: api.get(doc), 200),
        ("upload", lambda: api.upload(f"{base}/documents", [new_file]), 201),
        ("reindex", lambda: api.post(f"{doc}/reindex"), 202),
        ("search", lambda: api.get(f"{base}/search", {"q": "lighthouse"}), 200),
        ("ask", lambda: api.post(f"{base}/chats", {"prompt": "Who keeps the lighthouse?"}), 200),
        ("ask", lambda: api.get(f"{base}/chats"), 200),
        ("ask", lambda: api.delete(f"{base}/chats"), 200),
        ("delete", lambda: api.delete(doc), 204),  # last: it removes the document
    ]


def new_document(workspace, uploader):
    document = WorkspaceDocumentFactory(workspace=workspace, uploaded_by=uploader)
    DocumentPassageFactory(document=document, text="The lighthouse keeper logs every ship.")
    return document


@pytest.mark.parametrize("limited_to", ["none", "this", "another"])
@pytest.mark.parametrize("role", list(ROLE_MAY))
def test_every_endpoint_answers_as_scope_role_and_workspace_say(api_as, role, limited_to, settings):
    settings.CHAT_RATE_LIMIT_PER_MINUTE = 0
    workspace, other = WorkspaceFactory(name="Walk"), WorkspaceFactory(name="Other")
    uploader = UserFactory(username="uploader")
    if role == "admin":
        person = AdminFactory(username="walker")
    else:
        person = UserFactory(username="walker")
        if role != "none":
            WorkspaceUserFactory(user=person, workspace=workspace, role=role)
    WorkspaceUserFactory(user=person, workspace=other, role="viewer")
    limit = {"none": None, "this": [workspace], "another": [other]}[limited_to]
    if role == "none" and limited_to == "this":
        with pytest.raises(DocentError, match=WORKSPACE_NOT_VISIBLE):  # no key reaches a workspace not yours
            api_as(person, scopes=["read"], workspaces=limit)
        return
    for scopes in SCOPE_SETS:
        api = api_as(person, scopes=scopes, workspaces=limit, name="+".join(scopes))
        granted = set().union(*(SCOPE_MAY[scope] for scope in scopes))
        reaches = limited_to != "another" and role != "none"
        document = new_document(workspace, uploader)
        for needs, call, success in endpoints(api, workspace.slug, document):
            response = call()
            if reaches and needs in ROLE_MAY[role] and needs in granted:
                expected = success
            elif not reaches:
                expected = 404
            else:
                expected = 403
            assert response.status_code == expected, (role, limited_to, scopes, needs, response.content[:300])
            assert response.status_code < 500


@pytest.mark.parametrize("scopes,role", list(itertools.product(SCOPE_SETS, ["viewer", "none"])))
def test_the_workspace_list_holds_exactly_what_the_key_may_read(api_as, scopes, role):
    workspace, other = WorkspaceFactory(name="Walk"), WorkspaceFactory(name="Other")
    person = UserFactory(username="walker")
    WorkspaceUserFactory(user=person, workspace=other, role="editor")
    if role != "none":
        WorkspaceUserFactory(user=person, workspace=workspace, role=role)
    listed = api_as(person, scopes=scopes).get("/api/v1/workspaces").json()["items"]
    expected = ["other", "walk"] if role != "none" else ["other"]
    assert [item["slug"] for item in listed] == (expected if "read" in scopes else [])
    assert api_as(person, scopes=scopes).get("/api/v1/usage").status_code == 200
