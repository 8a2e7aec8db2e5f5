"""The dense side's basis: projections centred on the fitted corpus' mean, stored exactly."""

import random

import numpy as np

from services.related import semantic


def _vectors(n: int, seed: int) -> list[dict[str, int]]:
    rng = random.Random(seed)
    vocab = [f"t{i}" for i in range(60)]
    return [
        {t: rng.randrange(1000, semantic.SCALE) for t in [*rng.sample(vocab, 8), "common"]}
        for _ in range(n)
    ]


def _raw(basis: semantic.Basis, vector: dict[str, int]) -> np.ndarray:
    rows = [basis.terms.index(t) for t in vector if t in basis.terms]
    weights = np.array([vector[basis.terms[r]] for r in rows], dtype=np.float64)
    return weights @ basis.matrix[rows].astype(np.float64)


def test_fit_keeps_the_mean_projection_of_its_corpus() -> None:
    vectors = _vectors(80, 1)
    basis = semantic.fit(vectors, dims=10)
    assert basis is not None and basis.mean is not None
    mean = np.mean([_raw(basis, v) for v in vectors], axis=0)
    np.testing.assert_allclose(basis.mean, mean, rtol=1e-6, atol=1e-6 * np.abs(mean).max())
    assert np.abs(basis.mean).max() > 0.1 * np.abs(mean).max()  # a real offset, not zeros


def test_projection_is_centred_on_the_mean() -> None:
    vectors = _vectors(80, 2)
    basis = semantic.fit(vectors, dims=10)
    assert basis is not None and basis.mean is not None
    uncentred = semantic.Basis(basis.terms, basis.matrix)
    for vector in vectors[:5]:
        centred = _raw(basis, vector) - basis.mean
        expected = np.rint(centred / np.linalg.norm(centred) * semantic.SCALE)
        np.testing.assert_array_equal(basis.project(vector), expected)
        assert not np.array_equal(basis.project(vector), uncentred.project(vector))


def test_mean_survives_storage_bit_for_bit() -> None:
    basis = semantic.fit(_vectors(80, 3), dims=10)
    assert basis is not None and basis.mean is not None
    loaded = semantic.Basis.from_parts(basis.to_parts(terms_per_part=7))
    assert loaded.mean is not None
    assert loaded.mean.tobytes() == basis.mean.tobytes()
    assert loaded.matrix.tobytes() == basis.matrix.tobytes()


def test_a_basis_stored_without_a_mean_projects_uncentred() -> None:
    vectors = _vectors(80, 4)
    basis = semantic.fit(vectors, dims=10)
    assert basis is not None
    parts = basis.to_parts(terms_per_part=7)
    del parts[0]["mean"]  # as an epoch fitted before the mean was kept
    older = semantic.Basis.from_parts(parts)
    assert older.mean is None
    plain = _raw(basis, vectors[0])
    expected = np.rint(plain / np.linalg.norm(plain) * semantic.SCALE)
    np.testing.assert_array_equal(older.project(vectors[0]), expected)


def test_topics_are_fitted_with_the_basis_and_weigh_their_share_of_a_dot() -> None:
    vectors = _vectors(120, 5)
    basis = semantic.fit(vectors, dims=10, topics=4, topic_share=0.2, temperature=0.1)
    assert basis is not None and basis.topics is not None
    centroids = basis.topics.centroids
    assert centroids.shape == (4, 10)
    np.testing.assert_allclose(np.linalg.norm(centroids, axis=1), 1.0)
    assert basis.width == 14
    one, two = basis.project(vectors[0]), basis.project(vectors[1])
    assert one is not None and two is not None and one.shape == (14,)
    assert abs(np.linalg.norm(one) - semantic.SCALE) < 8  # unit length, rounded to integers

    def unit(vector: dict[str, int]) -> np.ndarray:
        centred = _raw(basis, vector) - basis.mean
        return centred / np.linalg.norm(centred)

    lsa = float(unit(vectors[0]) @ unit(vectors[1]))
    memberships = [basis.topics.membership(unit(v)) for v in vectors[:2]]
    topic = float(memberships[0] @ memberships[1])
    assert abs(float(one @ two) / semantic.DOT_SCALE - (0.8 * lsa + 0.2 * topic)) < 1e-3
    # a soft membership: every topic counts a little, the nearest the most
    nearest = int(np.argmax(centroids @ unit(vectors[0])))
    assert int(np.argmax(memberships[0])) == nearest and memberships[0].min() > 0


def test_topics_survive_storage_and_a_basis_without_them_projects_as_before() -> None:
    vectors = _vectors(120, 6)
    basis = semantic.fit(vectors, dims=10, topics=4)
    assert basis is not None and basis.topics is not None
    loaded = semantic.Basis.from_parts(basis.to_parts(terms_per_part=7))
    assert loaded.topics is not None
    assert loaded.topics.centroids.tobytes() == basis.topics.centroids.tobytes()
    assert (loaded.topics.share, loaded.topics.temperature) == (0.15, 0.1)
    for vector in vectors[:5]:
        np.testing.assert_array_equal(loaded.project(vector), basis.project(vector))
    parts = basis.to_parts(terms_per_part=7)
    del parts[0]["topics"]  # as an epoch fitted before topics were kept
    older = semantic.Basis.from_parts(parts)
    assert older.topics is None and older.width == 10
    centred = _raw(basis, vectors[0]) - basis.mean
    expected = np.rint(centred / np.linalg.norm(centred) * semantic.SCALE)
    np.testing.assert_array_equal(older.project(vectors[0]), expected)


