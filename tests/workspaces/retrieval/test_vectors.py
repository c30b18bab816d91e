"""Nearest vectors in numpy (SQLite): exact up to EXACT_SCAN_LIMIT vectors, in two steps above it."""

import numpy as np
import pytest

from workspaces.retrieval import vectors
from workspaces.retrieval.vectors import nearest_in_matrix, sign_bits


def unit(matrix):
    return (matrix / np.linalg.norm(matrix, axis=-1, keepdims=True)).astype(np.float32)


def test_sign_bits_hold_one_bit_per_dimension_and_count_the_signs_that_differ():
    vector = np.array([0.5, -1, 2, -0.1, 0, 3, -2, 1, 1, -1], dtype=np.float32)  # 10 dimensions: one word
    other = -vector
    words, other_words = sign_bits(vector), sign_bits(other)
    assert words.shape == (1,)
    # 0 counts as negative on both sides, so its bit agrees; the other nine differ.
    assert int(np.bitwise_count(words ^ other_words).sum()) == 9
    matrix = sign_bits(np.vstack([vector, other, vector]))
    assert matrix.shape == (1, 3)  # one array per word, one entry per row
    assert list(matrix[0]) == [words[0], other_words[0], words[0]]


def test_sign_bits_cover_every_dimension_of_a_long_vector():
    """1,536 dimensions, 24 words: an opposite vector differs in every one of its signs."""
    vector = unit(np.random.default_rng(5).standard_normal(1536))
    query, opposite = sign_bits(vector), sign_bits(-vector)
    assert query.shape == (24,)
    assert sum(int(np.bitwise_count(a ^ b)) for a, b in zip(query, opposite, strict=True)) == 1536


@pytest.mark.slow
@pytest.mark.parametrize("dimensions", [384, 1536])
def test_above_the_exact_limit_the_two_step_scan_finds_the_same_nearest_vectors(monkeypatch, dimensions):
    """Vectors in topics, as embeddings of passages are: comparing signs first keeps the exact
    top 10 of a 20,000-vector matrix while ranking only 2 % of it by cosine, for MiniLM's
    384 dimensions and for the 1,536 of common embedding servers."""
    monkeypatch.setattr(vectors, "RERANK_MIN", 100)
    rng = np.random.default_rng(14)
    spread = 0.08 * np.sqrt(384 / dimensions)  # the same angle around a topic in every dimension
    topics = unit(rng.standard_normal((200, dimensions)))
    matrix = unit(np.repeat(topics, 100, axis=0) + spread * rng.standard_normal((20_000, dimensions)))
    ids = np.arange(1000, 21_000)
    signs = sign_bits(matrix)
    for topic in range(0, 200, 10):
        query = unit(topics[topic] + spread * rng.standard_normal(dimensions))
        exact = nearest_in_matrix(ids, matrix, None, query, 10)
        two_step = nearest_in_matrix(ids, matrix, signs, query, 10)
        assert [pid for pid, _ in two_step] == [pid for pid, _ in exact]
        assert all(1000 + topic * 100 <= pid < 1000 + (topic + 1) * 100 for pid, _ in exact)
        assert [round(cosine, 5) for _, cosine in two_step] == [round(cosine, 5) for _, cosine in exact]


def test_asked_for_more_than_the_matrix_holds_both_scans_return_every_vector_best_first():
    matrix = unit(np.random.default_rng(3).standard_normal((5, 8)))
    ids = np.array([7, 8, 9, 10, 11])
    for signs in (None, sign_bits(matrix)):
        found = nearest_in_matrix(ids, matrix, signs, matrix[2], 50)
        assert sorted(pid for pid, _ in found) == [7, 8, 9, 10, 11]
        assert found[0] == (9, pytest.approx(1.0))
        assert [cosine for _, cosine in found] == sorted((cosine for _, cosine in found), reverse=True)

