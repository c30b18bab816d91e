"""An answer's citations as the page shows them: each source with its links, the answer's
HTML with `[n]` as chips (also while it streams), and the text a Copy button copies."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from workspaces.chats.answer import Source
from workspaces.chats.choices import ChatState
from workspaces.chats.rendering import link_citations, render_markdown
from workspaces.documents.models import passage_url
from workspaces.retrieval.query import MAX_QUERY_CHARS


@dataclass(frozen=True)
class CitedSource:
    number: int
    source: Source
    href: str  # the passage with the question's words marked; "" when the document is gone
    popover: str  # the source's card for the side panel
    cited: bool  # the text cites it (a model answer may leave some of its passages uncited)


def cited_sources(chat, workspace, live_doc_ids) -> list[CitedSource]:
    """Each source of the chat's answer with its links, worked out once for the chips and the list.
    A built-in answer cites every source it lists; a model answer the numbers in its text."""
    answer = chat.answer
    numbers = answer.cited_numbers
    every_one_cited = answer.provider != "openai-compatible" or answer.state == "answering"
    items = []
    for number, source in enumerate(answer.sources, start=1):
        href = ""
        if source.doc_id in live_doc_ids:
            url = passage_url(workspace_slug=workspace.slug, doc_id=source.doc_id, position=source.position)
            href = f"{url}?{urlencode({'q': chat.prompt[:MAX_QUERY_CHARS]})}"
        popover = reverse("workspaces:chat_source", kwargs={"slug": workspace.slug, "pk": chat.pk, "number": number})
        items.append(CitedSource(number, source, href, popover, every_one_cited or number in numbers))
    return items


def answer_html(text: str, cited: list[CitedSource]) -> SafeString:
    """`text` as sanitised HTML with each [n] a chip that opens source n."""
    return link_citations(render_markdown(text), [(item.href, item.popover) for item in cited])


def stored_answer_html(chat, cited: list[CitedSource]) -> SafeString:
    """The chat's answer as `answer_html` gives it, from the HTML stored when the answer ended
    (`text_html`, the output of `render_markdown`); rendered here only when none was stored (an answer
    still being written, or a row the migration that filled the column did not see)."""
    if chat.text_html is None or chat.state == ChatState.ANSWERING:
        return answer_html(chat.answer.text, cited)
    stored = mark_safe(chat.text_html)  # noqa: S308 - render_markdown's sanitised output, stored as it was
    return link_citations(stored, [(item.href, item.popover) for item in cited])


def answer_copy_text(chat) -> str:
    """What Copy puts on the clipboard: the answer as written, then its cited sources by number."""
    answer = chat.answer
    numbers = answer.cited_numbers or set(range(1, len(answer.sources) + 1))
    lines = [f"[{number}] {source.label}" for number, source in enumerate(answer.sources, start=1)
             if number in numbers]
    return answer.text + (("\n\nSources:\n" + "\n".join(lines)) if lines else "")