def test_no_topics_for_a_corpus_of_fewer_than_four_articles_per_topic() -> None:
    basis = semantic.fit(_vectors(60, 7), dims=10, topics=16)
    assert basis is not None and basis.topics is None and basis.width == 10


def test_topics_count_only_articles_that_project() -> None:
    """Articles without a basis term have no dense vector, so they are no points for k-means
    (each would have been the mean's opposite): 60 that project are too few for 16 topics."""
    empty = [{f"rare{i}": 1000} for i in range(200)]  # each term in one article: below min_df
    basis = semantic.fit([*_vectors(60, 8), *empty], dims=10, topics=16)
    assert basis is not None and basis.topics is None
    with_topics = semantic.fit([*_vectors(80, 8), *empty], dims=10, topics=16)
    assert with_topics is not None and with_topics.topics is not None


def test_an_article_ranks_with_its_dense_vector_plus_its_closest_anchors() -> None:
    """query = unit(dense + weight x mean of the `neighbours` anchors closest to it), where
    the anchors are the fitted articles' own dense vectors, frozen with the basis."""
    vectors = _vectors(120, 9)
    basis = semantic.fit(vectors, dims=10, topics=4, neighbours=5, neighbour_weight=2.0)
    assert basis is not None and basis.anchors is not None
    anchors = basis.anchors
    assert anchors.rows.shape == (120, basis.width)
    np.testing.assert_array_equal(anchors.rows[7], basis.project(vectors[7]))
    fresh = {"t1": 30000, "t2": 20000, "t3": 9000, "common": 4000}  # not one of the fitted
    dense = basis.project(fresh)
    assert dense is not None
    sims = anchors.rows @ dense
    closest = np.argsort(-sims, kind="stable")[:5]
    expanded = dense / semantic.SCALE + 2.0 * anchors.rows[closest].mean(axis=0) / semantic.SCALE
    expected = np.rint(expanded / np.linalg.norm(expanded) * semantic.SCALE)
    query = basis.query(dense)
    assert query is not None
    np.testing.assert_array_equal(query, expected)
    assert not np.array_equal(query, dense)
    # closer to the neighbourhood than the article alone is
    centre = anchors.rows[closest].mean(axis=0)
    assert query @ centre > dense @ centre


def test_queries_in_blocks_equal_one_at_a_time_bit_for_bit() -> None:
    vectors = _vectors(150, 10)
    basis = semantic.fit(vectors, dims=10, topics=4, neighbours=7)
    assert basis is not None
    dense = np.array([basis.project(v) for v in vectors[:40]])
    blocked = basis.queries(dense, block=16)
    for row, one in zip(dense, blocked, strict=True):
        assert basis.query(row).tobytes() == one.tobytes()  # type: ignore[union-attr]


def test_ties_at_the_cut_go_to_the_earlier_anchor() -> None:
    """Four anchors equally close, two neighbours: anchors 0 and 1 make the neighbourhood,
    whatever order argpartition leaves them in."""
    tied = semantic.Anchors(np.array([[0, 3], [1, 3], [0, 3], [2, 3]]) * 1000.0, 2, 1.0)
    dense = np.array([0.0, semantic.SCALE])
    got = tied.query(dense, np.full(4, 3000.0 * semantic.SCALE))
    expanded = dense / semantic.SCALE + (tied.rows[0] + tied.rows[1]) / (2 * semantic.SCALE)
    np.testing.assert_array_equal(
        got, np.rint(expanded / np.linalg.norm(expanded) * semantic.SCALE)
    )
    later = dense / semantic.SCALE + (tied.rows[2] + tied.rows[3]) / (2 * semantic.SCALE)
    assert not np.array_equal(got, np.rint(later / np.linalg.norm(later) * semantic.SCALE))


def test_anchors_survive_storage_and_a_basis_without_them_ranks_with_the_dense_vector() -> None:
    vectors = _vectors(120, 11)
    basis = semantic.fit(vectors, dims=10, topics=4, neighbours=5, neighbour_weight=1.5)
    assert basis is not None and basis.anchors is not None
    parts = basis.to_parts(terms_per_part=7)
    loaded = semantic.Basis.from_parts(parts)
    assert loaded.anchors is not None
    assert loaded.anchors.rows.tobytes() == basis.anchors.rows.tobytes()
    assert (loaded.anchors.neighbours, loaded.anchors.weight) == (5, 1.5)
    for vector in vectors[:5]:
        dense = basis.project(vector)
        assert loaded.query(dense).tobytes() == basis.query(dense).tobytes()  # type: ignore[union-attr]
    older = semantic.Basis.from_parts(
        [{k: v for k, v in p.items() if k != "anchors"} for p in parts if "anchor_rows" not in p]
    )  # as an epoch fitted before anchors were kept
    dense = older.project(vectors[0])
    assert older.anchors is None and older.query(dense) is dense


def test_anchors_are_spread_over_a_large_corpus_and_absent_when_switched_off() -> None:
    vectors = _vectors(150, 12)
    capped = semantic.fit(vectors, dims=10, neighbours=5, max_anchors=40)
    assert capped is not None and capped.anchors is not None
    assert len(capped.anchors.rows) == 38  # every 4th of 150
    np.testing.assert_array_equal(capped.anchors.rows[1], capped.project(vectors[4]))
    off = semantic.fit(vectors, dims=10, neighbours=0)
    assert off is not None and off.anchors is None
