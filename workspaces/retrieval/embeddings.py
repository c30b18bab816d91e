"""Text to vectors: one interface, `embed(texts)`, and the provider the system settings choose.

- ``none``: no semantic search; retrieval is lexical.
- ``local``: a sentence-embedding model in process through ONNX Runtime, from the folder in
  the environment variable EMBEDDING_MODEL_DIR (model.onnx + tokenizer.json, and the
  sentence-transformers files saying its pooling, maximum length and query/passage
  prefixes: `model_config.py`), else all-MiniLM-L6-v2 downloaded once (`model_files.py`).
- ``openai-compatible``: `POST <embedding_base_url>/embeddings` of any server that
  speaks it, with the `embedding_model` setting and the EMBEDDING_API_KEY variable, through
  `workspaces.outgoing`: the key goes only to the origin of `embedding_base_url`, never along
  a redirect.

Vectors are float32 rows, L2 normalised, so a dot product is the cosine.
"""

import functools
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from accounts.base import DocentError
from settings_app.services import setting_get
from workspaces import outgoing
from workspaces.outgoing import Failure, OutgoingError, ServerKey
from workspaces.retrieval.model_config import ModelConfig, model_config
from workspaces.retrieval.model_files import ModelUnavailable, local_model_folder

logger = logging.getLogger(__name__)

BATCH_SIZE = 32
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
MESSAGE_NOT_CONFIGURED = "The embedding server is not configured: set its address and model."
MESSAGE_MODEL_UNREADABLE = "The local embedding model's files cannot be loaded: replace them."
MESSAGE_UNREACHABLE = "Docent could not reach the embedding server."
MESSAGE_BAD_STATUS = "The embedding server answered {status}."
MESSAGE_MALFORMED = "The embedding server sent an answer Docent could not read."


class EmbeddingError(DocentError):
    default_code = "embedding_failed"


@dataclass(frozen=True)
class Embedder:
    """A configured provider. `name` is stored with every vector it makes."""

    name: str

    def embed(self, texts: list[str], purpose: str = "passage") -> np.ndarray:
        """One row per text; `purpose` is "query" for a search's question, "passage" for stored text."""
        raise NotImplementedError


