"""Which passages an answer is given: top_n of them, the clearly relevant first, none cut."""

import uuid

from workspaces.chats.answering import SUPPORTING_SHARE, sources_select
from workspaces.retrieval.search import PassageHit


def hit(passage_id: int, relevance: float) -> PassageHit:
    return PassageHit(passage_id=passage_id, document_id=1, doc_id=uuid.uuid4(), filename="a.txt", position=passage_id,
                      text=f"passage {passage_id}", rank=1.0, score=1.0, workspace_slug="w", relevance=relevance)


def test_passages_reaching_the_share_come_first_and_the_others_fill_up_to_top_n():
    threshold = 0.4
    low = threshold * SUPPORTING_SHARE - 0.01
    candidates = [hit(1, 0.9), hit(2, low), hit(3, 0.5), hit(4, low), hit(5, 0.45), hit(6, 0.1)]
    assert [h.passage_id for h in sources_select(candidates, threshold=threshold, top_n=4)] == [1, 3, 5, 2]


def test_nothing_is_handed_unless_the_best_passage_reaches_the_threshold():
    assert sources_select([hit(1, 0.39), hit(2, 0.2)], threshold=0.4, top_n=4) == []
    assert sources_select([], threshold=0.4, top_n=4) == []


def test_fewer_candidates_than_top_n_are_all_handed_in_rank_order_when_all_are_relevant():
    assert [h.passage_id for h in sources_select([hit(1, 0.5), hit(2, 0.6)], threshold=0.4, top_n=4)] == [1, 2]
