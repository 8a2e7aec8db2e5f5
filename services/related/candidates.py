"""Who an article is scored against: postings (lexical dots) and rows (table.py), in one place.

A change scores the changed article against every indexed one at once: the postings of its
terms give the lexical dots, one matrix-vector product the semantic ones, and `table.combine`
the scores. Only rows with some evidence (a dot above 0) and a score of at least `min_score`
are candidates. The semantic side is directed (an article ranks others with its query vector,
semantic.py): how the article ranks the rows and how the rows rank it are two products, the
same one when the basis has no anchors.
"""

from __future__ import annotations

from array import array

import numpy as np

from services.related.entries import Entry, Ranked
from services.related.table import Formula, Table, combine


class Candidates:
    """The indexed articles' postings and rows, and the candidates of one article among them."""

    def __init__(self, formula: Formula, *, dims: int, min_score: float) -> None:
        self.formula, self.min_score = formula, min_score
        self.table = Table(dims)
        self._postings: dict[str, Posting] = {}

    def add(self, aid: str, entry: Entry) -> None:
        row = self.table.add(aid, entry.dense, entry.query, entry.category, entry.published)
        for term, weight in entry.vector.items():
            posting = self._postings.get(term)
            if posting is None:
                posting = self._postings[term] = Posting()
            posting.append(row, weight)

    def drop(self, aid: str, entry: Entry) -> None:
        row = self.table.row_of[aid]
        for term in entry.vector:
            posting = self._postings[term]
            posting.remove(row)
            if not posting:
                del self._postings[term]
        self.table.drop(aid)

    def lexical_dots(self, vector: dict[str, int]) -> np.ndarray:
        """Integer dots of a term vector with every row (exact in float64: < 2**53)."""
        n = len(self.table.ids)
        postings = [(p, w) for t, w in vector.items() if (p := self._postings.get(t))]
        if not postings:
            return np.zeros(n)
        rows = np.concatenate([p.row_array() for p, _ in postings])
        dots = np.concatenate([p.weight_array() * w for p, w in postings])
        return np.bincount(rows, weights=dots, minlength=n).astype(np.float64)

    def scores(self, aid: str, entry: Entry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows that are candidates of an indexed article, their scores and lexical dots."""
        lex = self.lexical_dots(entry.vector)
        rows, score = self._candidates(aid, entry, lex, self.table.semantic_dots(entry.query))
        return rows, score, lex[rows]

    def both_ways(
        self, aid: str, entry: Entry
    ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """`scores`, and the rows that have the article as a candidate with their scores of it."""
        lex = self.lexical_dots(entry.vector)
        table = self.table
        rows, score = self._candidates(aid, entry, lex, table.semantic_dots(entry.query))
        if entry.query is entry.dense:  # undirected: the rows score it as it scores them
            return (rows, score, lex[rows]), (rows, score)
        return (rows, score, lex[rows]), self._candidates(
            aid, entry, lex, table.entering_dots(entry.dense)
        )

    def _candidates(
        self, aid: str, entry: Entry, lex: np.ndarray, sem: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        table = self.table
        score = combine(
            self.formula, lex, sem, table.code(entry.category), table.cats,
            entry.published, table.pubs, table.has_pub,
        )  # fmt: skip
        mask = (lex > 0) if sem is None else ((lex > 0) | (sem > 0))
        mask &= table.alive & (score >= self.min_score)
        mask[table.row_of[aid]] = False
        rows = np.flatnonzero(mask)
        return rows, score[rows]

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

    def dense_rows(self, ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The dense and query vectors of the given articles, in order."""
        rows = [self.table.row_of[i] for i in ids]
        return self.table.dense[rows], self.table.query[rows]


class Posting:
    """The rows holding one term and their weights, in two growable int64 buffers (16 bytes a
    posting; scored as numpy views, so a publish sums its terms' postings in C)."""

    __slots__ = ("rows", "weights")

    def __init__(self) -> None:
        self.rows = array("q")
        self.weights = array("q")

    def __len__(self) -> int:
        return len(self.rows)

    def append(self, row: int, weight: int) -> None:
        self.rows.append(row)
        self.weights.append(weight)

    def remove(self, row: int) -> None:
        """Drop a row (the last posting takes its place: order does not matter)."""
        i = self.rows.index(row)
        last_row, last_weight = self.rows.pop(), self.weights.pop()
        if i < len(self.rows):
            self.rows[i], self.weights[i] = last_row, last_weight

    def row_array(self) -> np.ndarray:
        return np.array(self.rows, dtype=np.int64)

    def weight_array(self) -> np.ndarray:
        return np.array(self.weights, dtype=np.int64)
