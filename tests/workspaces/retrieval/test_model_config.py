"""The local provider runs any sentence-transformers model as its folder says: pooling,
normalisation, maximum length and the query/passage prefixes (e.g. multilingual-e5's)."""

import json

import numpy as np
import pytest

from workspaces.retrieval.embeddings import pooled
from workspaces.retrieval.model_config import DEFAULT_MAX_TOKENS, ModelConfig, model_config


def write(folder, name, payload):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload))


@pytest.fixture
def e5_folder(tmp_path):
    """The configuration files of intfloat/multilingual-e5-small as published (no weights needed here)."""
    write(tmp_path, "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    write(tmp_path, "1_Pooling/config.json", {"pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True})
    write(tmp_path, "sentence_bert_config.json", {"max_seq_length": 512, "do_lower_case": False})
    write(tmp_path, "config_sentence_transformers.json", {"prompts": {"query": "query: ", "passage": "passage: "}})
    return tmp_path


def test_an_e5_folder_gives_its_prefixes_length_and_pooling(e5_folder):
    config = model_config(e5_folder)
    assert config == ModelConfig(pooling="mean", normalize=True, max_tokens=512,
                                 prefixes={"query": "query: ", "passage": "passage: "})
    assert config.prefixed(["how many days of leave?"], "query") == ["query: how many days of leave?"]
    assert config.prefixed(["Annual leave is 25 days."], "passage") == ["passage: Annual leave is 25 days."]


def test_a_folder_without_configuration_runs_as_minilm(tmp_path):
    config = model_config(tmp_path)
    assert config == ModelConfig(pooling="mean", normalize=True, max_tokens=DEFAULT_MAX_TOKENS, prefixes={})
    assert config.prefixed(["as written"], "query") == ["as written"]


def test_cls_pooling_and_a_document_prompt_are_read(tmp_path):
    write(tmp_path, "modules.json", [{"path": "pool", "type": "sentence_transformers.models.Pooling"}])
    write(tmp_path, "pool/config.json", {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
    write(tmp_path, "config_sentence_transformers.json",
          {"prompts": {"query": "Represent this sentence for searching relevant passages: ", "document": ""}})
    config = model_config(tmp_path)
    assert (config.pooling, config.normalize) == ("cls", False)
    assert config.prefixes == {"query": "Represent this sentence for searching relevant passages: "}


def test_an_unreadable_file_falls_back_to_the_defaults(tmp_path):
    (tmp_path / "sentence_bert_config.json").write_text("{not json")
    assert model_config(tmp_path).max_tokens == DEFAULT_MAX_TOKENS


def test_pooling_takes_the_first_token_the_mean_or_the_maximum_of_the_real_tokens():
    hidden = np.array([[[1.0, 0.0], [3.0, 4.0], [100.0, 100.0]]])
    mask = np.array([[1, 1, 0]])  # the third token is padding
    assert pooled(hidden, mask, "cls").tolist() == [[1.0, 0.0]]
    assert pooled(hidden, mask, "mean").tolist() == [[2.0, 2.0]]
    assert pooled(hidden, mask, "max").tolist() == [[3.0, 4.0]]
