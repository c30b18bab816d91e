"""Chats stored before conversations existed land in one conversation per member and workspace,
every row kept: the migration is run on rows written at the previous migration's state."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from workspaces.models import ChatThread, WorkspaceChat

BEFORE = [("workspaces", "0019_search_trigram")]
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_every_chat_lands_in_one_thread_per_member_and_workspace_with_every_row_kept():
    newest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate([node for node in newest if node[0] != "workspaces"] + BEFORE)
        User = old.get_model("accounts", "User")
        Workspace = old.get_model("workspaces", "Workspace")
        Chat = old.get_model("workspaces", "WorkspaceChat")
        mia = User.objects.create(username="mia", password="x", role="default")
        leo = User.objects.create(username="leo", password="x", role="default")
        research, legal = (Workspace.objects.create(name=name, slug=name.lower()) for name in ("Research", "Legal"))
        answer = {"text": "25 days [1].", "sources": [], "provider": "retrieval"}
        rows = [
            (research, mia, "How much leave do we get in a year, counting the days between Christmas and New Year?",
             True),
            (research, mia, "And for Lisbon?", True),
            (research, mia, "Something cleared", False),
            (research, leo, "Leo's question", True),
            (legal, mia, "Cleared in legal", False),
            (legal, None, "Asked by someone since deleted", True),
        ]
        for workspace, user, prompt, include in rows:
            Chat.objects.create(workspace=workspace, user=user, prompt=prompt, response=answer, include=include,
                                private=False, state="complete")

        migrate(newest)

        assert WorkspaceChat.objects.count() == len(rows)
        assert not WorkspaceChat.objects.filter(thread__isnull=True).exists()
        threads = {(t.workspace.slug, t.user.username if t.user else None): t for t in ChatThread.objects.all()}
        assert set(threads) == {("research", "mia"), ("research", "leo"), ("legal", "mia"), ("legal", None)}
        mias = threads[("research", "mia")]
        assert mias.title == "How much leave do we get in a year, counting the days between Christmas and New…"
        assert list(mias.chats.order_by("id").values_list("prompt", "include")) == [
            (rows[0][2], True), ("And for Lisbon?", True), ("Something cleared", False),
        ]
        assert mias.include is True
        assert threads[("legal", "mia")].include is False  # all its chats were cleared: hidden, kept
        assert threads[("legal", None)].chats.get().prompt == "Asked by someone since deleted"
        assert WorkspaceChat.objects.get(prompt="And for Lisbon?").answer.text == "25 days [1]."
    finally:
        migrate(newest)
