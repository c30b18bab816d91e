"""A watched folder kept in sync: files added, changed and deleted between syncs, with both
choices for removed files; the roots the operator allows; one sync at a time; the schedule."""

import os
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.task_worker import DATABASE_TASKS, run_worker
from workspaces.documents.models import DocumentStatus
from workspaces.models import WorkspaceDocument
from workspaces.retrieval.search import search_passages
from workspaces.sources.folders import ESCAPES, NO_ROOTS
from workspaces.sources.models import SourceItem, SyncOutcome, WorkspaceSource
from workspaces.sources.services import source_create, source_sync_request
from workspaces.sources.sync import source_sync, sources_enqueue_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def shares(settings, tmp_path):
    """The folder the operator allows, and a folder beside it that is not allowed."""
    allowed, outside = tmp_path / "shares", tmp_path / "private"
    allowed.mkdir()
    outside.mkdir()
    settings.SOURCE_FOLDER_ROOTS = [str(allowed)]
    return allowed, outside


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def paragraph(topic, n=40):
    return " ".join(f"{topic} sentence number {i} explains the {topic} policy." for i in range(n))


@pytest.fixture
def handbook(shares):
    folder = shares[0] / "handbook"
    write(folder / "leave.md", "# Annual leave\n\n" + paragraph("vacation"))
    write(folder / "travel.txt", paragraph("travel"))
    write(folder / "teams" / "kitchen.md", "# Kitchen\n\n" + paragraph("dishwasher"))
    write(folder / ".draft.md", paragraph("secret"))
    write(folder / "logo.psd", "not read")
    return folder


def add_folder(owner, workspace, folder, on_removal="keep"):
    return source_create(actor=owner, workspace=workspace, name="Handbook", kind="folder", location=str(folder),
                         on_removal=on_removal, max_pages=50, max_depth=2, interval_minutes=60)


def documents_by_origin(workspace):
    return {doc.metadata["origin"]["path"]: doc for doc in WorkspaceDocument.objects.filter(workspace=workspace)}


def sync(source):
    assert source_sync_request(actor=None, source=source)
    source.refresh_from_db()
    return source


def test_a_new_folder_source_reads_every_readable_file_and_names_its_origin(owner, workspace, handbook):
    source = add_folder(owner, workspace, handbook)
    source.refresh_from_db()
    assert source.last_outcome == SyncOutcome.OK
    assert (source.last_added, source.last_changed, source.last_removed, source.last_failed) == (3, 0, 0, 0)
    documents = documents_by_origin(workspace)
    assert set(documents) == {f"{handbook}/leave.md", f"{handbook}/travel.txt", f"{handbook}/teams/kitchen.md"}
    assert all(doc.status == DocumentStatus.READY for doc in documents.values())
    assert search_passages(workspace=workspace, query="dishwasher")
    assert not search_passages(workspace=workspace, query="secret")


def test_changes_between_syncs_are_found_by_checksum_and_removed_files_are_kept_and_marked(
    owner, workspace, handbook
):
    source = add_folder(owner, workspace, handbook, on_removal="keep")
    leave = documents_by_origin(workspace)[f"{handbook}/leave.md"]
    # The same bytes written again (a new modification time) are no change; new words are.
    write(handbook / "travel.txt", paragraph("travel"))
    write(handbook / "leave.md", "# Annual leave\n\n" + paragraph("sabbatical"))
    os.remove(handbook / "teams" / "kitchen.md")
    write(handbook / "new" / "parking.txt", paragraph("parking"))

    source = sync(source)
    assert (source.last_added, source.last_changed, source.last_removed, source.last_failed) == (1, 1, 1, 0)
    documents = documents_by_origin(workspace)
    assert documents[f"{handbook}/leave.md"].pk == leave.pk  # the same document, read again
    workspace.refresh_from_db()  # as the next request reads it
    assert search_passages(workspace=workspace, query="sabbatical")
    assert not search_passages(workspace=workspace, query="vacation")
    kitchen = documents[f"{handbook}/teams/kitchen.md"]
    assert kitchen.metadata["removed_upstream_at"]
    assert SourceItem.objects.get(source=source, key="teams/kitchen.md").removed_upstream_at is not None
    assert search_passages(workspace=workspace, query="parking")

    source = sync(source)  # nothing changed since: nothing counted, the removal not counted twice
    assert (source.last_added, source.last_changed, source.last_removed, source.last_failed) == (0, 0, 0, 0)

    write(handbook / "teams" / "kitchen.md", "# Kitchen\n\n" + paragraph("dishwasher"))
    source = sync(source)  # it came back: the mark goes
    assert source.last_added == 1
    assert "removed_upstream_at" not in WorkspaceDocument.objects.get(pk=kitchen.pk).metadata


def test_with_the_remove_choice_a_file_deleted_upstream_takes_its_document_with_it(owner, workspace, handbook):
    source = add_folder(owner, workspace, handbook, on_removal="remove")
    kitchen = documents_by_origin(workspace)[f"{handbook}/teams/kitchen.md"]
    os.remove(handbook / "teams" / "kitchen.md")
    source = sync(source)
    assert source.last_removed == 1
    assert not WorkspaceDocument.objects.filter(pk=kitchen.pk).exists()
    assert not search_passages(workspace=workspace, query="dishwasher")
    assert set(documents_by_origin(workspace)) == {f"{handbook}/leave.md", f"{handbook}/travel.txt"}


