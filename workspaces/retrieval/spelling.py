"""The "Did you mean …" of a search: the nearest indexed words to query words no document holds.

A query word is misspelt when none of the searched workspaces' passages holds it
(in any form). Its nearest indexed words are the index's own vocabulary (`vocabulary.py`:
FTS5's on SQLite, the BM25 statistics' lexemes on PostgreSQL, by trigram similarity
where `pg_trgm` is installed), ranked by edit distance (insertions, deletions,
substitutions and swaps of two neighbouring letters) and then by how many passages
hold them. The index stores stems ("polici"), so the word shown is the form a passage
of those workspaces actually spells, which also proves the workspace holds it: no
word is ever suggested from a workspace the person may not search.
"""

import re
from dataclasses import dataclass

from workspaces.models import Workspace
from workspaces.retrieval import vocabulary
from workspaces.retrieval.query import query_terms

# Shorter words are left alone: too many words lie one letter away from them.
MIN_WORD_LENGTH = 4
# Indexed words tried per misspelt word, nearest first, until one is found in a workspace.
CANDIDATES_TRIED = 3
# Misspelt words looked up per query (each costs a few queries): the first ones.
MAX_CORRECTED_WORDS = 3


@dataclass(frozen=True)
class Correction:
    """`query` with each misspelt word replaced by its nearest indexed word (`words`: typed -> shown)."""

    query: str
    words: dict[str, str]


def max_distance(word: str) -> int:
    """Edits allowed, as search engines' "auto" fuzziness: one up to five letters, two beyond."""
    return 1 if len(word) <= 5 else 2


def correction_for(*, workspaces: list[Workspace], query: str) -> Correction | None:
    """The corrected query when a word of `query` is in none of `workspaces` and an indexed word
    lies near it; None when every word is known or nothing is near."""
    words = [term for term in query_terms(query) if len(term) >= MIN_WORD_LENGTH and not term.isdigit()]
    if not workspaces or not words:
        return None
    unknown = vocabulary.unknown_words(workspaces, words)[:MAX_CORRECTED_WORDS]
    replacements = {}
    for word in unknown:
        nearest = _nearest_known(workspaces, word)
        if nearest and nearest != word:
            replacements[word] = nearest
    if not replacements:
        return None
    return Correction(query=_replaced(query, replacements), words=replacements)


def _nearest_known(workspaces, word: str) -> str | None:
    limit = max_distance(word)
    ranked = _ranked(vocabulary.candidates(workspaces, word, limit), word, limit)
    if not ranked:  # the first letter may be the mistake
        ranked = _ranked(vocabulary.candidates(workspaces, word, limit, anywhere=True), word, limit)
    for _, _, candidate in ranked[:CANDIDATES_TRIED]:
        shown = vocabulary.spelled_form(workspaces, candidate)
        # Near as stems is not enough: the word offered must be near the word typed ("capital" and
        # "cap" share a stem's first letters, four edits apart).
        if shown and edit_distance(word, shown.lower(), limit) <= limit:
            return shown.lower()
    return None


def _ranked(candidates, word, limit) -> list[tuple[int, int, str]]:
    """(distance, −passages, candidate) of the candidates within `limit` edits, nearest first."""
    ranked = []
    for candidate, passages, typed_stem in candidates:
        distance = min(edit_distance(typed, candidate, limit) for typed in {word, typed_stem})
        if distance <= limit:
            ranked.append((distance, -passages, candidate))
    return sorted(ranked)


def _replaced(query: str, replacements: dict[str, str]) -> str:
    pattern = re.compile(r"(?<![^\W_])(" + "|".join(map(re.escape, replacements)) + r")(?![^\W_])", re.IGNORECASE)
    return pattern.sub(lambda match: replacements[match.group(1).lower()], query)


def edit_distance(first: str, second: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two neighbours counts one), or `limit` + 1
    as soon as it must exceed `limit`."""
    if abs(len(first) - len(second)) > limit or len(set(first) ^ set(second)) > 2 * limit:
        return limit + 1  # each edit changes the length, or the set of letters by two, at most
    previous2, previous = None, list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            cost = 0 if a == b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
