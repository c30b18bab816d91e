"""The local embedding model downloaded once, checked, from a real HTTP server standing in for its publisher."""

import pytest
from django.core.management import CommandError, call_command

from settings_app.services import setting_set
from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory
from tests.model_publisher import (  # noqa: F401  (the model_publisher fixture)
    model_publisher_server,
    publish,
    publisher_running,
)
from workspaces.retrieval.checks import local_model_check
from workspaces.retrieval.embeddings import EmbeddingError, embedder_current
from workspaces.retrieval.model_files import ModelUnavailable, local_model_folder
from workspaces.retrieval.search import search_passages
from workspaces.retrieval.services import passages_embed

pytestmark = pytest.mark.django_db

TOKENIZER = b'{"version": "1.0", "truncation": null}'
WEIGHTS = b"\x08\x07onnx-weights" * 100


@pytest.fixture
def publisher(model_publisher, monkeypatch):
    """The publisher serving stand-in files, which are the published ones for these tests."""
    publish(model_publisher, monkeypatch, {"model.onnx": WEIGHTS, "tokenizer.json": TOKENIZER})
    return model_publisher


def test_the_model_is_downloaded_once_into_the_cache_and_checked(settings, publisher, tmp_path):
    settings.EMBEDDING_MODEL_URL = publisher.base_url
    folder = local_model_folder(download=True)
    assert folder == (tmp_path / "models" / "all-MiniLM-L6-v2").resolve()
    assert (folder / "model.onnx").read_bytes() == WEIGHTS and (folder / "tokenizer.json").read_bytes() == TOKENIZER
    assert local_model_folder(download=True) == folder
    assert sorted(publisher.requests) == ["/rev/onnx/model.onnx", "/rev/tokenizer.json"]  # once each
    assert [path.name for path in folder.iterdir() if path.name.endswith(".part")] == []


def test_the_download_follows_the_publishers_redirect_to_its_cdn_with_no_credentials(settings, publisher):
    settings.EMBEDDING_MODEL_URL = publisher.base_url
    with publisher_running() as cdn:
        for path, body in list(publisher.served.items()):
            cdn.served[path] = body
            publisher.redirects[path] = f"http://127.0.0.1:{cdn.server_port}{path}"
        folder = local_model_folder(download=True)
    assert (folder / "model.onnx").read_bytes() == WEIGHTS
    assert sorted(cdn.requests) == ["/rev/onnx/model.onnx", "/rev/tokenizer.json"]
    assert [headers.get("authorization") for headers in publisher.headers + cdn.headers] == [None] * 4


def files_in(folder):
    return sorted(path.name for path in folder.iterdir() if path.name != ".lock")


def test_an_altered_or_truncated_file_is_refused_and_nothing_is_kept(settings, publisher, tmp_path):
    settings.EMBEDDING_MODEL_URL = publisher.base_url
    publisher.served["/rev/onnx/model.onnx"] = WEIGHTS[:-1] + b"!"
    with pytest.raises(ModelUnavailable, match="model.onnx is not the published one .its SHA-256 differs"):
        local_model_folder(download=True, retry=True)
    publisher.served["/rev/onnx/model.onnx"] = WEIGHTS[:100]
    with pytest.raises(ModelUnavailable, match=f"100 bytes, not {len(WEIGHTS):,}"):
        local_model_folder(download=True, retry=True)
    assert files_in(tmp_path / "models" / "all-MiniLM-L6-v2") == []  # no file, no partial one


def test_a_kept_file_cut_short_on_disk_is_fetched_again(settings, publisher):
    settings.EMBEDDING_MODEL_URL = publisher.base_url
    folder = local_model_folder(download=True)
    (folder / "model.onnx").write_bytes(WEIGHTS[:10])
    with pytest.raises(ModelUnavailable, match="not downloaded yet"):
        local_model_folder()
    assert (local_model_folder(download=True) / "model.onnx").read_bytes() == WEIGHTS


