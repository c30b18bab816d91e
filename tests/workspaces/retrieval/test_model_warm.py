"""The ingestion worker loads the local model before its first task (issue 30: the first document
waited for it), and starts all the same when there is no model to load."""

import numpy as np

from settings_app.services import setting_set
from workspaces.retrieval import embeddings
from workspaces.retrieval.model_config import ModelConfig


class FakeModel:
    def __init__(self):
        self.calls = []

    def embed(self, texts):
        self.calls.append(texts)
        return np.ones((len(texts), 3), dtype=np.float32)


def test_the_local_model_is_loaded_and_run_once_ahead_of_the_first_task(db, monkeypatch):
    model = FakeModel()
    monkeypatch.setattr(embeddings, "embedder_current", lambda: embeddings.LocalEmbedder(name="local:m", folder="/m"))
    monkeypatch.setattr(embeddings, "_folder_config", lambda folder: ModelConfig())
    monkeypatch.setattr(embeddings, "_onnx_model", lambda folder: model)
    embeddings.embedder_warm()
    assert model.calls == [["warm"]]


def test_warming_without_a_model_on_disk_or_with_semantic_search_off_does_nothing(db):
    setting_set(label="embedding_provider", value="local")  # EMBEDDING_MODEL_DIR is empty in tests
    embeddings.embedder_warm()
    setting_set(label="embedding_provider", value="none")
    embeddings.embedder_warm()
