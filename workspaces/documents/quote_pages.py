"""The page a quoted sentence is on, from the page of each block of its passage.

A passage can run over several pages ("pp. 1–3"); its blocks know their own page
(`Block.page`, set by the paginated readers). The block sharing the most words
with the quoted sentence names the page a citation of that sentence shows.
"""

import re

from workspaces.documents.blocks import PAGE_BREAK, Block

WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> set[str]:
    return set(WORD.findall((text or "").lower()))


def quote_page(blocks: list[Block], quotes: list[str]) -> int | None:
    """The page of the block that holds most of the words of `quotes` (ties: the earlier block);
    None when no block with a page shares a word with them."""
    wanted = set().union(*(words_of(quote) for quote in quotes)) if quotes else set()
    best_page, best_shared = None, 0
    for block in blocks:
        if block.kind == PAGE_BREAK or block.page is None:
            continue
        shared = len(wanted & words_of(block.plain_text()))
        if shared > best_shared:
            best_page, best_shared = block.page, shared
    return best_page
