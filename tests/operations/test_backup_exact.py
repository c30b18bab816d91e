"""Issue 11: a backup → restore round trip gives back every row of every product table and
the admin log, column by column (timestamps to the microsecond), and every file by SHA-256."""

import hashlib
import io
import tarfile

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from accounts.audit import audit_record
from accounts.models import AuditAction, Invite
from settings_app.services import setting_set
from tests.factories import (
    AdminFactory,
    DocumentPassageFactory,
    InviteFactory,
    UserFactory,
    WorkspaceChatFactory,
    WorkspaceDocumentFactory,
    WorkspaceFactory,
    WorkspaceUserFactory,
)
from workspaces.operations.backup import backed_up_models


def every_row() -> dict[str, list[tuple]]:
    """Each backed-up table's rows, every column; the admin log's content type by name (a new
    database may number content types differently). Not the workspaces' search version: derived,
    and moved ahead by a restore (test_a_restore_makes_every_host_rebuild_its_search_index)."""
    names = {ct.pk: (ct.app_label, ct.model) for ct in ContentType.objects.all()}
    tables = {}
    for model in backed_up_models():
        columns = [field.attname for field in model._meta.concrete_fields if field.attname != "search_version"]
        rows = list(model._base_manager.order_by("pk").values_list(*columns))
        if model is LogEntry:
            index = columns.index("content_type_id")
            rows = [(*row[:index], names.get(row[index]), *row[index + 1:]) for row in rows]
        tables[model._meta.db_table] = rows
    return tables


def stored_checksums(docpaths) -> dict[str, str]:
    checksums = {}
    for docpath in docpaths:
        with default_storage.open(docpath) as stored:
            checksums[docpath] = hashlib.sha256(stored.read()).hexdigest()
    return checksums


@pytest.fixture
def everything(db):
    admin = AdminFactory(username="root")
    workspace = WorkspaceFactory(name="Archive")
    member = UserFactory(username="keeper")
    WorkspaceUserFactory(user=member, workspace=workspace)
    invite = InviteFactory(created_by=admin)
    invite.workspaces.set([workspace, WorkspaceFactory(name="Second")])
    setting_set(label="custom_app_name", value="Docent Archive")
    documents = [WorkspaceDocumentFactory(workspace=workspace) for _ in range(3)]
    for number, document in enumerate(documents):
        default_storage.save(document.docpath, ContentFile(bytes(range(256)) * (number + 1)))
        DocumentPassageFactory(document=document, position=1)
    WorkspaceChatFactory(workspace=workspace, user=member)
    audit_record(AuditAction.UPLOAD, user=admin, detail="a file")
    for flag in (ADDITION, CHANGE):
        LogEntry.objects.create(
            user=admin, content_type=ContentType.objects.get_for_model(Invite), object_id=str(invite.pk),
            object_repr=str(invite), action_flag=flag, change_message='[{"added": {}}]',
        )
    return documents


def restored_into_an_empty_database(archive, documents) -> None:
    """A new database and storage, as after a disaster: every row and stored file gone, then the restore."""
    call_command("flush", interactive=False, verbosity=0)
    for document in documents:
        default_storage.delete(document.docpath)
    call_command("restore", str(archive), verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_backup_round_trip_gives_back_every_row_to_the_microsecond_and_every_file_by_checksum(tmp_path, everything):
    before = every_row()
    assert all(before[table] for table in ("users", "invite_workspaces", "django_admin_log", "audit_events"))
    assert any(row[3].microsecond % 1000 for row in before["users"])  # created_at carries microseconds
    checksums = stored_checksums(document.docpath for document in everything)
    archive = tmp_path / "docent.tar.gz"
    call_command("backup", str(archive), verbosity=0)

    restored_into_an_empty_database(archive, everything)

    assert every_row() == before
    assert stored_checksums(checksums) == checksums
    # New rows continue after the restored ids instead of colliding with them.
    assert UserFactory(username="newcomer").pk > max(row[0] for row in before["users"])


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_an_archive_whose_file_does_not_match_its_checksum(tmp_path, everything):
    archive, tampered = tmp_path / "docent.tar.gz", tmp_path / "tampered.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    target = f"files/{everything[0].docpath}"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(tampered, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == target:
                data = b"X" + data[1:]
            out.addfile(member, fileobj=io.BytesIO(data))
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="does not match the checksum"):
        call_command("restore", str(tampered), verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_a_restore_makes_every_host_rebuild_its_search_index(tmp_path, everything):
    """A host's index folder may be newer than the restored database: after the restore, a search
    finds what the restored passages hold, never a passage only the folder remembers."""
    from workspaces.models import Workspace
    from workspaces.retrieval.bm25 import lexical_scores
    from workspaces.retrieval.search import search_passages

    workspace = everything[0].workspace
    DocumentPassageFactory(document=everything[0], position=2, text="Kept in the backup: the lighthouse.")
    archive = tmp_path / "docent.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    later = WorkspaceDocumentFactory(workspace=workspace, status="processing")
    DocumentPassageFactory(document=later, position=1, text="Written after the backup: the windmill.")
    type(later).objects.filter(pk=later.pk).update(status="ready")
    assert search_passages(workspace=workspace, query="windmill")  # the folder now holds it

    restored_into_an_empty_database(archive, everything)

    restored = Workspace.objects.get(pk=workspace.pk)  # as the next request reads it
    assert lexical_scores(workspace=restored, terms=["windmill"], limit=5) == []  # the folder itself rebuilt
    assert [hit.text for hit in search_passages(workspace=restored, query="lighthouse")] == [
        "Kept in the backup: the lighthouse."
    ]


@pytest.mark.django_db(transaction=True)
def test_a_restore_renders_every_answers_html_again_instead_of_trusting_the_archive(tmp_path, everything):
    from workspaces.chats.rendering import render_markdown
    from workspaces.models import WorkspaceChat

    chat = WorkspaceChat.objects.get()
    WorkspaceChat.objects.filter(pk=chat.pk).update(text_html="<script>alert('from the archive')</script>")
    archive = tmp_path / "docent.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    restored_into_an_empty_database(archive, everything)
    restored = WorkspaceChat.objects.get(pk=chat.pk)
    assert "<script>" not in restored.text_html
    assert restored.text_html == render_markdown(restored.answer.text)


@pytest.mark.django_db(transaction=True)
def test_a_restore_gives_the_database_ranking_the_statistics_its_passages_give(tmp_path, everything):
    """The restored passages are ranked with the same statistics as before the backup (on PostgreSQL
    they are written once after the rows, not once a passage: workspaces/retrieval/statistics_bulk.py)."""
    from workspaces.models import Workspace
    from workspaces.retrieval import bm25

    workspace = everything[0].workspace
    DocumentPassageFactory(document=everything[0], position=2, text="The lighthouse keeper logs every ship.")
    DocumentPassageFactory(document=everything[1], position=2, text="A lighthouse stands on the cliff.")
    terms = ["lighthouse", "ship", "cliff", "keeper", "absent"]
    before = bm25._backend().statistics(Workspace.objects.get(pk=workspace.pk), terms)
    assert before.dfs["lighthouse"] == 2 and before.passages == 5
    archive = tmp_path / "docent.tar.gz"
    call_command("backup", str(archive), verbosity=0)

    restored_into_an_empty_database(archive, everything)

    assert bm25._backend().statistics(Workspace.objects.get(pk=workspace.pk), terms) == before