def test_a_file_docent_refuses_is_counted_failed_with_its_reason_and_the_rest_syncs(owner, workspace, handbook):
    write(handbook / "empty.txt", "")
    source = add_folder(owner, workspace, handbook)
    source.refresh_from_db()
    assert (source.last_added, source.last_failed, source.last_outcome) == (3, 1, SyncOutcome.PARTIAL)
    assert source.last_errors[0]["item"] == "empty.txt" and "empty" in source.last_errors[0]["message"]


def test_a_folder_that_vanished_fails_the_sync_and_removes_nothing(owner, workspace, handbook):
    source = add_folder(owner, workspace, handbook, on_removal="remove")
    handbook.rename(handbook.parent / "moved")
    source = sync(source)
    assert source.last_outcome == SyncOutcome.FAILED
    assert "not a folder" in source.last_errors[0]["message"]
    assert WorkspaceDocument.objects.filter(workspace=workspace).count() == 3


def test_only_folders_under_the_allowed_roots_may_be_watched(owner, workspace, shares, settings):
    allowed, outside = shares
    (allowed / "escape").symlink_to(outside, target_is_directory=True)
    for location in (str(outside), f"{allowed}/../private", str(allowed / "escape"), "relative/path", "/"):
        with pytest.raises(ValidationError) as refused:
            add_folder(owner, workspace, location)
        assert "location" in refused.value.message_dict, location
    # Whether a path outside the roots exists is never told.
    for location in (str(outside), str(outside / "no-such-folder")):
        with pytest.raises(ValidationError, match="is not inside a folder this server allows"):
            add_folder(owner, workspace, location)
    settings.SOURCE_FOLDER_ROOTS = []
    with pytest.raises(ValidationError, match=NO_ROOTS[:30]):
        add_folder(owner, workspace, allowed)
    assert not WorkspaceSource.objects.exists()


def test_links_inside_the_folder_that_lead_outside_the_roots_are_not_read(owner, workspace, handbook, shares):
    outside = shares[1]
    write(outside / "passwords.txt", paragraph("password"))
    (handbook / "linked.txt").symlink_to(outside / "passwords.txt")
    (outside / "more").mkdir()
    write(outside / "more" / "salaries.md", paragraph("salary"))
    (handbook / "more").symlink_to(outside / "more", target_is_directory=True)
    source = add_folder(owner, workspace, handbook)
    source.refresh_from_db()
    assert source.last_added == 3 and source.last_failed == 1
    assert source.last_errors[0] == {"item": "linked.txt", "message": f"could not be read ({ESCAPES})"}
    assert not search_passages(workspace=workspace, query="password")
    assert not search_passages(workspace=workspace, query="salary")


def test_one_sync_at_a_time_per_source(owner, workspace, handbook):
    source = add_folder(owner, workspace, handbook)
    WorkspaceSource.objects.filter(pk=source.pk).update(lease_until=timezone.now() + timedelta(minutes=5))
    write(handbook / "new.txt", paragraph("queue"))
    assert source_sync(source_id=source.pk) == "busy"
    assert not search_passages(workspace=workspace, query="queue")
    # A lease left by a dead run runs out.
    WorkspaceSource.objects.filter(pk=source.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert source_sync(source_id=source.pk) == SyncOutcome.OK
    workspace.refresh_from_db()  # as the next request reads it
    assert search_passages(workspace=workspace, query="queue")


def test_the_schedule_queues_each_due_source_once(owner, workspace, handbook, settings):
    settings.TASKS = DATABASE_TASKS
    source = add_folder(owner, workspace, handbook)
    DBTaskResult.objects.all().delete()
    later = timezone.now() + timedelta(minutes=61)
    assert sources_enqueue_due(now=timezone.now()) == 0
    WorkspaceSource.objects.filter(pk=source.pk).update(next_sync_at=timezone.now())
    assert sources_enqueue_due(now=later) == 1
    assert sources_enqueue_due(now=later) == 0  # a second sweeper finds it moved on
    queued = DBTaskResult.objects.filter(task_path__endswith="sync_source")
    assert [task.args_kwargs["args"] for task in queued] == [[source.pk]]
    source.refresh_from_db()
    assert source.next_sync_at == later + timedelta(minutes=60)


def test_a_worker_runs_the_queued_sync_then_reads_its_files(owner, workspace, handbook, settings):
    """On the database task backend (as with `make run`'s worker): adding queues the sync; the
    sync queues one ingestion per file; nothing is searchable until the worker has run them."""
    settings.TASKS = DATABASE_TASKS
    source = add_folder(owner, workspace, handbook)
    source.refresh_from_db()
    assert source.last_outcome == SyncOutcome.NEVER and source.sync_queued_at is not None
    assert not source_sync_request(actor=owner, source=source)  # already queued
    run_worker()
    source.refresh_from_db()
    assert (source.last_outcome, source.last_added, source.sync_queued_at) == (SyncOutcome.OK, 3, None)
    assert all(doc.status == DocumentStatus.READY for doc in documents_by_origin(workspace).values())
    assert search_passages(workspace=workspace, query="dishwasher")
