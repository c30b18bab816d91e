"""Settings of the model servers Docent talks to (the language model, the embedding model, the
reranker): keys, where they may be sent, timeouts and model folders, read by config/settings.py
from the same environment. Keys come from the environment only, never from the database."""

from pathlib import Path

import environ

env = environ.Env()
_BASE_DIR = Path(__file__).resolve().parent.parent

# The OpenAI-compatible provider's key: from the environment only, never stored.
LLM_API_KEY = env("LLM_API_KEY", default="")
# Where that key may go (scheme://host:port). Empty: the origin of the saved `llm_base_url`, so an
# admin who saves another address moves the key with it; set, the key never goes anywhere else.
LLM_API_KEY_ORIGIN = env("LLM_API_KEY_ORIGIN", default="")
LLM_TIMEOUT_SECONDS = env.float("LLM_TIMEOUT_SECONDS", default=60.0)
# Streaming: LLM_TIMEOUT_SECONDS bounds the wait for each chunk, this the whole answer.
LLM_STREAM_MAX_SECONDS = env.float("LLM_STREAM_MAX_SECONDS", default=600.0)

# Semantic search (workspaces/retrieval/embeddings.py): the local model's folder and the
# OpenAI-compatible embeddings server's key, from the environment only. Without a folder the
# local model is downloaded once into the cache (workspaces/retrieval/model_files.py).
EMBEDDING_MODEL_DIR = env("EMBEDDING_MODEL_DIR", default="")
# Shared by the web processes and the workers (they download, the web reads).
EMBEDDING_MODEL_CACHE = env("EMBEDDING_MODEL_CACHE", default=str(_BASE_DIR / ".cache" / "models"))
EMBEDDING_MODEL_URL = env(
    "EMBEDDING_MODEL_URL",
    default="https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/1110a243fdf4706b3f48f1d95db1a4f5529b4d41",
)
EMBEDDING_API_KEY = env("EMBEDDING_API_KEY", default="")
EMBEDDING_API_KEY_ORIGIN = env("EMBEDDING_API_KEY_ORIGIN", default="")  # as LLM_API_KEY_ORIGIN
EMBEDDING_TIMEOUT_SECONDS = env.float("EMBEDDING_TIMEOUT_SECONDS", default=30.0)
# Reranking (workspaces/retrieval/rerank.py, off unless the rerank_provider setting names one):
# the HTTP /rerank server's key (sent only to its origin) and the local cross-encoder's folder.
RERANK_API_KEY = env("RERANK_API_KEY", default="")
RERANK_API_KEY_ORIGIN = env("RERANK_API_KEY_ORIGIN", default="")
RERANK_MODEL_DIR = env("RERANK_MODEL_DIR", default="")
RERANK_TIMEOUT_SECONDS = env.float("RERANK_TIMEOUT_SECONDS", default=10.0)
