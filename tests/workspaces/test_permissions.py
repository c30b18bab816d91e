"""`workspaces.permissions` is the one answer; the site, the admin and the services agree with it.

The table: each person (global role, or membership role) × each action × each door."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from settings_app.services import setting_set
from tests.factories import (
    AdminFactory,
    ManagerFactory,
    UserFactory,
    WorkspaceChatFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)
from workspaces import permissions as p
from workspaces.chats.services import chat_ask
from workspaces.documents.services import document_delete, document_ingest
from workspaces.models import Workspace, WorkspaceChat
from workspaces.services import membership_add, workspace_update

pytestmark = pytest.mark.django_db

# person -> the actions they have in `workspace` (staff: in every workspace)
EXPECTED = {
    "admin": set(p.ACTIONS),
    "manager": set(p.ACTIONS),
    "owner": {p.SEE, p.SEARCH, p.ASK, p.UPLOAD, p.DELETE_OWN_DOCUMENT, p.DELETE_DOCUMENT, p.MANAGE_MEMBERS,
              p.MANAGE_SETTINGS, p.READ_INSIGHTS, p.MANAGE_SOURCES},
    "editor": {p.SEE, p.SEARCH, p.ASK, p.UPLOAD, p.DELETE_OWN_DOCUMENT},
    "viewer": {p.SEE, p.SEARCH, p.ASK},
    "outsider": set(),
}
MEMBERS = ("owner", "editor", "viewer")


@pytest.fixture
def people(workspace):
    found = {"admin": AdminFactory(username="ada"), "manager": ManagerFactory(username="max")}
    for role in MEMBERS:
        found[role] = UserFactory(username=role)
        WorkspaceUserFactory(user=found[role], workspace=workspace, role=role)
    found["outsider"] = UserFactory(username="otto")
    WorkspaceUserFactory(user=found["outsider"], workspace=WorkspaceFactory(name="Elsewhere"), role="owner")
    return found


@pytest.mark.parametrize("person", list(EXPECTED))
@pytest.mark.parametrize("action", p.ACTIONS)
def test_each_person_may_do_exactly_their_actions_in_the_workspace(people, workspace, person, action):
    assert p.may(people[person], action, workspace) is (action in EXPECTED[person])
    assert p.permissions_in(people[person], workspace)[action] is (action in EXPECTED[person])


def site_pages(workspace, *, others_document, own_document):
    slug = workspace.slug
    return {
        p.SEE: f"/w/{slug}/",
        p.SEARCH: f"/w/{slug}/search/",
        p.ASK: f"/w/{slug}/chat/",
        p.UPLOAD: f"/w/{slug}/documents/upload/",
        p.DELETE_DOCUMENT: f"/w/{slug}/documents/{others_document.doc_id}/delete/",
        p.DELETE_OWN_DOCUMENT: f"/w/{slug}/documents/{own_document.doc_id}/delete/" if own_document else None,
        p.MANAGE_MEMBERS: f"/w/{slug}/members/",
        p.MANAGE_SETTINGS: f"/w/{slug}/settings/",
        p.MANAGE_SOURCES: f"/w/{slug}/sources/",
    }


@pytest.mark.parametrize("person", list(EXPECTED))
def test_the_site_answers_as_the_module_does(client, people, workspace, person):
    """200 where the table says yes, 403 where a member may not, 404 to someone who may not see it."""
    user = people[person]
    others = WorkspaceDocumentFactory(workspace=workspace, uploaded_by=AdminFactory(username="someone"))
    own = WorkspaceDocumentFactory(workspace=workspace, uploaded_by=user)
    client.force_login(user)
    for action, url in site_pages(workspace, others_document=others, own_document=own).items():
        allowed = action in EXPECTED[person]
        expected = 200 if allowed else (403 if p.SEE in EXPECTED[person] else 404)
        assert client.get(url).status_code == expected, (person, action, url)


@pytest.mark.parametrize("person", list(EXPECTED))
def test_the_admin_answers_as_the_module_does(client, people, workspace, person):
    """Only admins and managers enter the admin; there they run what the table says."""
    client.force_login(people[person])
    staff = person in ("admin", "manager")
    for url in ("/admin/workspaces/workspacechat/", "/admin/workspaces/workspace/",
                f"/admin/workspaces/workspace/{workspace.pk}/change/", "/admin/workspaces/workspacedocument/"):
        assert client.get(url).status_code == (200 if staff else 302), (person, url)


@pytest.mark.parametrize("person", list(EXPECTED))
def test_the_services_refuse_what_the_module_refuses(people, workspace, person):
    user = people[person]
    newcomer = UserFactory(username=f"new-{person}")

    def allowed(call):
        try:
            call()
        except PermissionDenied:
            return False
        return True

    upload = ContentFile(f"Words by {person}.".encode(), name="a.txt")
    assert allowed(lambda: document_ingest(workspace=workspace, uploaded_file=upload, filename="a.txt", user=user)) \
        is (p.UPLOAD in EXPECTED[person])
    own = WorkspaceDocumentFactory(workspace=workspace, uploaded_by=user)
    assert allowed(lambda: document_delete(document=own, user=user)) is (p.DELETE_OWN_DOCUMENT in EXPECTED[person])
    others = WorkspaceDocumentFactory(workspace=workspace, uploaded_by=newcomer)
    assert allowed(lambda: document_delete(document=others, user=user)) is (p.DELETE_DOCUMENT in EXPECTED[person])
    assert allowed(lambda: chat_ask(workspace=workspace, user=user, prompt="Anything?")) is (p.ASK in EXPECTED[person])
    assert allowed(lambda: membership_add(actor=user, workspace=workspace, username=newcomer.username)) \
        is (p.MANAGE_MEMBERS in EXPECTED[person])
    assert allowed(lambda: workspace_update(actor=user, workspace=workspace, description="New words")) \
        is (p.MANAGE_SETTINGS in EXPECTED[person])


def test_new_members_get_the_role_the_members_can_upload_setting_says(people, workspace):
    owner = people["owner"]
    assert membership_add(actor=owner, workspace=workspace, username=UserFactory(username="vic").username).role \
        == "viewer"
    setting_set(label="members_can_upload", value=True)
    assert membership_add(actor=owner, workspace=workspace, username=UserFactory(username="eve").username).role \
        == "editor"


def test_suspended_users_and_the_signed_out_may_do_nothing(people, workspace):
    suspended = UserFactory(username="sam", suspended=True)
    WorkspaceUserFactory(user=suspended, workspace=workspace, role="owner")
    assert not any(p.may(suspended, action, workspace) for action in p.ACTIONS)
    assert list(p.visible_workspaces(people["outsider"], Workspace.objects.filter(pk=workspace.pk))) == []


def test_the_system_may_do_everything():
    assert all(p.may(None, action, WorkspaceFactory()) for action in p.ACTIONS if action != p.READ_CHAT_TEXT)


class TestManagersLimitedToWhatTheyOwn:
    """With manager_scope "owned", a manager runs the workspaces they own and is a plain member elsewhere."""

    @pytest.fixture
    def scene(self, db):
        setting_set(label="manager_scope", value="owned")
        manager = ManagerFactory(username="max")
        owned, joined, other = (WorkspaceFactory(name=name) for name in ("Owned", "Joined", "Other"))
        WorkspaceUserFactory(user=manager, workspace=owned, role="owner")
        WorkspaceUserFactory(user=manager, workspace=joined, role="viewer")
        for workspace in (owned, joined, other):
            WorkspaceChatFactory(workspace=workspace, prompt=f"Question in {workspace.name}")
        return manager, owned, joined, other

    def test_the_module_gives_everything_in_owned_viewer_rights_in_joined_and_nothing_elsewhere(self, scene):
        manager, owned, joined, other = scene
        assert all(p.may(manager, action, owned) for action in p.ACTIONS)
        assert {action for action in p.ACTIONS if p.may(manager, action, joined)} == EXPECTED["viewer"]
        assert not any(p.may(manager, action, other) for action in p.ACTIONS)

    def test_the_site_hides_the_other_workspace(self, client, scene):
        manager, owned, joined, other = scene
        client.force_login(manager)
        assert client.get(f"/w/{owned.slug}/members/").status_code == 200
        assert client.get(f"/w/{joined.slug}/members/").status_code == 403
        assert client.get(f"/w/{other.slug}/").status_code == 404

    def test_the_admin_lists_only_the_owned_workspace_and_its_chats(self, client, scene):
        manager, owned, joined, other = scene
        client.force_login(manager)
        workspaces = client.get("/admin/workspaces/workspace/").content.decode()
        assert f"/admin/workspaces/workspace/{owned.pk}/change/" in workspaces
        assert f"/admin/workspaces/workspace/{other.pk}/change/" not in workspaces
        assert f"/admin/workspaces/workspace/{joined.pk}/change/" not in workspaces
        assert client.get(f"/admin/workspaces/workspace/{other.pk}/change/").status_code == 302
        chats = client.get("/admin/workspaces/workspacechat/").content.decode()
        assert "Question in Owned" in chats and "Question in Other" not in chats
        assert ">Other<" not in chats and ">Joined<" not in chats  # not even in the filters
        askers = {chat.user.username for chat in WorkspaceChat.objects.exclude(workspace=owned)}
        assert not any(f">{name}<" in chats for name in askers)  # nor the askers elsewhere

    def test_the_usage_page_counts_only_the_workspaces_whose_log_the_manager_reads(self, client, scene):
        manager, owned, joined, other = scene
        client.force_login(manager)
        usage = client.get("/admin/usage/").content.decode()
        assert "Owned" in usage and "Joined" not in usage and "Other" not in usage

    def test_a_workspace_the_manager_creates_in_the_admin_is_theirs(self, client, scene):
        manager = scene[0]
        client.force_login(manager)
        response = client.post("/admin/workspaces/workspace/add/", {
            "name": "Fresh", "chat_mode": "chat", "history_length": 20, "top_n": 4, "similarity_threshold": 0.25,
            "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
        })
        assert response.status_code == 302
        fresh = Workspace.objects.get(name="Fresh")
        assert fresh.memberships.get(user=manager).role == "owner"
        assert client.get(f"/w/{fresh.slug}/settings/").status_code == 200


def test_a_manager_limited_to_owned_workspaces_cannot_add_anyone_elsewhere_by_a_forged_user_form(client):
    setting_set(label="manager_scope", value="owned")
    manager = ManagerFactory(username="max")
    owned, other = WorkspaceFactory(name="Owned"), WorkspaceFactory(name="Other")
    WorkspaceUserFactory(user=manager, workspace=owned, role="owner")
    member = UserFactory(username="mia")
    client.force_login(manager)

    def add_to(workspace):
        return client.post(f"/admin/accounts/user/{member.pk}/change/", {
            "username": "mia", "role": "default", "email": "", "daily_message_limit": "",
            "memberships-TOTAL_FORMS": 1, "memberships-INITIAL_FORMS": 0,
            "memberships-0-workspace": workspace.pk, "memberships-0-role": "editor",
            "created_invites-TOTAL_FORMS": 0, "created_invites-INITIAL_FORMS": 0,
        })

    assert add_to(other).status_code == 200  # the form says no
    assert not other.memberships.exists()
    assert add_to(owned).status_code == 302
    assert owned.memberships.get(user=member).role == "editor"


def test_a_workspace_annotated_with_one_users_role_answers_correctly_for_another(people, workspace):
    annotated = Workspace.objects.with_role_of(people["owner"]).get(pk=workspace.pk)
    assert p.may(people["owner"], p.MANAGE_MEMBERS, annotated)
    assert not p.may(people["viewer"], p.MANAGE_MEMBERS, annotated)
    assert not p.may(people["outsider"], p.SEE, annotated)


@pytest.mark.parametrize(("action", "pages"), [
    (p.SEARCH, ["search/?q=leave"]),
    (p.ASK, ["chat/", "chat/export.csv", "chat/clear/"]),
])
def test_the_search_and_chat_pages_ask_for_their_own_action_not_only_to_see(
    client, people, workspace, monkeypatch, action, pages
):
    """No role today sees without searching and asking; a role that did would be refused there
    (the pages ask the module for SEARCH and ASK, not for SEE alone)."""
    monkeypatch.setitem(p.ROLE_ACTIONS, "viewer", p.VIEWER_ACTIONS - {action})
    client.force_login(people["viewer"])
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    for page in pages:
        assert client.get(f"/w/{workspace.slug}/{page}").status_code == 403, page
    assert client.post(f"/w/{workspace.slug}/{pages[0]}", {"prompt": "Anything?"}).status_code == 403
