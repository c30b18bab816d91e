"""Cross-validation for `make eval`: a setting is chosen on some articles and reported on another.

Each question of a configuration comes back from the child with its article and, per value
of the setting tried (the share of the threshold that puts a passage among those handed
first, `answering.SUPPORTING_SHARE`), whether the passages handed to the model hold a gold answer,
whether the built-in answer's first sentence does, and how many passages were handed.
Leave-one-article-out: for each article, the value with the best recall + first sentence on
the six others (ties: the lower share) is applied to it; the figures
reported are those held-out ones, so no article is scored with a value chosen on itself.
"""

from collections import defaultdict

SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)  # answering.SUPPORTING_SHARE is 0.75


def _totals(rows, share_index):
    n = len(rows)
    if not n:
        return 0.0, 0.0, 0.0
    return (sum(row[2][share_index][0] for row in rows) / n, sum(row[2][share_index][1] for row in rows) / n,
            sum(row[2][share_index][2] for row in rows) / n)


def best_share(rows) -> int:
    """The index in SHARES with the best recall + first sentence over `rows` (ties: the lower share)."""
    scores = [sum(_totals(rows, index)[:2]) for index in range(len(SHARES))]
    return max(range(len(SHARES)), key=lambda index: (round(scores[index], 9), -index))


def leave_one_article_out(rows) -> dict:
    """{"articles": {article: (recall, first, passages, chosen share)}, "total": (recall, first, passages),
    "chosen_on_all": share}: each article scored with the share chosen on the others.
    `rows`: (article, question, [(found, first, passages) per share])."""
    by_article = defaultdict(list)
    for row in rows:
        by_article[row[0]].append(row)
    articles, held_out = {}, []
    for article, own in by_article.items():
        others = [row for row in rows if row[0] != article]
        index = best_share(others)
        recall, first, passages = _totals(own, index)
        articles[article] = (recall, first, passages, SHARES[index])
        held_out.extend((row[0], row[1], [row[2][index]]) for row in own)
    return {"articles": articles, "total": _totals(held_out, 0), "chosen_on_all": SHARES[best_share(rows)]}
