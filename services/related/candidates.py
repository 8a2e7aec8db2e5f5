"""Who an article is scored against: postings (lexical dots) and rows (table.py), in one place.

A change scores the changed article against every indexed one at once: the postings of its
terms give the lexical dots, one matrix-vector product the semantic ones, and `table.combine`
the scores. Only rows with some evidence (a dot above 0) and a score of at least `min_score`
are candidates.
"""

from __future__ import annotations

import numpy as np

from services.related.entries import Entry, Ranked
from services.related.table import Formula, Table, combine


class Candidates:
    """The indexed articles' postings and rows, and the candidates of one article among them."""

    def __init__(self, formula: Formula, *, dims: int, min_score: float) -> None:
        self.formula, self.min_score = formula, min_score
        self.table = Table(dims)
        self._postings: dict[str, dict[str, int]] = {}

    def add(self, aid: str, entry: Entry) -> None:
        for term, weight in entry.vector.items():
            self._postings.setdefault(term, {})[aid] = weight
        self.table.add(aid, entry.dense, entry.category, entry.published)

    def drop(self, aid: str, entry: Entry) -> None:
        for term in entry.vector:
            posting = self._postings[term]
            del posting[aid]
            if not posting:
                del self._postings[term]
        self.table.drop(aid)

    def scores(self, aid: str, entry: Entry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows that are candidates of an indexed article, their scores and lexical dots."""
        table = self.table
        lex = np.zeros(len(table.ids))
        get = self._postings.get
        acc: dict[int, int] = {}
        row_of = table.row_of
        for term, weight in entry.vector.items():
            for other, other_weight in get(term, {}).items():
                row = row_of[other]
                acc[row] = acc.get(row, 0) + weight * other_weight
        if acc:
            lex[np.fromiter(acc, dtype=np.int64, count=len(acc))] = list(acc.values())
        sem = table.semantic_dots(entry.dense)
        own = row_of[aid]
        score = combine(
            self.formula, lex, sem, table.code(entry.category), table.cats,
            entry.published, table.pubs, table.has_pub,
        )  # fmt: skip
        mask = (lex > 0) if sem is None else ((lex > 0) | (sem > 0))
        mask &= table.alive & (score >= self.min_score)
        mask[own] = False
        rows = np.flatnonzero(mask)
        return rows, score[rows], lex[rows]

    def top(self, rows: np.ndarray, scores: np.ndarray, limit: int) -> Ranked:
        """The first `limit` of rows ordered by score descending, then id."""
        if len(rows) > limit:
            cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            keep = scores >= cut
            rows, scores = rows[keep], scores[keep]
        ids = self.table.ids
        return sorted((-float(s), ids[r]) for r, s in zip(rows, scores, strict=True))[:limit]  # type: ignore[misc]

    def set_floor(self, aid: str, entry: Entry) -> None:
        """The lowest score that can still enter the article's ranked head (-inf: it holds all)."""
        floor = -np.inf if entry.complete else -entry.ranked[-1][0]
        self.table.floor[self.table.row_of[aid]] = floor

    def dense_rows(self, ids: list[str]) -> np.ndarray:
        """The dense vectors of the given articles, in order."""
        return self.table.dense[[self.table.row_of[i] for i in ids]]
