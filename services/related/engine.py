"""In-memory related-articles engine: exact incremental maintenance over an inverted index.

Semantics. Every score is a pure function of two articles and a frozen `Stats` snapshot
(document frequencies for idf, average length for BM25): it never depends on which other
articles are indexed, so one publish cannot silently shift every other score. The snapshot
is taken by `build()` and changes only by building again (the service refreshes it on a
schedule); terms unseen in the snapshot get the idf of a term of document frequency 0.
Given the snapshot, an article's list is defined on the current set of articles alone:

    ranking(a) = other articles b with dot(a, b) > 0 and score(a, b) >= min_score,
                 ordered by score descending, then article id ascending;
    list(a)    = walk ranking(a), skip b if it is a near-duplicate (cosine >= duplicate_cosine)
                 of a or of an item already taken, stop at k items.

`upsert`/`remove` keep, per article, an exact prefix of its ranking and touch only articles
that share a term with the changed one (found through the postings), so after any sequence
of events the lists equal those of `build(final_docs, stats=engine.stats)`.
"""

from __future__ import annotations

from bisect import insort
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from services.related import bulk
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
from shared.arabic import normalize


@dataclass(frozen=True)
class EngineConfig:
    """Tunables; the defaults are the ones measured by bench/related_quality.py."""

    k: int = 10
    depth: int = 30
    min_score: float = 0.04
    duplicate_cosine: float = 0.8
    category_bonus: float = 0.05
    half_life_days: float | None = None
    reason_terms: int = 5
    weighting: Weighting = field(default_factory=Weighting)


