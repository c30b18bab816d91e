"""What a search query means: its words, reduced the same way for every reader.

A query is reduced to plain words (operators, quotes and punctuation dropped,
common English words ignored), so no user input can break the SQL or the
full-text syntax. `stem` is the one rough stemmer used outside the databases
(highlighting, answer coverage).
"""

import functools
import re

MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 24
MAX_TERM_LENGTH = 64
OPERATORS = {"and", "or", "not", "near"}
# PostgreSQL's 'english' stop words, so both databases ignore the same words.
ENGLISH_STOP_WORDS_TEXT = """
    a about above after again against all am an and any are as at be because been before being below between both
    but by can did do does doing don down during each few for from further had has have having he her here hers
    herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own s same she should so some such t than that the their theirs
    them themselves then there these they this those through to too under until up very was we were what when where
    which while who whom why will with you your yours yourself yourselves
"""
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS_TEXT.split())
# Words that phrase a question rather than name its subject (not "long", "need", "mean", "like":
# long service, special needs, mean salary). They are searched for like any other; only where
# no passage holds one does it weigh less in relevance (bm25.term_weights).
QUESTION_WORDS_TEXT = """
    many much get gets got getting tell know knows please would could might must also want wants often
    anyone someone anything something explain describe
"""
QUESTION_WORDS = frozenset(QUESTION_WORDS_TEXT.split())


def query_terms(query: str) -> list[str]:
    """The words of `query` that are searched for: lower-case, deduplicated, no operators or stop words."""
    terms = []
    for word in re.findall(r"[^\W_]+", (query or "").lower()):
        word = word[:MAX_TERM_LENGTH]
        if word not in OPERATORS and word not in STOP_WORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_QUERY_TERMS]


def query_phrases(query: str) -> list[str]:
    """The "quoted phrases" of `query`, each as its plain words joined by spaces (two words or more)."""
    phrases = []
    for quoted in re.findall(r'"([^"]+)"', query or ""):
        words = [word[:MAX_TERM_LENGTH] for word in re.findall(r"[^\W_]+", quoted.lower())]
        if len(words) > 1 and " ".join(words) not in phrases:
            phrases.append(" ".join(words))
    return phrases[:MAX_QUERY_TERMS]


# Between the words of a quoted phrase: white space with at most one line break (a wrapped line),
# or a hyphen, slash or apostrophe as written ("e-mail address", "and/or", "don't"); never a full
# stop, a comma or a blank line into the next block.
PHRASE_GAP = r"(?:[^\S\n]*\n?[^\S\n]*(?<=\s)|[^\S\n]*[-‐–—/'’][^\S\n]*)"


def phrase_pattern(phrase: str) -> re.Pattern:
    """A quoted phrase as written: its words in order, whole words, only a PHRASE_GAP between them."""
    words = [re.escape(word) for word in re.findall(r"[^\W_]+", phrase.lower())]
    return re.compile(r"(?<![^\W_])" + PHRASE_GAP.join(words) + r"(?![^\W_])", re.IGNORECASE)


def stem(term: str) -> str:
    """A prefix that the term's inflections share: "reports" -> "repor", "leave" -> "leav"."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s"):
        if term.endswith(suffix) and len(term) - len(suffix) >= 3:
            term = term[: -len(suffix)]
            break
    return term[: max(4, len(term) - 1)] if len(term) > 4 else term


def coverage(terms: list[str], text: str) -> float:
    """Share (0–1) of the question's search words that occur in `text`, by stem, each weighing the same."""
    return weighted_coverage(dict.fromkeys(terms, 1.0), text)


def weighted_coverage(weights: dict[str, float], text: str) -> float:
    """Share (0–1) of the question's search words found in `text`, each word weighing its idf:
    a passage holding the rare words of a question covers it, one holding only common words does not."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    lowered = text.lower()
    found = sum(weight for term, weight in weights.items() if _stem_start(term).search(lowered))
    return found / total


@functools.lru_cache(maxsize=4096)
def _stem_start(term: str) -> re.Pattern:
    """`word_start(stem(term))`, worked out once per term (a search page checks 150 passages)."""
    return word_start(stem(term))


@functools.lru_cache(maxsize=4096)
def word_start(prefix: str) -> re.Pattern:
    """Matches a word of a lower-case text that begins with `prefix`: the prefix, not just after a
    letter or digit. Written literal first (the check of the letter before it looks back from its
    end), so the search skips ahead to the prefix's occurrences: five times faster on a passage
    holding the word, fifteen on one without (a search page checks 150 passages)."""
    escaped = re.escape(prefix)
    return re.compile(escaped + r"(?<![^\W_]" + escaped + ")")
