"""The dense side's fit: log-entropy term weights and a basis that folds them in."""

import math
import random

import numpy as np
import pytest

from services.related import semantic


def test_entropy_weight_of_a_term_in_one_article_is_one() -> None:
    weights = semantic.entropy_weights([{"a": 3.0, "b": 1.0}, {"b": 1.0}, {"c": 2.0}])
    assert weights["a"] == 1.0
    assert weights["c"] == 1.0


def test_entropy_weight_falls_as_a_term_spreads() -> None:
    rows = [{"even": 2.0, "half": 1.0}, {"even": 2.0, "half": 1.0}, {"even": 2.0}, {"even": 2.0}]
    weights = semantic.entropy_weights(rows)
    assert weights["even"] == pytest.approx(0.0, abs=1e-12)
    # p = 1/2 in two of four articles: 1 + 2 (1/2 ln 1/2) / ln 4 = 1/2
    assert weights["half"] == pytest.approx(1 - math.log(2) / math.log(4))


def test_entropy_weights_of_a_single_article_are_one() -> None:
    assert semantic.entropy_weights([{"a": 2.0, "b": 1.0}]) == {"a": 1.0, "b": 1.0}


def _vectors(n: int, seed: int) -> list[dict[str, int]]:
    rng = random.Random(seed)
    vocab = [f"t{i}" for i in range(60)]
    out = []
    for _ in range(n):
        terms = [*rng.sample(vocab, 8), "common"]
        out.append({t: rng.randrange(1000, semantic.SCALE) for t in terms})
    return out


def test_weighted_basis_folds_the_weights_into_the_coordinates() -> None:
    vectors = _vectors(80, 1)
    weights = {f"t{i}": 0.5 + i / 100 for i in range(60)} | {"common": 0.0}
    basis = semantic.fit(vectors, dims=10, term_weights=weights)
    assert basis is not None
    scale = np.array([weights[t] for t in basis.terms])
    assert not basis.matrix[basis.terms.index("common")].any()
    inner = basis.matrix[scale > 0].astype(np.float64) / scale[scale > 0, None]
    np.testing.assert_allclose(inner.T @ inner, np.eye(10), atol=1e-5)


def test_a_zero_weight_term_does_not_move_a_projection() -> None:
    vectors = _vectors(80, 2)
    weights = dict.fromkeys({t for v in vectors for t in v}, 1.0) | {"common": 0.0}
    basis = semantic.fit(vectors, dims=10, term_weights=weights)
    assert basis is not None
    vector = dict(vectors[0])
    without = {t: w for t, w in vector.items() if t != "common"}
    np.testing.assert_array_equal(basis.project(vector), basis.project(without))


def test_unit_weights_fit_the_same_space_as_no_weights() -> None:
    vectors = [{t: semantic.SCALE // 3 for t in v} for v in _vectors(80, 3)]
    plain = semantic.fit(vectors, dims=10)
    weighted = semantic.fit(vectors, dims=10, term_weights={})
    assert plain is not None and weighted is not None
    a = plain.matrix.astype(np.float64)
    b = weighted.matrix.astype(np.float64)
    # Same subspace (rows of equal length: unit rows change nothing): projector equal.
    np.testing.assert_allclose(a @ a.T, b @ b.T, atol=1e-4)