@dataclass(frozen=True)
class Reasons:
    """Why an item is related: shared terms as written, shared tags, same category."""

    terms: list[str]
    tags: list[str]
    same_category: bool


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

    def __init__(self, config: EngineConfig | None = None, stats: Stats | None = None) -> None:
        self.config = config or EngineConfig()
        self.stats = stats or Stats()
        self._entries: dict[str, _Entry] = {}
        self._postings: dict[str, dict[str, int]] = {}
        self._rev: defaultdict[str, set[str]] = defaultdict(set)
        self._dirty: set[str] = set()
        self._dup_dot = self.config.duplicate_cosine * DOT_SCALE
        half_life = self.config.half_life_days
        self._recency = None if half_life is None else lru_cache(4096)(
            lambda days: 0.5 ** (days / half_life)
        )  # fmt: skip

    # --- building -------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        docs: Iterable[Doc | Mapping[str, Any]],
        *,
        config: EngineConfig | None = None,
        stats: Stats | None = None,
    ) -> RelatedEngine:
        """Index docs from scratch; stats default to a fresh snapshot of these docs."""
        config = config or EngineConfig()
        articles = [_as_doc(d) for d in docs]
        bags = [bag_of(d, config.weighting) for d in articles]
        engine = cls(config, stats or stats_of(bags))
        for doc, bag in zip(articles, bags, strict=True):
            entry = engine._entry(doc, bag)
            engine._entries[doc.id] = entry
            engine._index(doc.id, entry)
        ids = list(engine._entries)
        entries = list(engine._entries.values())
        rows = bulk.rank_all(
            ids,
            [e.vector for e in entries],
            [e.category for e in entries],
            [e.published for e in entries],
            depth=config.depth,
            min_score=config.min_score,
            duplicate_dot=engine._dup_dot,
            category_bonus=config.category_bonus,
            recency=engine._recency,
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
            small, large = sorted((entry.vector, other.vector), key=len)
            dot = sum(w * large.get(t, 0) for t, w in small.items())
            score = self._score(dot, entry, other) if dot > 0 else -1.0
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
            "ranked": [[oid, -neg] for neg, oid in e.ranked],
            "complete": e.complete,
            "related": [[oid, score] for oid, score in e.related],
            "dups": sorted(e.dups),
        }

    def load_doc(self, state: Mapping[str, Any]) -> None:
        """Import what doc_state exported (same stats and config); load every doc before use."""
        aid = str(state["id"])
        if aid in self._entries:
            raise ValueError(f"article {aid} is already loaded")
        entry = _Entry(
            vector={t: int(w) for t, w in state["vector"].items()},
            surfaces=dict(state["surfaces"]),
            tags=tuple(state["tags"]),
            category=state["category"],
            published=state["published"],
            ranked=[(-float(score), str(oid)) for oid, score in state["ranked"]],
            complete=bool(state["complete"]),
            related=[(str(oid), float(score)) for oid, score in state["related"]],
            dups=set(state["dups"]),
        )
        self._entries[aid] = entry
        self._index(aid, entry)
        for _, other in entry.ranked:
            self._rev[other].add(aid)

    # --- internals --------------------------------------------------------------------

    def _entry(self, doc: Doc, bag: Bag) -> _Entry:
        vector = vector_of(bag, self.stats, self.config.weighting)
        published = None if doc.published_at is None else int(doc.published_at.timestamp())
        surfaces = {t: bag.surfaces[t] for t in vector if t in bag.surfaces}
        return _Entry(vector, surfaces, tuple(doc.tags), doc.category, published)

    def _index(self, aid: str, entry: _Entry) -> None:
        for term, weight in entry.vector.items():
            self._postings.setdefault(term, {})[aid] = weight

    def _score(self, dot: int, a: _Entry, b: _Entry) -> float:
        # bulk.rank_all repeats these float operations in this order; keep the two in step.
        score = dot / DOT_SCALE
        if a.category is not None and a.category == b.category:
            score = score + self.config.category_bonus
        if self._recency is not None and a.published is not None and b.published is not None:
            score = score * self._recency(abs(a.published - b.published) // 86400)
        return score

    def _dots(self, aid: str, vector: dict[str, int]) -> dict[str, int]:
        acc: dict[str, int] = {}
        get = acc.get
        for term, weight in vector.items():
            for other, other_weight in self._postings.get(term, {}).items():
                acc[other] = get(other, 0) + weight * other_weight
        acc.pop(aid, None)
        return acc

    def _full_ranking(self, aid: str) -> list[tuple[float, str]]:
        entry, entries, floor = self._entries[aid], self._entries, self.config.min_score
        dots = self._dots(aid, entry.vector)
        scored = ((self._score(dot, entry, entries[o]), o) for o, dot in dots.items())
        return sorted((-s, o) for s, o in scored if s >= floor)

    def _add(self, aid: str, entry: _Entry, before: dict[str, Any]) -> None:
        self._entries[aid] = entry
        dots = self._dots(aid, entry.vector)
        self._index(aid, entry)
        ranking = []
        for oid, dot in dots.items():
            other = self._entries[oid]
            if dot >= self._dup_dot:
                entry.dups.add(oid)
                other.dups.add(aid)
                self._dirty.add(oid)
            score = self._score(dot, entry, other)
            if score < self.config.min_score:
                continue
            ranking.append((-score, oid))
            key = (-score, aid)
            if other.complete or (other.ranked and key < other.ranked[-1]):
                before.setdefault(oid, other.related)
                cap = max(self.config.depth, len(other.ranked))
                insort(other.ranked, key)
                self._rev[aid].add(oid)
                if len(other.ranked) > cap:
                    self._rev[other.ranked.pop()[1]].discard(oid)
                    other.complete = False
        ranking.sort()
        entry.ranked = ranking[: self.config.depth]
        entry.complete = len(ranking) <= self.config.depth
        for _, oid in entry.ranked:
            self._rev[oid].add(aid)

    def _remove(self, aid: str, before: dict[str, Any]) -> None:
        entry = self._entries.pop(aid)
        before.setdefault(aid, entry.related)
        for term in entry.vector:
            posting = self._postings[term]
            del posting[aid]
            if not posting:
                del self._postings[term]
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
            ranking = self._full_ranking(aid)
            chosen, walked = self._walk(entry, ranking)
            for _, oid in entry.ranked:
                self._rev[oid].discard(aid)
            entry.ranked = ranking[: max(self.config.depth, walked)]
            entry.complete = len(entry.ranked) == len(ranking)
            for _, oid in entry.ranked:
                self._rev[oid].add(aid)
        entry.related = chosen

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
        same = source.category is not None and source.category == other.category
        return Reasons(terms, tags, same)


def _as_doc(doc: Doc | Mapping[str, Any]) -> Doc:
    return doc if isinstance(doc, Doc) else Doc.from_dict(doc)
