"""In-memory related-articles engine: exact incremental maintenance over an inverted index.

Semantics. Every score is a pure function of two articles and a frozen snapshot: `Stats`
(document frequencies for idf, average length for BM25) and the LSA `Basis` (semantic.py) that
dense vectors are projected on. A score never depends on which other articles are indexed, so
one publish cannot silently shift every other score. The snapshot is taken by `build()` and
changes only by building again (the service refreshes it on a schedule); terms unseen in the
snapshot get the idf of a term of document frequency 0 and no dense coordinates.
Given the snapshot, an article's list is defined on the current set of articles alone:

    score(a, b)   = (1 - w) lexical cosine + w semantic cosine (w = semantic_weight, table.py),
                    + category_bonus if same category, x recency decay if configured;
    ranking(a) = other articles b with (lexical dot > 0 or semantic dot > 0)
                 and score(a, b) >= min_score,
                 ordered by score descending, then article id ascending;
    list(a)    = walk ranking(a), skip b if it is a near-duplicate (cosine >= duplicate_cosine)
                 of a or of an item already taken, stop at k items.

`upsert`/`remove` keep, per article, an exact prefix of its ranking; a change scores the
article against every row at once (postings for the lexical dots, one matrix-vector product
for the semantic ones) and touches only the rows it enters or leaves, so after any sequence of
events the lists equal those of `build(final_docs, stats=engine.stats, basis=engine.basis)`.
"""

from __future__ import annotations

from bisect import insort
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from services.related import bulk, semantic
from services.related.scoring import (
    DOT_SCALE,
    TAG_PREFIX,
    Bag,
    Doc,
    Stats,
    Weighting,
    bag_of,
    stats_of,
    vector_of,
)
from services.related.semantic import Basis
from services.related.table import SEM_DOT_SCALE, Formula, Table, combine, pair_score
from shared.arabic import normalize

Source = Literal["lexical", "semantic", "both"]


@dataclass(frozen=True)
class EngineConfig:
    """Tunables; the defaults are the ones chosen on the tune split (docs/related.md)."""

    k: int = 10
    depth: int = 30
    min_score: float = 0.04
    duplicate_cosine: float = 0.8
    category_bonus: float = 0.0  # opt-in per site: not measurable on the bench corpus
    half_life_days: float | None = None
    reason_terms: int = 5
    weighting: Weighting = field(default_factory=Weighting)
    # Dense side: share of the semantic cosine in the score (0 = lexical only), basis size, the
    # smallest corpus a basis is fitted on at build time.
    semantic_weight: float = 0.67
    semantic_dims: int = 200
    semantic_min_docs: int = 200
    # An item's `source`: which side alone finds it (lexical cosine / semantic cosine at least).
    lexical_evidence: float = 0.1
    semantic_evidence: float = 0.6


@dataclass(frozen=True)
class Reasons:
    """Why an item is related: shared terms as written, shared tags, same category, source."""

    terms: list[str]
    tags: list[str]
    same_category: bool
    source: Source = "lexical"


@dataclass(frozen=True)
class Item:
    """One related article."""

    article_id: str
    score: float
    reasons: Reasons


@dataclass
class _Entry:
    vector: dict[str, int]
    surfaces: dict[str, str]
    tags: tuple[str, ...]
    category: str | None
    published: int | None
    dense: np.ndarray | None = None
    ranked: list[tuple[float, str]] = field(default_factory=list)
    complete: bool = True
    related: list[tuple[str, float]] = field(default_factory=list)
    dups: set[str] = field(default_factory=set)

    def same_inputs(self, other: _Entry) -> bool:
        return (self.vector, self.tags, self.category, self.published) == (
            other.vector, other.tags, other.category, other.published,
        )  # fmt: skip