def normalised(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class _OnnxModel:
    """The model files of one folder, loaded once per process."""

    def __init__(self, folder: Path, config: ModelConfig):
        import onnxruntime
        from tokenizers import Tokenizer

        self.config = config
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # The tokenizer file's own truncation (MiniLM's: 128) gives way to the model's maximum length.
        self.tokenizer.enable_truncation(max_length=config.max_tokens)
        padding = self.tokenizer.padding or {}
        self.tokenizer.enable_padding(pad_id=padding.get("pad_id", 0), pad_token=padding.get("pad_token", "[PAD]"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        options.inter_op_num_threads = 1
        # Idle pool threads sleep instead of spinning: spinning, they held both CPUs of a 2-CPU
        # machine for a while after each query, and a hybrid search's lexical half ran no faster
        # beside the embedding than after it.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(folder / "model.onnx"), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {item.name for item in self.session.get_inputs()}

    def embed(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feed)[0]
        return normalised(pooled(hidden, mask, self.config.pooling))


def pooled(hidden: np.ndarray, mask: np.ndarray, pooling: str) -> np.ndarray:
    """One vector per text from the token vectors: the first token's (cls), the largest value
    of each dimension over the real tokens (max), or their mean (mean)."""
    if pooling == "cls":
        return hidden[:, 0]
    weights = mask[:, :, None].astype(np.float32)
    if pooling == "max":
        return np.where(weights > 0, hidden, -np.inf).max(axis=1)
    return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


@functools.lru_cache(maxsize=2)
def _folder_config(folder: str) -> ModelConfig:
    return model_config(Path(folder))


@functools.lru_cache(maxsize=2)
def _onnx_model(folder: str) -> _OnnxModel:
    return _OnnxModel(Path(folder), _folder_config(folder))


@dataclass(frozen=True)
class LocalEmbedder(Embedder):
    folder: str = ""

    def embed(self, texts, purpose="passage"):
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        texts = _folder_config(self.folder).prefixed(list(texts), purpose)
        try:
            model = _onnx_model(self.folder)
        except Exception as exc:  # a damaged or foreign file: searches stay lexical, uploads get no vectors
            logger.warning("the local embedding model in %s cannot be loaded: %s", self.folder, exc)
            raise EmbeddingError(MESSAGE_MODEL_UNREADABLE) from exc
        # Similar lengths together: less padding, same vectors.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = [None] * len(texts)
        for start in range(0, len(order), BATCH_SIZE):
            chunk = order[start:start + BATCH_SIZE]
            for index, vector in zip(chunk, model.embed([texts[i] for i in chunk]), strict=True):
                vectors[index] = vector
        return np.vstack(vectors)


@dataclass(frozen=True)
class OpenAICompatibleEmbedder(Embedder):
    base_url: str = ""
    model: str = ""
    key: ServerKey | None = None
    timeout: float = 30.0

    def embed(self, texts, purpose="passage"):
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        rows = []
        for start in range(0, len(texts), BATCH_SIZE):
            rows.extend(self._request(texts[start:start + BATCH_SIZE]))
        return normalised(np.array(rows, dtype=np.float32))

    def _request(self, batch):
        url = f"{self.base_url.rstrip('/')}/embeddings"
        try:
            raw = outgoing.request_send(
                "POST", url, key=self.key, json={"model": self.model, "input": batch}, timeout=self.timeout,
                max_bytes=MAX_RESPONSE_BYTES, deadline=time.monotonic() + self.timeout,
            )
            payload = json.loads(raw)
        except OutgoingError as failure:
            if failure.failure == Failure.ADDRESS:
                raise EmbeddingError(MESSAGE_NOT_CONFIGURED) from None
            if failure.failure == Failure.STATUS:
                raise EmbeddingError(MESSAGE_BAD_STATUS.format(status=outgoing.status_text(failure.status))) from None
            raise EmbeddingError(MESSAGE_UNREACHABLE) from None
        except ValueError as exc:
            raise EmbeddingError(MESSAGE_MALFORMED) from exc
        try:
            data = sorted(payload["data"], key=lambda item: item.get("index", 0))
            vectors = [[float(x) for x in item["embedding"]] for item in data]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise EmbeddingError(MESSAGE_MALFORMED) from exc
        if len(vectors) != len(batch) or len({len(v) for v in vectors}) != 1 or not vectors[0]:
            raise EmbeddingError(MESSAGE_MALFORMED)
        return vectors


def embedder_current(*, download: bool = False, retry: bool = False) -> Embedder | None:
    """The provider the `embedding_provider` setting names, or None for lexical retrieval only.
    Raises EmbeddingError when the chosen provider lacks what it needs. With `download` (work
    in the background, never a request), the local model is fetched if it is not there yet
    (`retry`: even right after a failed attempt)."""
    provider = setting_get("embedding_provider")
    if provider == "local":
        try:
            folder = local_model_folder(download=download, retry=retry)
        except ModelUnavailable as exc:
            raise EmbeddingError(exc.message) from exc
        return LocalEmbedder(name=f"local:{folder.name}", folder=str(folder))
    if provider == "openai-compatible":
        base_url, model = setting_get("embedding_base_url"), setting_get("embedding_model")
        if not base_url or not model:
            raise EmbeddingError(MESSAGE_NOT_CONFIGURED)
        return OpenAICompatibleEmbedder(
            name=f"openai-compatible:{model}", base_url=base_url, model=model,
            key=ServerKey.for_address(secret=settings.EMBEDDING_API_KEY,
                                      address=settings.EMBEDDING_API_KEY_ORIGIN or base_url),
            timeout=settings.EMBEDDING_TIMEOUT_SECONDS,
        )
    return None


def embedder_warm() -> None:
    """Load the local model now, if it is the provider and already on disk: a worker does this
    before its first task, so no document waits for the model to load (issue 30)."""
    try:
        embedder = embedder_current()
    except EmbeddingError:
        return
    if isinstance(embedder, LocalEmbedder):
        embedder.embed(["warm"])


def embed(texts: list[str]) -> np.ndarray:
    """One L2-normalised float32 row per text, from the configured provider."""
    embedder = embedder_current()
    if embedder is None:
        raise EmbeddingError("Semantic search is off (embedding_provider is none).")
    return embedder.embed(list(texts))
