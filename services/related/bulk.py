"""Full-corpus ranking for the related engine: sparse X·Xᵀ in row blocks, top of each row."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from services.related.scoring import DOT_SCALE

BLOCK_ROWS = 512


@dataclass(frozen=True)
class RowRanking:
    """What the full build learns about one article."""

    ranked: list[tuple[float, str]]
    complete: bool
    dups: set[str]


def rank_all(
    ids: Sequence[str],
    vectors: Sequence[dict[str, int]],
    categories: Sequence[str | None],
    published: Sequence[int | None],
    *,
    depth: int,
    min_score: float,
    duplicate_dot: float,
    category_bonus: float,
    recency: Callable[[int], float] | None,
) -> Iterator[RowRanking]:
    """Yield, for each article in order, the head of its ranking with the engine's exact scores."""
    n = len(ids)
    vocab: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    for vector in vectors:
        for term, weight in vector.items():
            indices.append(vocab.setdefault(term, len(vocab)))
            data.append(weight)
        indptr.append(len(indices))
    matrix = sp.csr_matrix(
        (np.array(data, dtype=np.int64), np.array(indices), np.array(indptr)),
        shape=(n, max(len(vocab), 1)),
    )
    transposed = matrix.T.tocsc()
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[np.array(sorted(range(n), key=ids.__getitem__), dtype=np.int64)] = np.arange(n)
    codes = {c: i for i, c in enumerate(sorted({c for c in categories if c is not None}))}
    cat = np.array([codes.get(c, -1) if c is not None else -1 for c in categories], dtype=np.int64)
    has_pub = np.array([p is not None for p in published])
    pub = np.array([p or 0 for p in published], dtype=np.int64)
    for start in range(0, n, BLOCK_ROWS):
        block = (matrix[start : start + BLOCK_ROWS] @ transposed).tocsr()
        for row in range(block.shape[0]):
            i = start + row
            lo, hi = block.indptr[row], block.indptr[row + 1]
            cols, dots = block.indices[lo:hi], block.data[lo:hi]
            mask = (cols != i) & (dots > 0)
            cols, dots = cols[mask], dots[mask]
            dups = {ids[c] for c in cols[dots >= duplicate_dot]}
            # Same operations, in the same order, as RelatedEngine._score: results are identical.
            score = dots / DOT_SCALE
            if cat[i] >= 0:
                score = score + category_bonus * (cat[cols] == cat[i])
            if recency is not None and has_pub[i]:
                gaps = np.abs(pub[cols] - pub[i]) // 86400
                factors = np.ones(len(cols))
                known = has_pub[cols]
                uniq, inverse = np.unique(gaps[known], return_inverse=True)
                factors[known] = np.array([recency(int(g)) for g in uniq])[inverse]
                score = score * factors
            keep = score >= min_score
            cols, score = cols[keep], score[keep]
            order = np.lexsort((id_rank[cols], -score))[:depth]
            ranked = [(-float(score[j]), ids[cols[j]]) for j in order]
            yield RowRanking(ranked, len(cols) <= depth, dups)
