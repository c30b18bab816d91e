import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from accounts.models import User
from tests.factories import UserFactory, WorkspaceChatFactory, WorkspaceDocumentFactory, WorkspaceFactory
from workspaces.models import WorkspaceChat, WorkspaceDocument
from workspaces.operations.health import livez


@pytest.mark.django_db
def test_healthz_reports_database_and_storage(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "storage": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_livez_answers_ok_and_the_view_itself_runs_no_query(client, rf, django_assert_num_queries):
    UserFactory()  # past first-run setup
    assert (client.get("/livez").status_code, client.get("/livez").content) == (200, b"ok")
    with django_assert_num_queries(0):
        assert livez(rf.get("/livez")).content == b"ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_storage_is_not_writable(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocker)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["storage"].startswith("error")


@pytest.mark.django_db
def test_healthcheck_command_prints_each_check(capsys):
    call_command("healthcheck")
    assert "database: ok" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_every_document_and_chat(tmp_path):
    workspace = WorkspaceFactory(name="Archive")
    member = UserFactory(username="keeper")
    documents = [WorkspaceDocumentFactory(workspace=workspace) for _ in range(3)]
    for document in documents:
        default_storage.save(document.docpath, ContentFile(f"contents of {document.doc_id}".encode()))
    chats = [WorkspaceChatFactory(workspace=workspace, user=member) for _ in range(4)]
    archive = tmp_path / "docent.tar.gz"
    call_command("backup", str(archive), verbosity=0)

    call_command("flush", interactive=False, verbosity=0)
    for document in documents:
        default_storage.delete(document.docpath)
    assert not User.objects.exists() and not WorkspaceDocument.objects.exists()

    call_command("restore", str(archive), verbosity=0)
    assert User.objects.get(username="keeper").check_password("correct-horse-battery-staple")
    assert set(WorkspaceDocument.objects.values_list("doc_id", flat=True)) == {d.doc_id for d in documents}
    for document in documents:
        with default_storage.open(document.docpath) as stored:
            assert stored.read() == f"contents of {document.doc_id}".encode()
    assert set(WorkspaceChat.objects.values_list("prompt", flat=True)) == {c.prompt for c in chats}


@pytest.mark.django_db
def test_restore_refuses_a_database_that_has_users(tmp_path):
    UserFactory()
    archive = tmp_path / "docent.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    with pytest.raises(CommandError, match="empty database"):
        call_command("restore", str(archive))


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"not an archive at all", "gzip of no tar", "tar without data.json"])
def test_restore_refuses_a_file_that_is_not_a_backup_with_a_message(tmp_path, content):
    import gzip
    import io
    import tarfile

    source = tmp_path / "docent.tar.gz"
    if content == "gzip of no tar":
        content = gzip.compress(b"hello")
    elif content == "tar without data.json":
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            archive.addfile(tarfile.TarInfo("notes.txt"))
        content = buffer.getvalue()
    source.write_bytes(content)
    with pytest.raises(CommandError, match="is not a Docent backup"):
        call_command("restore", str(source))
    assert not User.objects.exists()


@pytest.mark.django_db
def test_healthz_writes_nothing_to_storage(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert not (tmp_path / "media").exists()  # not even the folder: it is created by the first upload


@pytest.mark.django_db(transaction=True)
def test_a_restore_puts_documents_that_were_being_processed_back_on_the_queue(tmp_path, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    workspace = WorkspaceFactory(name="Archive")
    halfway = WorkspaceDocumentFactory(workspace=workspace, status="indexing", attempts=1)
    WorkspaceDocumentFactory(workspace=workspace, status="ready")
    UserFactory(username="keeper")
    archive = tmp_path / "docent.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)

    call_command("restore", str(archive), verbosity=0)
    halfway.refresh_from_db()
    assert halfway.status == "queued" and halfway.attempts == 2
    assert DBTaskResult.objects.get().args_kwargs["args"] == [halfway.pk, 2]