class RelatedEngine:
    """Related-articles lists for the published articles, maintained incrementally."""

    def __init__(
        self,
        config: EngineConfig | None = None,
        stats: Stats | None = None,
        basis: Basis | None = None,
    ) -> None:
        self.config = config or EngineConfig()
        self.stats = stats or Stats()
        self.basis = basis if self.config.semantic_weight > 0 else None
        self._entries: dict[str, _Entry] = {}
        self._postings: dict[str, dict[str, int]] = {}
        self._rev: defaultdict[str, set[str]] = defaultdict(set)
        self._dirty: set[str] = set()
        self._dup_dot = self.config.duplicate_cosine * DOT_SCALE
        self._table = Table(self.basis.dims if self.basis else 0)
        half_life = self.config.half_life_days
        recency = None if half_life is None else lru_cache(4096)(
            lambda days: 0.5 ** (days / half_life)
        )  # fmt: skip
        self.formula = Formula(self.config.semantic_weight, self.config.category_bonus, recency)

    # --- building -------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        docs: Iterable[Doc | Mapping[str, Any]],
        *,
        config: EngineConfig | None = None,
        stats: Stats | None = None,
        basis: Basis | None = None,
    ) -> RelatedEngine:
        """Index docs from scratch.

        Without `stats`, a fresh snapshot of these docs: statistics and, when the dense side is
        on and the corpus holds semantic_min_docs articles, a fitted basis. With `stats`, the
        given basis is used as is (None: lexical only), as a live index does after a restart.
        """
        config = config or EngineConfig()
        articles = [_as_doc(d) for d in docs]
        bags = [bag_of(d, config.weighting) for d in articles]
        if stats is None:
            stats = stats_of(bags)
            basis = fit_basis([vector_of(b, stats, config.weighting) for b in bags], config)
        engine = cls(config, stats, basis)
        for doc, bag in zip(articles, bags, strict=True):
            entry = engine._entry(doc, bag)
            engine._entries[doc.id] = entry
            engine._index(doc.id, entry)
        ids = list(engine._entries)
        entries = list(engine._entries.values())
        rows = bulk.rank_all(
            ids,
            [e.vector for e in entries],
            engine._table.dense[[engine._table.row_of[i] for i in ids]] if engine.basis else None,
            [e.category for e in entries],
            [e.published for e in entries],
            formula=engine.formula,
            depth=config.depth,
            min_score=config.min_score,
            duplicate_dot=engine._dup_dot,
        )
        for aid, entry, row in zip(ids, entries, rows, strict=True):
            entry.ranked, entry.complete, entry.dups = row.ranked, row.complete, row.dups
            for _, other in row.ranked:
                engine._rev[other].add(aid)
        for aid in ids:
            engine._derive(aid)
        return engine

    # --- events -----------------------------------------------------------------------

    def upsert(self, doc: Doc | Mapping[str, Any]) -> set[str]:
        """Index or re-index a published article; return the ids whose lists changed."""
        doc = _as_doc(doc)
        entry = self._entry(doc, bag_of(doc, self.config.weighting))
        old = self._entries.get(doc.id)
        if old is not None and old.same_inputs(entry):
            if old.surfaces != entry.surfaces:  # only the spelling shown in reasons moved
                old.surfaces = entry.surfaces
                self._dirty.add(doc.id)
            return set()
        before: dict[str, list[tuple[str, float]] | None] = {}
        if old is not None:
            self._remove(doc.id, before)
        else:
            before[doc.id] = None
        self._add(doc.id, entry, before)
        return self._settle(before)

    def remove(self, article_id: str) -> set[str]:
        """Drop an unpublished or deleted article; return it and the ids whose lists changed."""
        if article_id not in self._entries:
            return set()
        before: dict[str, list[tuple[str, float]] | None] = {}
        self._remove(article_id, before)
        return self._settle(before)

    # --- reading ----------------------------------------------------------------------

    def related(self, article_id: str, limit: int | None = None) -> list[Item]:
        """Return the stored list of an article (at most limit items) with reasons."""
        entry = self._entries.get(article_id)
        if entry is None:
            return []
        items = entry.related[: self.config.k if limit is None else limit]
        return [Item(oid, score, self._reasons(entry, self._entries[oid])) for oid, score in items]

    def take_dirty(self) -> set[str]:
        """Return and forget the ids whose doc_state changed or that were removed."""
        dirty, self._dirty = self._dirty, set()
        return dirty

    def lists(self) -> dict[str, list[tuple[str, float]]]:
        """Return every stored list as (article id, score) pairs."""
        return {aid: list(e.related) for aid, e in self._entries.items()}

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def rank_exhaustive(self, article_id: str) -> list[tuple[str, float]]:
        """Reference ranking by comparing with every indexed article (for tests and benches)."""
        entry = self._entries[article_id]
        scored = []
        for oid, other in self._entries.items():
            if oid == article_id:
                continue
            lex, sem = _pair_dots(entry, other)
            if lex <= 0 and not (sem is not None and sem > 0):
                continue
            score = pair_score(
                self.formula, lex, sem if self.basis else None,
                _same_category(entry, other), entry.published, other.published,
            )  # fmt: skip
            if score >= self.config.min_score:
                scored.append((-score, oid))
        scored.sort()
        return [(oid, -neg) for neg, oid in scored]

    # --- state export -----------------------------------------------------------------

    def doc_state(self, article_id: str) -> dict[str, Any]:
        """Export one article's engine state as plain JSON/BSON-able data."""
        e = self._entries[article_id]
        return {
            "id": article_id,
            "vector": dict(e.vector),
            "surfaces": dict(e.surfaces),
            "tags": list(e.tags),
            "category": e.category,
            "published": e.published,
            "dense": None if e.dense is None else [int(x) for x in e.dense],
            "ranked": [[oid, -neg] for neg, oid in e.ranked],
            "complete": e.complete,
            "related": [[oid, score] for oid, score in e.related],
            "dups": sorted(e.dups),
        }

    def load_doc(self, state: Mapping[str, Any]) -> None:
        """Import what doc_state exported (same stats, basis, config); load every doc first."""
        aid = str(state["id"])
        if aid in self._entries:
            raise ValueError(f"article {aid} is already loaded")
        dense = state.get("dense")
        entry = _Entry(
            vector={t: int(w) for t, w in state["vector"].items()},
            surfaces=dict(state["surfaces"]),
            tags=tuple(state["tags"]),
            category=state["category"],
            published=state["published"],
            dense=None if dense is None or not self.basis else np.array(dense, dtype=np.float64),
            ranked=[(-float(score), str(oid)) for oid, score in state["ranked"]],
            complete=bool(state["complete"]),
            related=[(str(oid), float(score)) for oid, score in state["related"]],
            dups=set(state["dups"]),
        )
        self._entries[aid] = entry
        self._index(aid, entry)
        self._sync_floor(aid)
        for _, other in entry.ranked:
            self._rev[other].add(aid)

    # --- internals --------------------------------------------------------------------

    def _entry(self, doc: Doc, bag: Bag) -> _Entry:
        vector = vector_of(bag, self.stats, self.config.weighting)
        published = None if doc.published_at is None else int(doc.published_at.timestamp())
        surfaces = {t: bag.surfaces[t] for t in vector if t in bag.surfaces}
        dense = self.basis.project(vector) if self.basis else None
        return _Entry(vector, surfaces, tuple(doc.tags), doc.category, published, dense)

    def _index(self, aid: str, entry: _Entry) -> None:
        for term, weight in entry.vector.items():
            self._postings.setdefault(term, {})[aid] = weight
        self._table.add(aid, entry.dense, entry.category, entry.published)

    def _unindex(self, aid: str, entry: _Entry) -> None:
        for term in entry.vector:
            posting = self._postings[term]
            del posting[aid]
            if not posting:
                del self._postings[term]
        self._table.drop(aid)

    def _scores(self, aid: str, entry: _Entry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows that are candidates of an indexed article, their scores and lexical dots."""
        table = self._table
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
        mask &= table.alive & (score >= self.config.min_score)
        mask[own] = False
        rows = np.flatnonzero(mask)
        return rows, score[rows], lex[rows]

    def _top(self, rows: np.ndarray, scores: np.ndarray, limit: int) -> list[tuple[float, str]]:
        """The first `limit` of rows ordered by score descending, then id."""
        if len(rows) > limit:
            cut = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            keep = scores >= cut
            rows, scores = rows[keep], scores[keep]
        ids = self._table.ids
        return sorted((-float(s), ids[r]) for r, s in zip(rows, scores, strict=True))[:limit]  # type: ignore[misc]

    def _full_ranking(self, aid: str) -> list[tuple[float, str]]:
        rows, scores, _ = self._scores(aid, self._entries[aid])
        return self._top(rows, scores, len(rows))

    def _sync_floor(self, aid: str) -> None:
        entry = self._entries[aid]
        floor = -np.inf if entry.complete else -entry.ranked[-1][0]
        self._table.floor[self._table.row_of[aid]] = floor

    def _add(self, aid: str, entry: _Entry, before: dict[str, Any]) -> None:
        self._entries[aid] = entry
        self._index(aid, entry)
        rows, scores, lex = self._scores(aid, entry)
        ids, table = self._table.ids, self._table
        for r in np.flatnonzero(lex >= self._dup_dot) if len(rows) else ():
            oid = ids[rows[r]]
            entry.dups.add(oid)  # type: ignore[arg-type]
            self._entries[oid].dups.add(aid)  # type: ignore[index]
            self._dirty.add(oid)  # type: ignore[arg-type]
        enter = scores >= table.floor[rows]
        for row, score in zip(rows[enter], scores[enter], strict=True):
            oid, other = ids[row], self._entries[ids[row]]  # type: ignore[index]
            key = (-float(score), aid)
            if other.complete or (other.ranked and key < other.ranked[-1]):
                before.setdefault(oid, other.related)
                cap = max(self.config.depth, len(other.ranked))
                insort(other.ranked, key)
                self._rev[aid].add(oid)  # type: ignore[arg-type]
                if len(other.ranked) > cap:
                    self._rev[other.ranked.pop()[1]].discard(oid)  # type: ignore[arg-type]
                    other.complete = False
        entry.ranked = self._top(rows, scores, self.config.depth)
        entry.complete = len(rows) <= self.config.depth
        for _, oid in entry.ranked:
            self._rev[oid].add(aid)

    def _remove(self, aid: str, before: dict[str, Any]) -> None:
        entry = self._entries.pop(aid)
        before.setdefault(aid, entry.related)
        self._unindex(aid, entry)
        for oid in entry.dups:
            self._entries[oid].dups.discard(aid)
            self._dirty.add(oid)
        for _, oid in entry.ranked:
            self._rev[oid].discard(aid)
        for oid in self._rev.pop(aid, set()):
            other = self._entries[oid]
            before.setdefault(oid, other.related)
            other.ranked = [item for item in other.ranked if item[1] != aid]

    def _settle(self, before: dict[str, list[tuple[str, float]] | None]) -> set[str]:
        changed = set()
        self._dirty.update(before)
        for aid, old in before.items():
            if aid in self._entries:
                self._derive(aid)
                if self._entries[aid].related != old:
                    changed.add(aid)
            elif old is not None:
                changed.add(aid)
        return changed

    def _derive(self, aid: str) -> None:
        entry = self._entries[aid]
        chosen, walked = self._walk(entry, entry.ranked)
        if len(chosen) < self.config.k and not entry.complete:
            rows, scores, _ = self._scores(aid, entry)
            limit = 2 * self.config.depth
            while True:
                ranking = self._top(rows, scores, limit)
                chosen, walked = self._walk(entry, ranking)
                if len(chosen) == self.config.k or len(ranking) == len(rows):
                    break
                limit *= 4
            for _, oid in entry.ranked:
                self._rev[oid].discard(aid)
            entry.ranked = ranking[: max(self.config.depth, walked)]
            entry.complete = len(entry.ranked) == len(rows)
            for _, oid in entry.ranked:
                self._rev[oid].add(aid)
        entry.related = chosen
        self._sync_floor(aid)

    def _walk(
        self, entry: _Entry, ranking: list[tuple[float, str]]
    ) -> tuple[list[tuple[str, float]], int]:
        chosen: list[tuple[str, float]] = []
        taken: set[str] = set()
        walked = 0
        for neg, oid in ranking:
            walked += 1
            if oid in entry.dups or not self._entries[oid].dups.isdisjoint(taken):
                continue
            chosen.append((oid, -neg))
            taken.add(oid)
            if len(chosen) == self.config.k:
                break
        return chosen, walked

    def _reasons(self, source: _Entry, other: _Entry) -> Reasons:
        shared = [t for t in source.vector if t in other.vector and not t.startswith(TAG_PREFIX)]
        shared.sort(key=lambda t: (-source.vector[t] * other.vector[t], t))
        terms = [
            source.surfaces.get(t) or other.surfaces.get(t) or t
            for t in shared[: self.config.reason_terms]
        ]
        other_tags = {normalize(t) for t in other.tags}
        tags = [t for t in source.tags if normalize(t) in other_tags]
        return Reasons(terms, tags, _same_category(source, other), self._source(source, other))

    def _source(self, a: _Entry, b: _Entry) -> Source:
        """Which side alone finds the pair: lexical, semantic, or both."""
        lex, sem = _pair_dots(a, b)
        if self.basis is None or sem is None:
            return "lexical"
        lexical = lex / DOT_SCALE >= self.config.lexical_evidence
        dense = sem / SEM_DOT_SCALE >= self.config.semantic_evidence
        if lexical == dense:  # both sides, or neither alone: the larger share of the score
            if lexical:
                return "both"
            w = self.formula.semantic_weight
            return "lexical" if lex / DOT_SCALE * (1 - w) >= w * sem / SEM_DOT_SCALE else "semantic"
        return "lexical" if lexical else "semantic"


def fit_basis(vectors: list[dict[str, int]], config: EngineConfig) -> Basis | None:
    """The LSA basis a full build fits, or None (dense side off or corpus too small)."""
    if config.semantic_weight <= 0 or len(vectors) < config.semantic_min_docs:
        return None
    return semantic.fit(vectors, dims=config.semantic_dims)


def _pair_dots(a: _Entry, b: _Entry) -> tuple[int, float | None]:
    small, large = sorted((a.vector, b.vector), key=len)
    lex = sum(w * large.get(t, 0) for t, w in small.items())
    if a.dense is None or b.dense is None:
        return lex, None if a.dense is None and b.dense is None else 0.0
    return lex, float(a.dense @ b.dense)


def _same_category(a: _Entry, b: _Entry) -> bool:
    return a.category is not None and a.category == b.category


def _as_doc(doc: Doc | Mapping[str, Any]) -> Doc:
    return doc if isinstance(doc, Doc) else Doc.from_dict(doc)
