"""A citation names the page of the sentence it quotes, not the whole range of its passage.

An answer cites a passage by number (`[n]`); the sentence that carries `[n]` (a built-in
answer's quote, or a model's sentence) is matched against the blocks of passage n, and the
page of the best block is stored with the source (`Source.page`). Only passages that span
pages are looked up, in one query for the whole answer.
"""

import dataclasses
import re

from django.db.models import Q

from workspaces.chats.answer import Source
from workspaces.chats.rendering import CITATION
from workspaces.documents.blocks import Block
from workspaces.documents.models import DocumentPassage
from workspaces.documents.quote_pages import quote_page

SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+|\n+")
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")
MARKDOWN_MARKS = re.compile(r"^[\s>#*\-•]+|[*_`]+")


def cited_sentences(text: str) -> dict[int, list[str]]:
    """For each source number cited in `text`: the sentences that cite it, without their
    citation marks. A run of citations opening a sentence belongs to the sentence before."""
    cited: dict[int, list[str]] = {}
    previous = ""
    for piece in SENTENCE_END.split(text or ""):
        numbers = [int(match) for match in CITATION.findall(piece)]
        words = " ".join(MARKDOWN_MARKS.sub("", CITATION.sub(" ", piece)).split())
        sentence = SPACE_BEFORE_PUNCTUATION.sub(r"\1", words)
        if numbers and not sentence.strip(" .,;:"):
            sentence = previous  # "… annual leave. [1]"
        for number in numbers:
            cited.setdefault(number, []).append(sentence)
        if sentence:
            previous = sentence
    return cited


def sources_with_pages(*, sources: tuple[Source, ...], text: str) -> tuple[Source, ...]:
    """`sources` with `page` set on those whose passage spans pages and whose quoted sentence
    is found in one of them. One query when any source spans pages, none otherwise."""
    cited = cited_sentences(text)
    spanning = [
        number for number, source in enumerate(sources, start=1)
        if number in cited and source.doc_id and source.position is not None
        and source.page_start and source.page_end and source.page_end != source.page_start
    ]
    if not spanning:
        return sources
    wanted = Q()
    for number in spanning:
        wanted |= Q(document__doc_id=sources[number - 1].doc_id, position=sources[number - 1].position)
    rows = DocumentPassage.objects.filter(wanted).values_list("document__doc_id", "position", "blocks")
    blocks = {(str(doc_id), position): stored for doc_id, position, stored in rows}
    pages = list(sources)
    for number in spanning:
        source = sources[number - 1]
        stored = blocks.get((source.doc_id, source.position))
        if stored is None:
            continue
        page = quote_page([Block.from_json(item) for item in stored or []], cited[number])
        if page is not None and source.page_start <= page <= source.page_end:
            pages[number - 1] = dataclasses.replace(source, page=page)
    return tuple(pages)
