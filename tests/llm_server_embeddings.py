"""The fake server's `POST /v1/embeddings`: a deterministic bag-of-meanings vector per input."""

import hashlib
import math
import re

from tests.llm_server import Behaviour

EMBEDDING_DIMENSIONS = 64
# Words the fake embedding model treats as meaning the same, so semantic search can be
# told apart from word matching in tests.
FAKE_MEANINGS = {"vacation": "leave", "holiday": "leave", "holidays": "leave", "automobile": "car", "vehicle": "car"}


def fake_embedding(text: str) -> list[float]:
    """A unit vector counting the text's words by meaning (hashed into EMBEDDING_DIMENSIONS slots)."""
    vector = [0.0] * EMBEDDING_DIMENSIONS
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        word = FAKE_MEANINGS.get(word, word)
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % EMBEDDING_DIMENSIONS] += 1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def respond_embeddings(handler, fake, body) -> None:
    """`POST /v1/embeddings`: a deterministic bag-of-meanings vector per input (see `fake_embedding`)."""
    if fake.api_key and handler.headers.get("Authorization") != f"Bearer {fake.api_key}":
        handler._send_error(401, "Incorrect API key provided.", "invalid_api_key")
        return
    if fake.behaviour in (Behaviour.SERVER_ERROR, Behaviour.REDIRECT):
        handler._respond(fake.behaviour, body)
        return
    inputs = body.get("input") if isinstance(body, dict) else None
    inputs = [inputs] if isinstance(inputs, str) else inputs
    if not isinstance(body, dict) or not body.get("model") or not isinstance(inputs, list) or not all(
        isinstance(item, str) for item in inputs
    ):
        handler._send_error(400, "model and input (a string or a list of strings) are required", "invalid_request")
        return
    data = [{"object": "embedding", "index": i, "embedding": fake_embedding(text)} for i, text in enumerate(inputs)]
    handler._send_json(200, {"object": "list", "data": data, "model": body["model"]})


def embeddings_served_by(base_url: str) -> None:
    """The system settings that send embeddings to the fake server at `base_url` (its fake-embedder)."""
    from settings_app.services import setting_set

    setting_set(label="embedding_provider", value="openai-compatible")
    setting_set(label="embedding_base_url", value=base_url)
    setting_set(label="embedding_model", value="fake-embedder")
