"""The local embedding model (ONNX Runtime), on SQLite and on PostgreSQL with pgvector.

Needs the model files: run by `make test-models` with EMBEDDING_MODEL_DIR set (not
collected by `make test`, whose files are test_*.py).
"""

import numpy as np
import pytest
from django.conf import settings
from django.db import connection

from settings_app.services import setting_set
from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory
from tests.model_publisher import model_publisher_server, publish  # noqa: F401  (the model_publisher fixture)
from workspaces.retrieval import model_files, vectors
from workspaces.retrieval.embeddings import LocalEmbedder, _onnx_model, embed, embedder_current
from workspaces.retrieval.search import search_passages
from workspaces.retrieval.services import passages_embed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_model(settings):
    import os

    settings.EMBEDDING_MODEL_DIR = os.environ["EMBEDDING_MODEL_DIR"]
    setting_set(label="embedding_provider", value="local")


def test_the_local_model_gives_384_dimension_unit_vectors_that_put_meaning_together():
    leave, holiday, volcano = embed([
        "Employees get 25 days of annual leave.", "How much vacation do staff have?", "Basalt forms from lava.",
    ])
    assert leave.shape == (384,)
    assert np.linalg.norm(leave) == pytest.approx(1.0, abs=1e-5)
    assert float(leave @ holiday) > float(leave @ volcano) + 0.2


def test_the_tokenizer_reads_256_word_pieces_not_the_shipped_128():
    """The folder's sentence_bert_config.json says 256 (tokenizer.json truncates at 128)."""
    model = _onnx_model(settings.EMBEDDING_MODEL_DIR)
    encoding = model.tokenizer.encode("word " * 1000)
    assert len(encoding.ids) == model.config.max_tokens == 256
    long_text = "The harbour ferry leaves at noon. " * 20 + "The museum closes on Mondays."
    head = embed(["The harbour ferry leaves at noon. " * 20])[0]
    assert float(embed([long_text])[0] @ head) < 0.999  # words after the 128th piece still count


def test_hybrid_search_with_the_local_model_finds_a_passage_by_meaning(workspace):
    document = WorkspaceDocumentFactory(workspace=workspace)
    texts = ["Employees get 25 days of annual leave per year.", "Expense reports are due monthly.",
             "The car park is free for staff."]
    for position, text in enumerate(texts, start=1):
        DocumentPassageFactory(document=document, position=position, text=text)
    assert passages_embed(document=document) == 3
    hits = search_passages(workspace=workspace, query="how much vacation do employees get")
    assert hits[0].position == 1 and hits[0].semantic > 0.3
    if connection.vendor == "postgresql":
        assert vectors.pgvector_ready()
        nearest = vectors.nearest(
            workspace_id=workspace.pk, model=hits[0].passage_id and f"local:{_name()}",
            vector=embed(["vacation days"])[0], limit=3,
        )
        assert nearest[0][0] == hits[0].passage_id


def _name():
    from pathlib import Path

    return Path(settings.EMBEDDING_MODEL_DIR).resolve().name


def test_a_model_downloaded_into_the_cache_embeds_as_the_folder_it_was_published_from(
    settings, model_publisher, monkeypatch, workspace
):
    from pathlib import Path

    source = Path(settings.EMBEDDING_MODEL_DIR)
    names = ("model.onnx", "tokenizer.json")
    publish(model_publisher, monkeypatch, {name: (source / name).read_bytes() for name in names})
    expected = embed(["annual leave"])
    settings.EMBEDDING_MODEL_DIR = ""
    settings.EMBEDDING_MODEL_URL = model_publisher.base_url
    document = WorkspaceDocumentFactory(workspace=workspace)
    DocumentPassageFactory(document=document, text="Employees get 25 days of annual leave per year.")
    assert passages_embed(document=document) == 1  # the ingestion worker's step: downloads first
    embedder = embedder_current()
    assert embedder.name == "local:all-MiniLM-L6-v2"
    assert np.allclose(embedder.embed(["annual leave"]), expected, atol=1e-6)


def test_the_pinned_tokenizer_is_the_one_of_the_offline_copy():
    """The download's pinned tokenizer.json is the very file of ../shared/models (its README: byte-identical
    to the publisher's), so the pin is right at least there; the ONNX file differs (int8 here, float32 there)."""
    import hashlib
    from pathlib import Path

    data = (Path(settings.EMBEDDING_MODEL_DIR) / "tokenizer.json").read_bytes()
    pinned = model_files.MODEL_FILES["tokenizer.json"]
    assert (len(data), hashlib.sha256(data).hexdigest()) == (pinned.size, pinned.sha256)


def test_a_folder_declaring_e5_style_prompts_prefixes_queries_and_passages(tmp_path):
    """The same weights with a config_sentence_transformers.json naming "query: " / "passage: "
    (as multilingual-e5's does): a query's vector is that of the prefixed text, and differs
    from the bare text's."""
    import json
    from pathlib import Path

    source = Path(settings.EMBEDDING_MODEL_DIR)
    for name in ("model.onnx", "tokenizer.json", "modules.json", "sentence_bert_config.json"):
        (tmp_path / name).symlink_to(source / name)
    (tmp_path / "1_Pooling").symlink_to(source / "1_Pooling")
    (tmp_path / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "query: ", "passage": "passage: "}})
    )
    prompted = LocalEmbedder(name="e5-like", folder=str(tmp_path))
    plain = LocalEmbedder(name="plain", folder=str(source))
    question = "How many days of annual leave do employees get?"
    assert np.allclose(prompted.embed([question], purpose="query"), plain.embed([f"query: {question}"]), atol=1e-5)
    assert np.allclose(prompted.embed([question]), plain.embed([f"passage: {question}"]), atol=1e-5)
    assert not np.allclose(prompted.embed([question], purpose="query"), plain.embed([question]), atol=1e-3)
