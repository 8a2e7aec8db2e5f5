"""Per-row arrays of the indexed articles and the one scoring formula, vectorized and scalar.

The engine scores a new or changed article against every indexed one in a few array
operations: lexical dots (from the postings) and semantic dots (dense vectors, see
semantic.py) combine into one score. `combine` (arrays) and `pair_score` (two articles) run
the same float operations in the same order, so the incremental path, the blocked full build
(bulk.py) and the brute-force reference give bit-identical scores.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from services.related import semantic
from services.related.scoring import DOT_SCALE

SEM_DOT_SCALE = semantic.DOT_SCALE


@dataclass(frozen=True)
class Formula:
    """score = (1 - w) lexical cosine + w semantic cosine (+ same-category bonus) (x recency)."""

    semantic_weight: float
    category_bonus: float
    recency: Callable[[int], float] | None


def combine(
    f: Formula,
    lex: np.ndarray,
    sem: np.ndarray | None,
    cat: int,
    cats: np.ndarray,
    pub: int | None,
    pubs: np.ndarray,
    has_pub: np.ndarray,
) -> np.ndarray:
    """Scores of one article (category code `cat`, time `pub`) against rows given their dots."""
    score = lex / DOT_SCALE
    if sem is not None:
        score = score * (1.0 - f.semantic_weight) + f.semantic_weight * (sem / SEM_DOT_SCALE)
    if cat >= 0:
        score = score + f.category_bonus * (cats == cat)
    if f.recency is not None and pub is not None:
        gaps = np.abs(pubs - pub) // 86400
        factors = np.ones(len(score))
        uniq, inverse = np.unique(gaps[has_pub], return_inverse=True)
        factors[has_pub] = np.array([f.recency(int(g)) for g in uniq])[inverse]
        score = score * factors
    return score


def pair_score(
    f: Formula,
    lex: int,
    sem: float | None,
    same_category: bool,
    pub_a: int | None,
    pub_b: int | None,
) -> float:
    """The score of two articles, exactly as `combine` computes it."""
    score = lex / DOT_SCALE
    if sem is not None:
        score = score * (1.0 - f.semantic_weight) + f.semantic_weight * (sem / SEM_DOT_SCALE)
    if same_category:
        score = score + f.category_bonus
    if f.recency is not None and pub_a is not None and pub_b is not None:
        score = score * f.recency(abs(pub_a - pub_b) // 86400)
    return score


class Table:
    """Rows of the indexed articles: dense and query vectors, category code, time, and entry
    floor."""

    def __init__(self, dims: int) -> None:
        self.dims = dims
        self.ids: list[str | None] = []
        self.row_of: dict[str, int] = {}
        self._free: list[int] = []
        self._codes: dict[str, int] = {}
        self.dense = np.zeros((0, dims))
        self.query = np.zeros((0, dims))
        self.cats = np.zeros(0, dtype=np.int64)
        self.pubs = np.zeros(0, dtype=np.int64)
        self.has_pub = np.zeros(0, dtype=bool)
        self.alive = np.zeros(0, dtype=bool)
        # Lowest score that can still enter the row's ranked head (-inf when it holds all).
        self.floor = np.zeros(0)

    def code(self, category: str | None) -> int:
        if category is None:
            return -1
        return self._codes.setdefault(category, len(self._codes))

    def add(
        self,
        aid: str,
        dense: np.ndarray | None,
        query: np.ndarray | None,
        category: str | None,
        pub: int | None,
    ) -> int:
        """Give an article a row; returns it."""
        if not self._free:
            self._grow()
        row = self._free.pop()
        self.ids[row] = aid
        self.row_of[aid] = row
        if self.dims:
            self.dense[row] = 0.0 if dense is None else dense
            self.query[row] = 0.0 if query is None else query
        self.cats[row] = self.code(category)
        self.pubs[row] = pub or 0
        self.has_pub[row] = pub is not None
        self.alive[row] = True
        self.floor[row] = -np.inf
        return row

    def drop(self, aid: str) -> None:
        row = self.row_of.pop(aid)
        self.ids[row] = None
        if self.dims:
            self.dense[row] = 0.0
            self.query[row] = 0.0
        self.alive[row] = False
        self.has_pub[row] = False
        self.cats[row] = -1
        self._free.append(row)

    def semantic_dots(self, query: np.ndarray | None) -> np.ndarray | None:
        """Dots of a query vector with every row's dense vector (how the article ranks each
        row; zeros for free rows); None when no basis."""
        return self._dots(self.dense, query)

    def entering_dots(self, dense: np.ndarray | None) -> np.ndarray | None:
        """Dots of every row's query vector with a dense vector: how each row ranks it."""
        return self._dots(self.query, dense)

    def _dots(self, rows: np.ndarray, vector: np.ndarray | None) -> np.ndarray | None:
        if not self.dims:
            return None
        return np.zeros(len(self.ids)) if vector is None else rows @ vector

    def _grow(self) -> None:
        old = len(self.ids)
        new = max(64, old * 2)
        self.ids.extend([None] * (new - old))
        self._free.extend(range(new - 1, old - 1, -1))
        for name in ("dense", "query"):
            grown = np.zeros((new, self.dims))
            grown[:old] = getattr(self, name)
            setattr(self, name, grown)
        self.cats = np.concatenate([self.cats, np.full(new - old, -1, dtype=np.int64)])
        self.pubs = np.concatenate([self.pubs, np.zeros(new - old, dtype=np.int64)])
        self.has_pub = np.concatenate([self.has_pub, np.zeros(new - old, dtype=bool)])
        self.alive = np.concatenate([self.alive, np.zeros(new - old, dtype=bool)])
        self.floor = np.concatenate([self.floor, np.full(new - old, np.inf)])
