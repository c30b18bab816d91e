import pytest
from django.core.management import CommandError, call_command

from tests.workspaces.documents.sample_files import EXE_BYTES, docx_bytes, pdf_bytes, stored_files
from workspaces.documents import decoding
from workspaces.models import WorkspaceDocument

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "import"
    (root / "reports" / "2024").mkdir(parents=True)
    (root / "reports" / "2024" / "q1.pdf").write_bytes(pdf_bytes(["First quarter revenue"]))
    (root / "reports" / "memo.docx").write_bytes(docx_bytes(["A memo about hiring."]))
    (root / "readme.md").write_text("# Read me\n\nWhat this folder holds.")
    (root / ".DS_Store").write_bytes(b"\x00\x01")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]")
    return root


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_documents", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def test_import_walks_folders_and_reports_what_it_imported(workspace, folder):
    out, err, error = run(workspace.slug, str(folder))
    assert error is None
    assert sorted(WorkspaceDocument.objects.values_list("filename", flat=True)) == ["memo.docx", "q1.pdf", "readme.md"]
    assert len(stored_files()) == 3
    assert "Imported 3 document(s) into “Research”: 3 ready (3 passages)." in out
    assert "[##############################] 3/3" in err


def test_import_skips_duplicates_and_reports_refused_and_failed_files_with_reasons(workspace, folder, tmp_path):
    call_command("import_documents", workspace.slug, str(folder / "readme.md"), stdout=None, stderr=None)
    bad = tmp_path / "virus.pdf"
    bad.write_bytes(EXE_BYTES)
    unknown = tmp_path / "setup.exe"
    unknown.write_bytes(EXE_BYTES)
    out, err, error = run(workspace.slug, str(folder), str(bad), str(unknown))
    assert "Imported 3 document(s) into “Research”: 2 ready" in out
    assert "Skipped 1 duplicate(s):" in out and "readme.md" in out
    assert "Refused 1 file(s):" in out and "setup.exe" in out
    assert "Failed 1 file(s):" in out
    assert decoding.CONTENT_MISMATCH.format(name="virus.pdf", kind="PDF") in out
    assert error is not None and error.returncode == 1
    assert WorkspaceDocument.objects.count() == 4


def test_import_into_an_unknown_workspace_fails_clearly(workspace, folder):
    with pytest.raises(CommandError, match="No workspace with the slug “nope”"):
        call_command("import_documents", "nope", str(folder))


def test_import_of_a_missing_path_fails_clearly(workspace, tmp_path):
    with pytest.raises(CommandError, match="is not a file or folder"):
        call_command("import_documents", workspace.slug, str(tmp_path / "missing"))
    assert not WorkspaceDocument.objects.exists()


def test_import_queues_by_default_for_the_workers(workspace, folder, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out, err, error = run(workspace.slug, str(folder))
    assert error is None
    assert "Imported 3 document(s) into “Research”: 0 ready (0 passages), 3 queued for the workers." in out
    assert set(WorkspaceDocument.objects.values_list("status", flat=True)) == {"queued"}


def test_import_inline_processes_each_file_without_a_worker(workspace, folder, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    out, err, error = run(workspace.slug, str(folder), "--inline")
    assert error is None
    assert "Imported 3 document(s) into “Research”: 3 ready (3 passages)." in out
    assert set(WorkspaceDocument.objects.values_list("status", flat=True)) == {"ready"}


def test_import_wait_follows_the_queue_and_exits_non_zero_when_a_file_failed(workspace, folder, tmp_path):
    bad = tmp_path / "virus.pdf"
    bad.write_bytes(EXE_BYTES)
    out, err, error = run(workspace.slug, str(folder), str(bad), "--wait")
    assert "[##############################] 4/4 processed" in err
    assert "Failed 1 file(s):" in out
    assert error is not None and error.returncode == 1
