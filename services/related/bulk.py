"""Full-corpus ranking for the related engine: X·Xᵀ in row blocks (lexical sparse, semantic
dense), scored with the engine's formula (table.combine), top of each row."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from services.related.table import Formula, combine

BLOCK_ROWS = 512


@dataclass(frozen=True)
class RowRanking:
    """What the full build learns about one article."""

    ranked: list[tuple[float, str]]
    complete: bool
    dups: set[str]


def sparse_rows(vectors: Sequence[dict[str, int]]) -> sp.csr_matrix:
    vocab: dict[str, int] = {}
    indptr, indices, data = [0], [], []
    for vector in vectors:
        for term, weight in vector.items():
            indices.append(vocab.setdefault(term, len(vocab)))
            data.append(weight)
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.array(data, dtype=np.int64), np.array(indices, dtype=np.int64), np.array(indptr)),
        shape=(len(vectors), max(len(vocab), 1)),
    )


def rank_all(
    ids: Sequence[str],
    vectors: Sequence[dict[str, int]],
    dense: np.ndarray | None,
    query: np.ndarray | None,
    categories: Sequence[str | None],
    published: Sequence[int | None],
    *,
    formula: Formula,
    depth: int,
    min_score: float,
    duplicate_dot: float,
) -> Iterator[RowRanking]:
    """Yield, for each article in order, the head of its ranking with the engine's exact scores.

    `dense`, `query`: the articles' integer-valued semantic and query vectors (rows in order;
    a row ranks the others by its query with their dense vectors), None when off.
    """
    n = len(ids)
    matrix = sparse_rows(vectors)
    transposed = matrix.T.tocsc()
    id_rank = np.empty(n, dtype=np.int64)
    id_rank[np.array(sorted(range(n), key=ids.__getitem__), dtype=np.int64)] = np.arange(n)
    codes = {c: i for i, c in enumerate(sorted({c for c in categories if c is not None}))}
    cat = np.array([codes[c] if c is not None else -1 for c in categories], dtype=np.int64)
    has_pub = np.array([p is not None for p in published], dtype=bool)
    pub = np.array([p or 0 for p in published], dtype=np.int64)
    for start in range(0, n, BLOCK_ROWS):
        stop = min(n, start + BLOCK_ROWS)
        lex_block = (matrix[start:stop] @ transposed).toarray().astype(np.float64)
        sem_block = None if dense is None or query is None else query[start:stop] @ dense.T
        for row in range(stop - start):
            i = start + row
            lex = lex_block[row]
            sem = None if sem_block is None else sem_block[row]
            score = combine(formula, lex, sem, int(cat[i]), cat, published[i], pub, has_pub)
            mask = (lex > 0) if sem is None else ((lex > 0) | (sem > 0))
            mask &= score >= min_score
            mask[i] = False
            cols = np.flatnonzero(mask)
            dups = {ids[c] for c in cols[lex[cols] >= duplicate_dot]}
            complete = len(cols) <= depth
            score = score[cols]
            if len(cols) > depth:  # only the head is sorted (ties at its end kept)
                head = score >= np.partition(score, len(cols) - depth)[len(cols) - depth]
                cols, score = cols[head], score[head]
            order = np.lexsort((id_rank[cols], -score))[:depth]
            ranked = [(-float(score[j]), ids[cols[j]]) for j in order]
            yield RowRanking(ranked, complete, dups)
