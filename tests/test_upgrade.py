"""A database made by an earlier release migrates forward with every row kept.

The schema is rolled back to PREVIOUS_RELEASE (the migrations on main before the
domain split), filled through the historical models of that state, then migrated
to the newest migrations; the rows are then read through today's models.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import AuditEvent, Invite, User
from settings_app.models import SystemSetting
from workspaces.models import DocumentPassage, Workspace, WorkspaceChat, WorkspaceDocument, WorkspaceUser

PREVIOUS_RELEASE = [
    ("accounts", "0004_session_salt"),
    ("settings_app", "0001_initial"),
    ("workspaces", "0005_chat_log_index"),
]
# Each test migrates the whole schema back and forth.
pytestmark = pytest.mark.slow
ANSWER = {
    "text": "25 days [1].",
    "sources": [{"doc_id": "x", "filename": "a.txt", "position": 1}],
    "provider": "retrieval",
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def fill(old):
    """Rows of every product table, written as the previous release would have."""
    user = old.get_model("accounts", "User").objects.create(username="mia", password="x", role="default")
    old.get_model("accounts", "User").objects.create(username="root", password="x", role="admin")
    workspace = old.get_model("workspaces", "Workspace").objects.create(name="Research", slug="research", top_n=3)
    old.get_model("workspaces", "WorkspaceUser").objects.create(user=user, workspace=workspace)
    invite = old.get_model("accounts", "Invite").objects.create(code="a" * 32, status="pending", created_by=user)
    invite.workspaces.add(workspace)
    document = old.get_model("workspaces", "WorkspaceDocument").objects.create(
        filename="a.txt", docpath="documents/1/a.txt", workspace=workspace,
        metadata={"sha256": "abc", "content_type": "text/plain", "passage_count": 1},
    )
    old.get_model("workspaces", "DocumentPassage").objects.create(
        document=document, position=1, text="Leave is 25 days."
    )
    old.get_model("workspaces", "WorkspaceChat").objects.create(
        workspace=workspace, user=user, prompt="How much leave?", response=ANSWER, include=True
    )
    old.get_model("settings_app", "SystemSetting").objects.update_or_create(
        label="custom_app_name", defaults={"value": "Acme Docs"}
    )
    old.get_model("accounts", "AuditEvent").objects.create(action="sign_in", username="mia", ip_address="10.0.0.1")


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_previous_release_migrates_forward_with_every_row_kept():
    newest = latest()
    try:
        fill(migrate(PREVIOUS_RELEASE))
        migrate(newest)

        assert sorted(User.objects.values_list("username", "role")) == [("mia", "default"), ("root", "admin")]
        workspace = Workspace.objects.get()
        assert (workspace.name, workspace.slug, workspace.top_n) == ("Research", "research", 3)
        assert list(WorkspaceUser.objects.values_list("user__username", "workspace__slug")) == [("mia", "research")]
        invite = Invite.objects.get()
        assert (invite.code, invite.status, list(invite.workspaces.values_list("slug", flat=True))) == (
            "a" * 32, "pending", ["research"],
        )
        document = WorkspaceDocument.objects.get()
        assert (document.filename, document.metadata["sha256"], document.kind_label) == ("a.txt", "abc", "Text")
        assert list(DocumentPassage.objects.values_list("position", "text")) == [(1, "Leave is 25 days.")]
        chat = WorkspaceChat.objects.get()
        assert (chat.prompt, chat.answer.text, chat.answer.sources[0].filename) == (
            "How much leave?", "25 days [1].", "a.txt",
        )
        assert SystemSetting.objects.get(label="custom_app_name").value == "Acme Docs"
        assert AuditEvent.objects.get().ip_address == "10.0.0.1"
    finally:
        migrate(newest)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("members_could_upload", [False, True])
def test_the_team_migration_keeps_todays_rights_and_renames_duplicate_names(members_could_upload):
    """Members become editors where members could upload, viewers otherwise; a second "research"
    becomes "research (2)"; the uploader named in the metadata becomes the uploader link."""
    newest = latest()
    try:
        old = migrate(PREVIOUS_RELEASE)
        fill(old)
        Workspace_ = old.get_model("workspaces", "Workspace")
        Workspace_.objects.create(name="research", slug="research-2")
        Workspace_.objects.create(name="RESEARCH", slug="research-3")
        old.get_model("settings_app", "SystemSetting").objects.update_or_create(
            label="members_can_upload", defaults={"value": "true" if members_could_upload else "false"}
        )
        old.get_model("workspaces", "WorkspaceDocument").objects.update(
            metadata={"sha256": "abc", "uploaded_by": "mia"}
        )
        old.get_model("accounts", "Invite").objects.create(code="b" * 32, status="claimed")
        migrate(newest)

        assert sorted(Workspace.objects.values_list("slug", "name")) == [
            ("research", "Research"), ("research-2", "research (2)"), ("research-3", "RESEARCH (3)"),
        ]
        assert WorkspaceUser.objects.get().role == ("editor" if members_could_upload else "viewer")
        assert WorkspaceDocument.objects.get().uploaded_by.username == "mia"
        assert sorted(Invite.objects.values_list("status", "max_uses", "use_count")) == [
            ("claimed", 1, 1), ("pending", 1, 0),
        ]
    finally:
        migrate(newest)


@pytest.mark.django_db(transaction=True)
def test_chats_of_a_private_workspace_stay_private_after_the_upgrade_whatever_is_switched_later():
    newest = latest()
    try:
        old = migrate([("workspaces", "0012_search_speed"), ("accounts", "0006_invites_uses_expiry_reset")])
        Workspace_, Chat = old.get_model("workspaces", "Workspace"), old.get_model("workspaces", "WorkspaceChat")
        private = Workspace_.objects.create(name="HR", slug="hr", private_chats=True)
        open_ = Workspace_.objects.create(name="Wiki", slug="wiki")
        Chat.objects.create(workspace=private, prompt="my salary?", response=ANSWER)
        Chat.objects.create(workspace=open_, prompt="the wiki?", response=ANSWER)
        migrate(newest)

        assert dict(WorkspaceChat.objects.values_list("prompt", "private")) == {"my salary?": True, "the wiki?": False}
        Workspace.objects.filter(slug="hr").update(private_chats=False)
        assert WorkspaceChat.objects.get(prompt="my salary?").private is True
    finally:
        migrate(newest)


@pytest.mark.django_db(transaction=True)
def test_earlier_answers_are_counted_by_insights_after_the_upgrade():
    """Answers citing no document become refusals; their time comes from the stored timings."""
    newest = latest()
    try:
        old = migrate([("workspaces", "0013_chat_private"), ("accounts", "0008_api_keys")])
        Workspace_, Chat = old.get_model("workspaces", "Workspace"), old.get_model("workspaces", "WorkspaceChat")
        workspace = Workspace_.objects.create(name="Wiki", slug="wiki")
        Chat.objects.create(workspace=workspace, prompt="answered?", state="complete",
                            response={**ANSWER, "timings": {"total_ms": 420}})
        Chat.objects.create(workspace=workspace, prompt="refused?", state="complete",
                            response={"text": "No document in this workspace answers that.", "sources": []})
        Chat.objects.create(workspace=workspace, prompt="failed?", state="failed", response={"sources": []})
        migrate(newest)

        rows = {prompt: (refused, ms) for prompt, refused, ms in
                WorkspaceChat.objects.values_list("prompt", "refused", "answer_ms")}
        assert rows == {"answered?": (False, 420), "refused?": (True, None), "failed?": (False, None)}
    finally:
        migrate(newest)
