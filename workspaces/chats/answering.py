"""The one answering interface: (workspace, prompt, history) -> answer text + sources.

A provider is chosen per workspace (`Workspace.chat_provider`), falling back to
the `chat_provider` system setting:

- ``retrieval`` (built in): quotes the best-matching sentences of the best
  passages, each with a numbered citation.
- ``openai-compatible``: sends the workspace's system prompt, the recent
  history and the retrieved passages to any `/v1/chat/completions` server.

Both retrieve passages the same way (`retrieve_passages`), so the sources of
an answer are the passages it was given, whichever provider wrote it.
"""

import re
import time

from django.conf import settings

from settings_app.services import setting_get
from workspaces.chats import llm
from workspaces.chats.answer import Source, StoredAnswer
from workspaces.chats.choices import ChatMode, ChatProvider
from workspaces.models import Workspace
from workspaces.retrieval.query import coverage, query_terms
from workspaces.retrieval.search import PassageHit, search_passages

NO_ANSWER = "No document in this workspace answers that."
CANDIDATES_PER_SOURCE = 3
QUOTE_SENTENCES = 2
MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+", re.MULTILINE)


def provider_for(workspace: Workspace) -> str:
    return workspace.chat_provider or setting_get("chat_provider")


def retrieve_passages(*, workspace: Workspace, prompt: str, history: list[tuple[str, str]]) -> list[PassageHit]:
    """The workspace's best passages for `prompt`: at most `top_n`, each covering at least
    `similarity_threshold` of the question's words. In chat mode a follow-up that
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
    terms = query_terms(query)
    candidates = search_passages(workspace=workspace, query=query, limit=workspace.top_n * CANDIDATES_PER_SOURCE)
    kept = [hit for hit in candidates if coverage(terms, hit.text) >= workspace.similarity_threshold]
    return kept[: workspace.top_n]


def best_sentences(text: str, terms: list[str], count: int = QUOTE_SENTENCES) -> str:
    """The sentences of a passage that share most words with the question, in reading order,
    as plain text (Markdown heading marks and line breaks dropped, so a quote stays a quote)."""
    sentences = [
        " ".join(MARKDOWN_HEADING.sub("", s).split())
        for s in re.split(r"(?<=[.!?])\s+|\n{2,}", text) if s.strip()
    ]
    sentences = [s for s in sentences if s]
    if len(sentences) <= count:
        return " ".join(sentences)
    ranked = sorted(range(len(sentences)), key=lambda i: (-coverage(terms, sentences[i]), i))[:count]
    return " ".join(sentences[i] for i in sorted(ranked) if coverage(terms, sentences[i]) > 0) or sentences[0]


def _sources(hits: list[PassageHit]) -> list[Source]:
    return [
        Source(
            doc_id=str(hit.doc_id), filename=hit.filename, position=hit.position, quote=hit.text, score=hit.score,
            page_start=hit.page_start, page_end=hit.page_end, section=hit.section,
        )
        for hit in hits
    ]


def _answer_by_retrieval(workspace, prompt, history, hits):
    terms = query_terms(prompt) or query_terms(" ".join(h[0] for h in history[-1:]) + " " + prompt)
    lines = [f"> {best_sentences(hit.text, terms)} [{number}]" for number, hit in enumerate(hits, start=1)]
    return "\n\n".join(["From your documents:", *lines]), "retrieval"


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
        text, model = _answer_by_retrieval(workspace, prompt, history, hits)
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
