"""The one owner of the answer JSON stored in `workspace_chats.response`.

Everything that reads a stored answer (the chat page, the export, the admin chat
log, the answering history) goes through `StoredAnswer`, so its shape is known in
one place. Old rows and hand-edited ones read safely: a missing or malformed part
becomes empty.
"""

import re
from dataclasses import asdict, dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from settings_app.choices import ChatProvider
from workspaces.documents.locations import citation_label, location_label


@dataclass(frozen=True)
class Source:
    doc_id: str
    filename: str
    position: int | None
    quote: str
    score: float
    # Where the passage is; empty in answers stored before passages knew their pages and headings.
    page_start: int | None = None
    page_end: int | None = None
    section: str = ""
    # The page of the sentence the answer quotes, when the passage spans pages (workspaces.chats.citation_pages).
    page: int | None = None

    @property
    def pages(self) -> tuple[int | None, int | None]:
        """The page a citation names: the quoted sentence's, else the passage's range."""
        return (self.page, self.page) if self.page else (self.page_start, self.page_end)

    @property
    def location(self) -> str:
        """"p. 3 · Annual leave", or "" when the passage has neither page nor heading."""
        page_start, page_end = self.pages
        return location_label(page_start=page_start, page_end=page_end, section=self.section)

    @property
    def label(self) -> str:
        """"handbook.pdf, p. 3 · Annual leave": how a citation names its source."""
        page_start, page_end = self.pages
        return citation_label(filename=self.filename, page_start=page_start, page_end=page_end, section=self.section)


CITATION = re.compile(r"\[(\d{1,3})\]")
STATES = ("answering", "complete", "failed", "stopped")
USAGE_KEYS = ("prompt_tokens", "completion_tokens")


@dataclass(frozen=True)
class StoredAnswer:
    """`text` is the answer so far: whole when `state` is complete, what arrived before the
    failure or the stop otherwise (`reason` says why). `usage` holds the token counts the
    server reported; `timings` the milliseconds of retrieval, first token and the whole answer."""

    text: str = ""
    sources: tuple[Source, ...] = ()
    provider: str = ""
    model: str = ""
    timings: dict = field(default_factory=dict)
    state: str = "complete"
    reason: str = ""
    usage: dict = field(default_factory=dict)
    # The question as answered when a misspelt word was corrected ("" when asked as written).
    corrected_prompt: str = ""
    # Why the answer is not the one the workspace usually gives (the model failed: built-in answer).
    note: str = ""

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "sources": [asdict(source) for source in self.sources],
            "provider": self.provider,
            "model": self.model,
            "timings": dict(self.timings),
            "state": self.state,
            "reason": self.reason,
            "usage": dict(self.usage),
            **({"corrected_prompt": self.corrected_prompt} if self.corrected_prompt else {}),
            **({"note": self.note} if self.note else {}),
        }

    @classmethod
    def from_json(cls, response) -> "StoredAnswer":
        response = response if isinstance(response, dict) else {}
        sources = response.get("sources") if isinstance(response.get("sources"), list) else []
        return cls(
            text=str(response.get("text") or ""),
            sources=tuple(_source(item) for item in sources if isinstance(item, dict)),
            provider=str(response.get("provider") or ""),
            model=str(response.get("model") or ""),
            timings=response.get("timings") if isinstance(response.get("timings"), dict) else {},
            state=response.get("state") if response.get("state") in STATES else "complete",
            reason=str(response.get("reason") or ""),
            usage=_usage(response.get("usage")),
            corrected_prompt=str(response.get("corrected_prompt") or ""),
            note=str(response.get("note") or ""),
        )

    @property
    def usage_line(self) -> str:
        """What a model answer cost, under it: "312 tokens · 2.4 s" (the answer's own tokens and the
        whole time from question to end), "tokens not reported · 2.4 s" when the server sent no
        count (llama.cpp's streams never do): never a zero it did not say. "" for built-in answers
        and answers still arriving."""
        if self.provider != ChatProvider.OPENAI_COMPATIBLE or self.state == "answering":
            return ""
        tokens = self.usage.get("completion_tokens")
        if tokens is None:
            parts = [gettext("tokens not reported")]
        else:
            count = number_format(tokens, force_grouping=True)
            parts = [ngettext("%(count)s token", "%(count)s tokens", tokens) % {"count": count}]
        total_ms = _number(self.timings.get("total_ms"), int)
        if total_ms is not None and total_ms >= 0:
            parts.append(f"{number_format(round(total_ms / 1000, 1), 1)} s")
        return " · ".join(parts)

    @property
    def cited_numbers(self) -> set[int]:
        """The source numbers the text cites as [n] (a model may cite only some of its passages)."""
        return {int(number) for number in CITATION.findall(self.text) if 1 <= int(number) <= len(self.sources)}

    @property
    def cited_doc_ids(self) -> set[str]:
        return {source.doc_id for source in self.sources if source.doc_id}

    @staticmethod
    def cited_doc_ids_in(response) -> set[str]:
        """`StoredAnswer.from_json(response).cited_doc_ids`, read straight from the JSON (a chat page
        asks it of every answer it shows, most of them from the cache, never read otherwise)."""
        sources = response.get("sources") if isinstance(response, dict) else None
        if not isinstance(sources, list):
            return set()
        return {doc_id for item in sources if isinstance(item, dict) and (doc_id := str(item.get("doc_id") or ""))}


def _usage(value) -> dict:
    """Only the token counts Docent records, as non-negative integers; anything else is dropped."""
    value = value if isinstance(value, dict) else {}
    counts = {key: _number(value.get(key), int) for key in USAGE_KEYS}
    return {key: count for key, count in counts.items() if count is not None and count >= 0}


def _number(value, kind):
    try:
        return kind(value)
    except (TypeError, ValueError):
        return None


def _source(item: dict) -> Source:
    position = _number(item.get("position"), int)
    return Source(
        doc_id=str(item.get("doc_id") or ""),
        filename=str(item.get("filename") or ""),
        position=position,
        quote=str(item.get("quote") or ""),
        score=_number(item.get("score"), float) or 0.0,
        page_start=_number(item.get("page_start"), int),
        page_end=_number(item.get("page_end"), int),
        section=str(item.get("section") or ""),
        page=_number(item.get("page"), int),
    )
