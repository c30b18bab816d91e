"""Reranking, optional: a cross-encoder reads the question with each of the best hits and
orders them again. Off by default (`rerank_provider` = none); measured by `make eval`.

- ``http``: `POST <rerank_base_url>/rerank` of a server in the Cohere / Jina / Hugging Face
  TEI shape: the body carries `query`, the passages as `documents` (Cohere, Jina) and as
  `texts` (TEI), `model` (the `rerank_model` setting, when set) and `top_n`; the answer is
  either `{"results": [{"index", "relevance_score"}]}` (Cohere, Jina) or
  `[{"index", "score"}]` (TEI). Through `workspaces.outgoing`, with the RERANK_API_KEY
  variable sent only to the origin of `rerank_base_url` (or RERANK_API_KEY_ORIGIN).
- ``local``: a cross-encoder exported to ONNX in the folder RERANK_MODEL_DIR (model.onnx +
  tokenizer.json, e.g. cross-encoder/ms-marco-MiniLM-L-6-v2), in process: each (question,
  passage) pair is one input, the first logit its score.

Only the order changes: the best `rerank_candidates` hits (20–50) are put in the reranker's
order ahead of the rest; relevance (and so the workspace's threshold) is untouched. A
reranker that fails leaves the order as it was, never an error (logged).
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

logger = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 4 * 1024 * 1024
MAX_TOKENS = 512
MESSAGE_NOT_CONFIGURED = "The reranker is not configured: set rerank_base_url (or RERANK_MODEL_DIR)."
MESSAGE_BAD_STATUS = "The reranking server answered {status}."
MESSAGE_UNREACHABLE = "Docent could not reach the reranking server."
MESSAGE_MALFORMED = "The reranking server sent an answer Docent could not read."
MESSAGE_MODEL_UNREADABLE = "The local reranking model's files cannot be loaded."


class RerankError(DocentError):
    default_code = "rerank_failed"


@dataclass(frozen=True)
class Reranker:
    name: str

    def scores(self, query: str, texts: list[str]) -> list[float]:
        """One score per text, higher is better (comparable within one call only)."""
        raise NotImplementedError


@dataclass(frozen=True)
class HttpReranker(Reranker):
    base_url: str = ""
    model: str = ""
    key: ServerKey | None = None
    timeout: float = 10.0

    def scores(self, query, texts):
        body = {"query": query, "documents": texts, "texts": texts, "top_n": len(texts)}
        if self.model:
            body["model"] = self.model
        try:
            raw = outgoing.request_send(
                "POST", f"{self.base_url.rstrip('/')}/rerank", key=self.key, json=body, timeout=self.timeout,
                max_bytes=MAX_RESPONSE_BYTES, deadline=time.monotonic() + self.timeout,
            )
            payload = json.loads(raw)
        except OutgoingError as failure:
            if failure.failure == Failure.ADDRESS:
                raise RerankError(MESSAGE_NOT_CONFIGURED) from None
            if failure.failure == Failure.STATUS:
                raise RerankError(MESSAGE_BAD_STATUS.format(status=outgoing.status_text(failure.status))) from None
            raise RerankError(MESSAGE_UNREACHABLE) from None
        except ValueError as exc:
            raise RerankError(MESSAGE_MALFORMED) from exc
        return scores_read(payload, len(texts))


def scores_read(payload, count: int) -> list[float]:
    """The scores in a Cohere/Jina (`results`, `relevance_score`) or TEI (a list, `score`) answer,
    in the order of the texts sent. Raises RerankError unless every text has exactly one."""
    items = payload.get("results") if isinstance(payload, dict) else payload
    scores: list[float | None] = [None] * count
    try:
        for item in items:
            index = int(item["index"])
            value = item["relevance_score"] if "relevance_score" in item else item["score"]
            if not 0 <= index < count or scores[index] is not None:
                raise ValueError(index)
            scores[index] = float(value)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RerankError(MESSAGE_MALFORMED) from exc
    if any(score is None for score in scores):
        raise RerankError(MESSAGE_MALFORMED)
    return scores


class _CrossEncoder:
    """A cross-encoder's files, loaded once per process."""

    def __init__(self, folder: Path):
        import onnxruntime
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        padding = self.tokenizer.padding or {}
        self.tokenizer.enable_padding(pad_id=padding.get("pad_id", 0), pad_token=padding.get("pad_token", "[PAD]"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(folder / "model.onnx"), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {item.name for item in self.session.get_inputs()}

    def scores(self, query: str, texts: list[str]) -> list[float]:
        encodings = self.tokenizer.encode_batch([(query, text) for text in texts])
        feed = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64)}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        logits = self.session.run(None, feed)[0]
        return [float(row[0]) for row in np.asarray(logits).reshape(len(texts), -1)]


@functools.lru_cache(maxsize=1)
def _cross_encoder(folder: str) -> _CrossEncoder:
    return _CrossEncoder(Path(folder))


@dataclass(frozen=True)
class LocalReranker(Reranker):
    folder: str = ""

    def scores(self, query, texts):
        try:
            model = _cross_encoder(self.folder)
        except Exception as exc:  # a damaged or foreign file: the order stays as it was
            logger.warning("the local reranking model in %s cannot be loaded: %s", self.folder, exc)
            raise RerankError(MESSAGE_MODEL_UNREADABLE) from exc
        return model.scores(query, texts)


def reranker_current() -> Reranker | None:
    """The reranker the `rerank_provider` setting names, or None (off). Raises RerankError when
    the chosen one lacks what it needs."""
    provider = setting_get("rerank_provider")
    if provider == "http":
        base_url = setting_get("rerank_base_url")
        if not base_url:
            raise RerankError(MESSAGE_NOT_CONFIGURED)
        return HttpReranker(
            name=f"http:{setting_get('rerank_model') or base_url}", base_url=base_url,
            model=setting_get("rerank_model"),
            key=ServerKey.for_address(secret=settings.RERANK_API_KEY,
                                      address=settings.RERANK_API_KEY_ORIGIN or base_url),
            timeout=settings.RERANK_TIMEOUT_SECONDS,
        )
    if provider == "local":
        folder = settings.RERANK_MODEL_DIR
        if not folder or not (Path(folder) / "model.onnx").is_file():
            raise RerankError(MESSAGE_NOT_CONFIGURED)
        return LocalReranker(name=f"local:{Path(folder).name}", folder=str(Path(folder).resolve()))
    return None


def rerank_pool() -> int:
    """How many hits a search should rank for the reranker: 0 when reranking is off."""
    return setting_get("rerank_candidates") if setting_get("rerank_provider") != "none" else 0


def reranked(query: str, ids: list[int], texts: dict[int, str]) -> list[int] | None:
    """`ids` (best first) with the first `rerank_candidates` in the configured reranker's order;
    None when reranking is off or fails (logged)."""
    try:
        reranker = reranker_current()
        if reranker is None or not ids:
            return None
        head = ids[: setting_get("rerank_candidates")]
        scores = reranker.scores(query, [texts[pid] for pid in head])
    except RerankError as exc:
        logger.warning("reranking skipped: %s", exc.message)
        return None
    order = sorted(range(len(head)), key=lambda i: (-scores[i], i))
    return [head[i] for i in order] + ids[len(head):]
