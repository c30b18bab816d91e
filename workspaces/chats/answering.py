"""The one answering interface: (workspace, prompt, history) -> answer text + sources.

A provider is chosen per workspace (`Workspace.chat_provider`), falling back to
the `chat_provider` system setting:

- ``retrieval`` (built in): the best sentence of the best passages, then at most
  two relevant supporting quotes, each cited (`compose.py`).
- ``openai-compatible``: sends the workspace's system prompt, the recent
  history and the retrieved passages to any `/v1/chat/completions` server.

Both retrieve passages the same way (`retrieve_passages`), so the sources of
an answer are the passages it was given, whichever provider wrote it. A question
that finds nothing as asked because of a misspelt word is answered with the word
corrected (`retrieve_with_correction`), and the answer says so.
"""

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

from settings_app.choices import ChatProvider
from settings_app.services import setting_get
from workspaces.chats import llm, llm_stream
from workspaces.chats.answer import Source, StoredAnswer
from workspaces.chats.choices import ChatMode
from workspaces.chats.compose import compose
from workspaces.models import Workspace
from workspaces.retrieval.bm25 import term_weights
from workspaces.retrieval.query import QUESTION_WORDS, coverage, query_terms
from workspaces.retrieval.search import PassageHit, search_passages
from workspaces.retrieval.spelling import correction_for

# Written in the asker's language when the answer is made, and stored so (as a model's answer is).
NO_ANSWER = gettext_noop("No document in this workspace answers that.")
# Words a follow-up about the previous answer is made of, besides stop and question words.
REFERRING_WORDS = frozenset({
    "elaborate", "expand", "continue", "detail", "details", "further", "example", "examples", "else", "go",
    "say", "says", "said", "mean", "means", "again", "explain", "clarify",
})
# A quote of a built-in answer: "> the sentence [2]".
QUOTE_LINE = re.compile(r"^> (.+?)(?: \[\d+\])?$", re.MULTILINE)
CANDIDATES_PER_SOURCE = 3
# The best passage must reach the workspace's threshold. Of the candidates, those reaching this
# share of it are handed first, in rank order, and the others fill up to `top_n`: a passage below
# the share is moved back, never cut. Chosen by `make eval` (leave-one-article-out over 0–1 by
# 0.25: 0.75 on five of the seven folds and on all seven articles together): a passage holding
# more of the question's rare words is worth more than a higher BM25 rank; the floor this
# replaces (0.5, cutting) left 3.82 passages of 4 on the open set and 3.65 on a hidden slice.
SUPPORTING_SHARE = 0.75


def provider_for(workspace: Workspace) -> str:
    return workspace.chat_provider or setting_get("chat_provider")


def refers_back(prompt: str) -> bool:
    """A follow-up that names no subject of its own ("Tell me more about that", "Why?",
    "Can you elaborate?"): it is about the previous turn."""
    return not [term for term in query_terms(prompt) if term not in QUESTION_WORDS | REFERRING_WORDS]


def retrieve_passages(*, workspace: Workspace, prompt: str, history: list[tuple[str, str]]) -> list[PassageHit]:
    """The workspace's best passages for `prompt`: at most `top_n`; none unless the best one's
    relevance reaches `similarity_threshold` (those reaching SUPPORTING_SHARE of it come first).
    In chat mode a follow-up naming no subject ("Tell me more about that") takes the previous
    question's passages; one that matches nothing on its own ("And for how long?") is searched again together with
    the previous question, keeping only passages that share a word with the follow-up
    itself, so an unrelated new question is not answered from the old topic."""
    if workspace.chat_mode == ChatMode.CHAT and history and refers_back(prompt):
        return _best_hits(workspace, history[-1][0])
    hits = _best_hits(workspace, prompt)
    if not hits and workspace.chat_mode == ChatMode.CHAT and history:
        own_terms = query_terms(prompt)
        combined = _best_hits(workspace, f"{history[-1][0]} {prompt}")
        hits = [hit for hit in combined if coverage(own_terms, hit.text) > 0]
    return hits