def test_a_publisher_that_cannot_be_reached_is_a_clear_error_not_asked_again_at_once_but_by_the_command(
    settings, publisher
):
    settings.EMBEDDING_MODEL_URL = publisher.base_url + "/missing"
    setting_set(label="embedding_provider", value="local")
    for _ in range(2):
        with pytest.raises(ModelUnavailable, match="file model.onnx: it answered 404 Not Found"):
            local_model_folder(download=True)
    assert publisher.requests == ["/rev/missing/onnx/model.onnx"]
    with pytest.raises(CommandError, match="404 Not Found"):
        call_command("retrieval_reembed")  # the admin's own try goes out again
    assert len(publisher.requests) == 2


def test_any_failure_on_the_way_is_a_clear_error_and_the_document_stays_ready(settings, publisher, workspace):
    settings.EMBEDDING_MODEL_URL = publisher.base_url
    blocker = settings.EMBEDDING_MODEL_CACHE + "-file"
    open(blocker, "w").close()
    settings.EMBEDDING_MODEL_CACHE = blocker  # a file where the folder should be: mkdir fails
    setting_set(label="embedding_provider", value="local")
    with pytest.raises(ModelUnavailable, match="could not download"):
        local_model_folder(download=True)
    document = WorkspaceDocumentFactory(workspace=workspace, status="ready")
    DocumentPassageFactory(document=document, text="Annual leave is 25 days.")
    assert passages_embed(document=document) == 0
    settings.EMBEDDING_MODEL_URL = "ftp://models.example.com/"
    with pytest.raises(ModelUnavailable, match="must be an http"):
        local_model_folder(download=True, retry=True)


def test_another_process_downloading_is_not_waited_for(settings, publisher, tmp_path):
    import fcntl

    settings.EMBEDDING_MODEL_URL = publisher.base_url
    folder = tmp_path / "models" / "all-MiniLM-L6-v2"
    folder.mkdir(parents=True)
    with (folder / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as another worker would hold it (flock: per open file)
        with pytest.raises(ModelUnavailable, match="Another process is downloading"):
            local_model_folder(download=True)
    assert publisher.requests == []
    assert (local_model_folder(download=True) / "model.onnx").is_file()  # not remembered as a failure


def test_a_search_never_downloads_it_stays_lexical_until_the_background_has(settings, publisher, workspace):
    settings.EMBEDDING_MODEL_URL = publisher.base_url
    setting_set(label="embedding_provider", value="local")
    with pytest.raises(EmbeddingError, match="not downloaded yet"):
        embedder_current()
    assert [message.id for message in local_model_check()] == ["retrieval.I002"]  # the worker fetches it
    document = WorkspaceDocumentFactory(workspace=workspace)
    DocumentPassageFactory(document=document, text="Annual leave is 25 days.")
    workspace.semantic_weight = 0.5
    workspace.save()
    assert [hit.semantic for hit in search_passages(workspace=workspace, query="annual leave")] == [None]
    assert publisher.requests == []


def test_unreadable_model_files_leave_search_lexical(settings, publisher, workspace):
    settings.EMBEDDING_MODEL_URL = publisher.base_url
    setting_set(label="embedding_provider", value="local")
    local_model_folder(download=True)  # the stand-in files are no ONNX model
    assert local_model_check() == []
    DocumentPassageFactory(document=WorkspaceDocumentFactory(workspace=workspace), text="Annual leave is 25 days.")
    workspace.semantic_weight = 0.5
    workspace.save()
    with pytest.raises(EmbeddingError, match="cannot be loaded"):
        embedder_current().embed(["annual leave"])
    assert [hit.semantic for hit in search_passages(workspace=workspace, query="annual leave")] == [None]


def test_without_a_download_address_the_local_model_needs_its_folder(settings):
    setting_set(label="embedding_provider", value="local")
    with pytest.raises(CommandError, match="set EMBEDDING_MODEL_DIR to its folder"):
        call_command("retrieval_reembed")
