"""The yardstick `make eval` compares Docent with: textbook BM25 and its extractive answer.

As ../shared/eval/README.md defines them: BM25 (k1 1.2, b 0.75, lower-cased word tokens, a
short English stop list) over 200-word passages overlapping by 40 words, per article a
document in one index; recall@4 counts a question found when a gold answer is in one of the
first four passages; the extractive answer is the single sentence of the first passage that
shares the most IDF-weighted question words.
"""

import math
import re
from collections import Counter

K1, B = 1.2, 0.75
SIZE, OVERLAP = 200, 40
STOP_TEXT = """
    a an and are as at be by for from has have he in is it its of on or that the their this to was were
    what when where which who whom why how with did does do
"""
STOP = frozenset(STOP_TEXT.split())
WORD = re.compile(r"\w+")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


def tokens(text: str) -> list[str]:
    return [word for word in WORD.findall(text.lower()) if word not in STOP]


def windows(text: str) -> list[str]:
    words = text.split()
    step = SIZE - OVERLAP
    return [" ".join(words[start:start + SIZE]) for start in range(0, max(1, len(words) - OVERLAP), step)]


class TextbookBM25:
    def __init__(self, articles: list[str]):
        self.passages = [passage for text in articles for passage in windows(text)]
        self.counts = [Counter(tokens(passage)) for passage in self.passages]
        self.lengths = [sum(counts.values()) for counts in self.counts]
        self.average = sum(self.lengths) / len(self.lengths)
        df = Counter(word for counts in self.counts for word in counts)
        n = len(self.passages)
        self.idf = {word: math.log(1 + (n - d + 0.5) / (d + 0.5)) for word, d in df.items()}

    def top(self, question: str, n: int = 4) -> list[str]:
        terms = set(tokens(question))
        scores = []
        for index, counts in enumerate(self.counts):
            score = 0.0
            for term in terms:
                tf = counts.get(term, 0)
                if tf:
                    norm = K1 * (1 - B + B * self.lengths[index] / self.average)
                    score += self.idf[term] * tf * (K1 + 1) / (tf + norm)
            scores.append((-score, index))
        return [self.passages[index] for _, index in sorted(scores)[:n]]

    def first_sentence(self, question: str, passage: str) -> str:
        terms = set(tokens(question))
        best, best_score = "", -1.0
        for sentence in SENTENCE.split(passage):
            score = sum(self.idf.get(term, 0.0) for term in terms & set(tokens(sentence)))
            if score > best_score:
                best, best_score = sentence, score
        return best