@dataclass(frozen=True)
class Retrieved:
    hits: list[PassageHit]
    prompt: str  # the question the hits answer: as asked, or with its misspelt words corrected

    def corrected_from(self, asked: str) -> str:
        """The corrected question, or "" when the question was searched as asked."""
        return self.prompt if self.prompt != asked else ""


def retrieve_with_correction(*, workspace: Workspace, prompt: str, history: list[tuple[str, str]]) -> Retrieved:
    """`retrieve_passages`; when nothing is found and a word of the question is in no document
    while an indexed word lies near it ("pasword"), the passages for the corrected question."""
    hits = retrieve_passages(workspace=workspace, prompt=prompt, history=history)
    if hits:
        return Retrieved(hits, prompt)
    correction = correction_for(workspaces=[workspace], query=prompt)
    if correction is not None:
        corrected = retrieve_passages(workspace=workspace, prompt=correction.query, history=history)
        if corrected:
            return Retrieved(corrected, correction.query)
    return Retrieved([], prompt)


def _best_hits(workspace, query):
    candidates = search_passages(workspace=workspace, query=query, limit=workspace.top_n * CANDIDATES_PER_SOURCE)
    return sources_select(candidates, threshold=workspace.similarity_threshold, top_n=workspace.top_n)


def sources_select(
    candidates: list[PassageHit], *, threshold: float, top_n: int, share: float = SUPPORTING_SHARE
) -> list[PassageHit]:
    """`top_n` candidates, those reaching `share` × `threshold` in relevance first (each group in
    rank order); none unless the best reaches `threshold`."""
    if not candidates or max(hit.relevance for hit in candidates) < threshold:
        return []
    floor = threshold * share
    return sorted(candidates, key=lambda hit: hit.relevance < floor)[:top_n]  # stable: rank order kept


def _sources(hits: list[PassageHit]) -> list[Source]:
    return [
        Source(
            doc_id=str(hit.doc_id), filename=hit.filename, position=hit.position, quote=hit.text, score=hit.score,
            page_start=hit.page_start, page_end=hit.page_end, section=hit.section,
        )
        for hit in hits
    ]


def _answer_by_retrieval(workspace, prompt, history, hits):
    """The composed answer and the hits it cites (the only sources shown under it). A follow-up
    about the previous turn is answered from its question's words, quoting what it did not quote."""
    quoted: list[str] = []
    if history and refers_back(prompt):
        terms = query_terms(history[-1][0])
        quoted = QUOTE_LINE.findall(history[-1][1])
    else:
        terms = query_terms(prompt) or query_terms(" ".join(h[0] for h in history[-1:]) + " " + prompt)
    text, cited = compose(hits=hits, weights=term_weights(workspace=workspace, terms=terms), already_quoted=quoted)
    return text, "retrieval", cited


def _llm_messages(workspace, prompt, history, hits):
    passages = [
        {"filename": hit.filename, "position": hit.position, "text": hit.text, "page_start": hit.page_start,
         "page_end": hit.page_end, "section": hit.section}
        for hit in hits
    ]
    return llm.build_messages(
        system_prompt=workspace.system_prompt or setting_get("default_system_prompt"),
        history=history if workspace.chat_mode == ChatMode.CHAT else [],
        passages=passages,
        prompt=prompt,
    )


def _stream_by_llm(workspace, prompt, history, hits) -> llm_stream.CompletionStream:
    """Nothing is sent until the stream is iterated."""
    return llm_stream.CompletionStream(
        base_url=setting_get("llm_base_url"),
        model=workspace.chat_model or setting_get("llm_model"),
        messages=_llm_messages(workspace, prompt, history, hits),
        key=llm.stored_key(),
        idle_timeout=settings.LLM_TIMEOUT_SECONDS,
        total_timeout=settings.LLM_STREAM_MAX_SECONDS,
    )


