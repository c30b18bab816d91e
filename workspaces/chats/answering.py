"""The one answering interface: (workspace, prompt, history) -> answer text + sources.

A provider is chosen per workspace (`Workspace.chat_provider`), falling back to
the `chat_provider` system setting:

- ``retrieval`` (built in): the best sentence of the best passages, then at most
  two relevant supporting quotes, each cited (`compose.py`).
- ``openai-compatible``: sends the workspace's system prompt, the recent
  history and the retrieved passages to any `/v1/chat/completions` server.

Both retrieve passages the same way (`retrieve_passages`), so the sources of
an answer are the passages it was given, whichever provider wrote it.
"""

import time

from django.conf import settings

from settings_app.services import setting_get
from workspaces.chats import llm
from workspaces.chats.answer import Source, StoredAnswer
from workspaces.chats.choices import ChatMode, ChatProvider
from workspaces.chats.compose import compose
from workspaces.models import Workspace
from workspaces.retrieval.bm25 import term_weights
from workspaces.retrieval.query import coverage, query_terms
from workspaces.retrieval.search import PassageHit, search_passages

NO_ANSWER = "No document in this workspace answers that."
CANDIDATES_PER_SOURCE = 3
# The best passage must reach the workspace's threshold; the others a share of it.
SUPPORTING_SHARE = 0.5


def provider_for(workspace: Workspace) -> str:
    return workspace.chat_provider or setting_get("chat_provider")


def retrieve_passages(*, workspace: Workspace, prompt: str, history: list[tuple[str, str]]) -> list[PassageHit]:
    """The workspace's best passages for `prompt`: at most `top_n`; none unless the best one's
    relevance reaches `similarity_threshold` (the others need half of it). In chat mode a follow-up that
    matches nothing on its own ("And for how long?") is searched again together with
    the previous question, keeping only passages that share a word with the follow-up
    itself, so an unrelated new question is not answered from the old topic."""
    hits = _best_hits(workspace, prompt)
    if not hits and workspace.chat_mode == ChatMode.CHAT and history:
        own_terms = query_terms(prompt)
        combined = _best_hits(workspace, f"{history[-1][0]} {prompt}")
        hits = [hit for hit in combined if coverage(own_terms, hit.text) > 0]
    return hits


def _best_hits(workspace, query):
    candidates = search_passages(workspace=workspace, query=query, limit=workspace.top_n * CANDIDATES_PER_SOURCE)
    if not candidates or max(hit.relevance for hit in candidates) < workspace.similarity_threshold:
        return []
    floor = workspace.similarity_threshold * SUPPORTING_SHARE
    return [hit for hit in candidates if hit.relevance >= floor][: workspace.top_n]


def _sources(hits: list[PassageHit]) -> list[Source]:
    return [
        Source(doc_id=str(hit.doc_id), filename=hit.filename, position=hit.position, quote=hit.text, score=hit.score)
        for hit in hits
    ]


def _answer_by_retrieval(workspace, prompt, history, hits):
    """The composed answer and the hits it cites (the only sources shown under it)."""
    terms = query_terms(prompt) or query_terms(" ".join(h[0] for h in history[-1:]) + " " + prompt)
    text, cited = compose(hits=hits, weights=term_weights(workspace=workspace, terms=terms))
    return text, "retrieval", cited


def _answer_by_llm(workspace, prompt, history, hits):
    model = workspace.chat_model or setting_get("llm_model")
    passages = [{"filename": hit.filename, "position": hit.position, "text": hit.text} for hit in hits]
    messages = llm.build_messages(
        system_prompt=workspace.system_prompt or setting_get("default_system_prompt"),
        history=history if workspace.chat_mode == ChatMode.CHAT else [],
        passages=passages,
        prompt=prompt,
    )
    completion = llm.chat_completion(
        base_url=setting_get("llm_base_url"),
        model=model,
        messages=messages,
        api_key=settings.LLM_API_KEY,
        timeout=settings.LLM_TIMEOUT_SECONDS,
    )
    return completion.text, completion.model


def answer(*, workspace: Workspace, prompt: str, history: list[tuple[str, str]]) -> StoredAnswer:
    """Answer `prompt` from `workspace`'s documents. `history` is the asker's recent
    included (prompt, answer) pairs, oldest first. Raises llm.LLMError, whose
    message is for the page, when the provider fails; nothing is stored here."""
    provider = provider_for(workspace)
    started = time.perf_counter()
    hits = retrieve_passages(workspace=workspace, prompt=prompt, history=history)
    retrieved = time.perf_counter()
    if not hits and (provider == ChatProvider.RETRIEVAL or workspace.chat_mode == ChatMode.QUERY):
        text, model = NO_ANSWER, ""
    elif provider == ChatProvider.OPENAI_COMPATIBLE:
        text, model = _answer_by_llm(workspace, prompt, history, hits)
    else:
        text, model, hits = _answer_by_retrieval(workspace, prompt, history, hits)
    finished = time.perf_counter()
    return StoredAnswer(
        text=text,
        sources=tuple(_sources(hits)),
        provider=provider,
        model=model,
        timings={
            "retrieval_ms": round((retrieved - started) * 1000),
            "answer_ms": round((finished - retrieved) * 1000),
            "total_ms": round((finished - started) * 1000),
        },
    )
