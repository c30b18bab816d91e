"""Questions the documents could not answer: refused ones (no passage relevant enough) and ones
answered from a barely relevant passage, grouped by similar wording so an owner sees which
document is missing.

Grouping is deterministic: each question becomes the set of its searched words (stop words
dropped, roughly stemmed); newest first, a question joins the first group whose wording shares
at least half of their words together (Jaccard ≥ 0.5), or starts a new one. The text of private
chats is never read here: they are counted, not shown."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from workspaces import permissions
from workspaces.chats.choices import ChatState
from workspaces.insights.period import Period
from workspaces.retrieval.query import query_terms, stem

# An answer whose best passage was within this of the workspace's threshold counts as low relevance.
LOW_RELEVANCE_MARGIN = 0.1
SIMILARITY = 0.5
QUESTIONS_READ_MAX = 2000
GROUPS_SHOWN = 50
WORDINGS_SHOWN = 3


@dataclass
class QuestionGroup:
    wording: str  # the newest question of the group, as asked
    words: frozenset
    count: int = 0
    refused: int = 0
    low_relevance: int = 0
    last_asked: object = None
    other_wordings: list[str] = field(default_factory=list)


@dataclass
class UnansweredReport:
    groups: list[QuestionGroup]
    total: int
    private: int  # counted, their text not shown
    low_relevance_below: float


def question_words(text: str) -> frozenset:
    """What makes two questions alike: their searched words, roughly stemmed; the whole
    text (lower-case, spaces squeezed) when it has no such word."""
    words = frozenset(stem(term) for term in query_terms(text))
    return words or frozenset({" ".join(text.lower().split())})


def _alike(first: frozenset, second: frozenset) -> bool:
    return len(first & second) / len(first | second) >= SIMILARITY


def unanswered_chats(*, workspace, period: Period):
    start, end = period.bounds
    low = workspace.similarity_threshold + LOW_RELEVANCE_MARGIN
    return workspace.chats.filter(created_at__gte=start, created_at__lt=end, state=ChatState.COMPLETE).filter(
        Q(refused=True) | Q(relevance__lt=low)
    )


def unanswered_questions(*, workspace, period: Period) -> UnansweredReport:
    """Two queries: the counts, then the readable questions (newest first, at most QUESTIONS_READ_MAX)."""
    chats = unanswered_chats(workspace=workspace, period=period)
    readable = permissions.chats_with_readable_text(chats)
    counts = chats.aggregate(total=Count("pk"), readable=Count("pk", filter=Q(pk__in=readable.values("pk"))))
    groups: list[QuestionGroup] = []
    rows = readable.order_by("-created_at", "-id").values_list("prompt", "refused", "created_at")
    for prompt, refused, asked in rows[:QUESTIONS_READ_MAX]:
        words = question_words(prompt)
        group = next((group for group in groups if _alike(group.words, words)), None)
        if group is None:
            group = QuestionGroup(wording=prompt, words=words, last_asked=asked)
            groups.append(group)
        elif prompt != group.wording and prompt not in group.other_wordings and \
                len(group.other_wordings) < WORDINGS_SHOWN:
            group.other_wordings.append(prompt)
        group.count += 1
        group.refused += 1 if refused else 0
        group.low_relevance += 0 if refused else 1
    groups.sort(key=lambda group: (-group.count, -group.last_asked.timestamp(), group.wording))
    return UnansweredReport(groups=groups[:GROUPS_SHOWN], total=counts["total"],
                            private=counts["total"] - counts["readable"],
                            low_relevance_below=workspace.similarity_threshold + LOW_RELEVANCE_MARGIN)