@dataclass
class AnswerStream:
    """An answer on its way: iterate `chunks` for the text as it arrives. The sources are
    known before the first chunk; `model`, `usage` and the first token's time once it ends."""

    provider: str
    sources: tuple[Source, ...]
    chunks: Iterable[str]
    retrieval_ms: int
    completion: llm_stream.CompletionStream | None = None
    fixed_model: str = ""
    # The best retrieved passage's relevance (0–1); None when no passage was relevant enough.
    relevance: float | None = None
    corrected_prompt: str = ""  # the question as answered, when its spelling was corrected
    hits: tuple[PassageHit, ...] = ()

    @property
    def model(self) -> str:
        return self.completion.model if self.completion else self.fixed_model

    @property
    def usage(self) -> dict:
        return (self.completion.usage or {}) if self.completion else {}

    @property
    def first_token_ms(self) -> int | None:
        return self.completion.first_token_ms if self.completion else 0

    def close(self):
        if self.completion:
            self.completion.close()


def answer_stream(*, workspace: Workspace, prompt: str, history: list[tuple[str, str]]) -> AnswerStream:
    """Retrieve the passages now (they are the sources, whichever provider writes the text)
    and return the answer as a stream. The built-in provider's answer arrives as one chunk;
    the model server is called only when `chunks` is iterated, and its failures are
    llm.LLMErrors raised from that iteration."""
    provider = provider_for(workspace)
    started = time.perf_counter()
    retrieved = retrieve_with_correction(workspace=workspace, prompt=prompt, history=history)
    hits, corrected = retrieved.hits, retrieved.corrected_from(prompt)
    prompt = retrieved.prompt
    retrieval_ms = round((time.perf_counter() - started) * 1000)
    sources = tuple(_sources(hits))
    relevance = max((hit.relevance for hit in hits), default=None)
    if not hits and (provider == ChatProvider.RETRIEVAL or workspace.chat_mode == ChatMode.QUERY):
        return AnswerStream(provider, sources, [gettext(NO_ANSWER)], retrieval_ms)
    if provider == ChatProvider.OPENAI_COMPATIBLE:
        completion = _stream_by_llm(workspace, prompt, history, hits)
        return AnswerStream(
            provider, sources, completion, retrieval_ms, completion=completion, relevance=relevance,
            corrected_prompt=corrected, hits=tuple(hits),
        )
    text, model, cited = _answer_by_retrieval(workspace, prompt, history, hits)
    # Only the passages the composed answer quotes are its sources.
    return AnswerStream(
        provider, tuple(_sources(cited)), [text], retrieval_ms, fixed_model=model, relevance=relevance,
        corrected_prompt=corrected,
    )


def fallback_stream(failed: AnswerStream, *, workspace: Workspace, prompt: str,
                    history: list[tuple[str, str]]) -> AnswerStream:
    """The built-in answer from the passages a failed model stream was given."""
    hits = list(failed.hits)
    if not hits:
        return AnswerStream(ChatProvider.RETRIEVAL, (), [gettext(NO_ANSWER)], failed.retrieval_ms)
    text, model, cited = _answer_by_retrieval(workspace, prompt, history, hits)
    return AnswerStream(ChatProvider.RETRIEVAL, tuple(_sources(cited)), [text], failed.retrieval_ms,
                        fixed_model=model, relevance=failed.relevance, corrected_prompt=failed.corrected_prompt)


def answer(*, workspace: Workspace, prompt: str, history: list[tuple[str, str]]) -> StoredAnswer:
    """The whole answer at once (see `answer_stream`). Raises llm.LLMError, whose
    message is for the page, when the provider fails; nothing is stored here."""
    started = time.perf_counter()
    stream = answer_stream(workspace=workspace, prompt=prompt, history=history)
    text = "".join(stream.chunks).strip()
    finished = time.perf_counter()
    return StoredAnswer(
        text=text,
        sources=stream.sources,
        provider=stream.provider,
        model=stream.model,
        timings={
            "retrieval_ms": stream.retrieval_ms,
            "answer_ms": round((finished - started) * 1000) - stream.retrieval_ms,
            "total_ms": round((finished - started) * 1000),
        },
        usage=stream.usage,
        corrected_prompt=stream.corrected_prompt,
    )
