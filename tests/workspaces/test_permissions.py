"""`workspaces.permissions` is the one answer; the site, the admin and the services agree with it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from settings_app.services import setting_set
from tests.factories import (
    AdminFactory,
    ManagerFactory,
    UserFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)
from workspaces import permissions
from workspaces.chats.services import chat_ask
from workspaces.documents.services import document_delete, document_ingest
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

# role -> the actions it has in a workspace it belongs to (staff: in every workspace)
EXPECTED = {
    "admin": set(permissions.ACTIONS),
    "manager": set(permissions.ACTIONS),
    "member": {permissions.SEE, permissions.SEARCH, permissions.ASK},
}


@pytest.fixture
def people(workspace):
    member = UserFactory(username="mia")
    WorkspaceUserFactory(user=member, workspace=workspace)
    return {"admin": AdminFactory(), "manager": ManagerFactory(), "member": member}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("action", permissions.ACTIONS)
def test_each_role_may_do_exactly_its_actions_in_its_workspace(people, workspace, role, action):
    assert permissions.may(people[role], action, workspace) is (action in EXPECTED[role])
    assert permissions.permissions_in(people[role], workspace)[action] is (action in EXPECTED[role])


def test_members_upload_only_while_the_setting_is_on(people, workspace):
    setting_set(label="members_can_upload", value=True)
    assert permissions.may(people["member"], permissions.UPLOAD, workspace)
    assert not permissions.may(people["member"], permissions.DELETE_DOCUMENT, workspace)


def test_outsiders_suspended_users_and_strangers_may_do_nothing(people, workspace):
    outsider = UserFactory(username="otto")
    suspended = UserFactory(username="sam", suspended=True)
    WorkspaceUserFactory(user=suspended, workspace=workspace)
    for person in (outsider, suspended):
        assert not any(permissions.may(person, action, workspace) for action in permissions.ACTIONS)
    assert list(permissions.visible_workspaces(outsider, Workspace.objects.all())) == []


def test_the_system_may_do_everything():
    assert all(permissions.may(None, action, WorkspaceFactory()) for action in permissions.ACTIONS)


def test_the_site_answers_as_the_module_does(client, people, workspace):
    document = WorkspaceDocumentFactory(workspace=workspace)
    pages = {
        permissions.UPLOAD: f"/w/{workspace.slug}/documents/upload/",
        permissions.DELETE_DOCUMENT: f"/w/{workspace.slug}/documents/{document.doc_id}/delete/",
        permissions.SEARCH: f"/w/{workspace.slug}/search/",
        permissions.ASK: f"/w/{workspace.slug}/chat/",
    }
    for role, person in people.items():
        client.force_login(person)
        for action, url in pages.items():
            expected = 200 if action in EXPECTED[role] else 403
            assert client.get(url).status_code == expected, (role, action)


def test_the_admin_answers_as_the_module_does(client, people):
    for role, person in people.items():
        client.force_login(person)
        allowed = permissions.READ_CHAT_LOG in EXPECTED[role]
        assert client.get("/admin/workspaces/workspacechat/").status_code == (200 if allowed else 302)
        assert client.get("/admin/workspaces/workspace/").status_code == (200 if allowed else 302)
        assert client.get("/admin/workspaces/workspace/add/").status_code == (200 if allowed else 302)


def test_the_services_refuse_what_the_module_refuses(people, workspace):
    member = people["member"]
    document = WorkspaceDocumentFactory(workspace=workspace)
    with pytest.raises(PermissionDenied):
        document_ingest(workspace=workspace, uploaded_file=ContentFile(b"Some words.", name="a.txt"),
                        filename="a.txt", user=member)
    with pytest.raises(PermissionDenied):
        document_delete(document=document, user=member)
    with pytest.raises(PermissionDenied):
        chat_ask(workspace=WorkspaceFactory(name="Elsewhere"), user=member, prompt="Anything?")
