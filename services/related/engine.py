"""In-memory related-articles engine: exact incremental maintenance over an inverted index.

Semantics. Every score is a pure function of two articles and a frozen snapshot: `Stats`
(document frequencies for idf, average length for BM25) and the LSA `Basis` (semantic.py) that
dense vectors are projected on. A score never depends on which other articles are indexed, so
one publish cannot silently shift every other score. The snapshot is taken by `build()` and
changes only by building again (the service refreshes it on a schedule); terms unseen in the
snapshot get the idf of a term of document frequency 0 and no dense coordinates.
Given the snapshot, an article's list is defined on the current set of articles alone:

    score(a, b)   = (1 - w) lexical cosine + w semantic cosine (w = semantic_weight, table.py;
                    the semantic cosine is a's query vector with b's dense one, semantic.py),
                    + category_bonus if same category, x recency decay if configured;
    ranking(a) = other articles b with (lexical dot > 0 or semantic dot > 0)
                 and score(a, b) >= min_score,
                 ordered by score descending, then article id ascending;
    list(a)    = walk ranking(a), skip b if it is a near-duplicate (cosine >= duplicate_cosine)
                 of a or of an item already taken, stop at k items.

`upsert`/`remove` keep, per article, an exact prefix of its ranking (rankings.py); a change
scores the article against every row at once (candidates.py: postings for the lexical dots, one
matrix-vector product for the semantic ones) and touches only the rows it enters or leaves, so
after any sequence of events the lists equal those of
`build(final_docs, stats=engine.stats, basis=engine.basis)`. Reasons: reasons.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from services.related import semantic
from services.related.candidates import Candidates
from services.related.entries import (
    Chosen,
    Entry,
    Ranked,
    entry_of_state,
    entry_state,
    exhaustive_ranking,
)
from services.related.rankings import Rankings
from services.related.reasons import Explainer, Reasons
from services.related.scoring import (
    DOT_SCALE,
    Bag,
    EngineInput,
    Stats,
    Weighting,
    bag_of,
    stats_of,
    vector_of,
)
from services.related.semantic import Basis
from services.related.table import Formula

__all__ = ["EngineConfig", "Item", "Reasons", "RelatedEngine", "fit_basis"]


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
    semantic_weight: float = 0.5
    semantic_dims: int = 100
    semantic_min_docs: int = 200
    # Topics of the dense side (semantic.py): clusters fitted with the basis and their share of
    # the semantic cosine (0: none).
    topic_clusters: int = 16
    topic_share: float = 0.15
    # Neighbourhood of the dense side (semantic.py): an article's query vector adds
    # `neighbour_weight` x the mean of its `neighbours` closest anchors (0: none).
    neighbours: int = 30
    neighbour_weight: float = 2.0
    # An item's `source`: which side alone finds it (lexical cosine / semantic cosine at least).
    lexical_evidence: float = 0.1
    semantic_evidence: float = 0.6


@dataclass(frozen=True)
class Item:
    """One related article."""

    article_id: str
    score: float
    reasons: Reasons


class RelatedEngine:
    """Related-articles lists for the published articles, maintained incrementally."""

    def __init__(
        self,
        config: EngineConfig | None = None,
        stats: Stats | None = None,
        basis: Basis | None = None,
    ) -> None:
        self.config = config = config or EngineConfig()
        self.stats = stats or Stats()
        self.basis = basis if config.semantic_weight > 0 else None
        half_life = config.half_life_days
        recency = None if half_life is None else lru_cache(4096)(
            lambda days: 0.5 ** (days / half_life)
        )  # fmt: skip
        self.formula = Formula(config.semantic_weight, config.category_bonus, recency)
        dims = self.basis.width if self.basis else 0
        candidates = Candidates(self.formula, dims=dims, min_score=config.min_score)
        self._rankings = Rankings(
            candidates, k=config.k, depth=config.depth,
            duplicate_dot=config.duplicate_cosine * DOT_SCALE,
        )  # fmt: skip
        self._entries = self._rankings.entries
        self._explainer = Explainer(
            terms=config.reason_terms, semantic=self.basis is not None,
            semantic_weight=config.semantic_weight, lexical_evidence=config.lexical_evidence,
            semantic_evidence=config.semantic_evidence,
        )  # fmt: skip

    @classmethod
    def build(
        cls,
        docs: Iterable[EngineInput | Mapping[str, Any]],
        *,
        config: EngineConfig | None = None,
        stats: Stats | None = None,
        basis: Basis | None = None,
    ) -> RelatedEngine:
        """Index articles from scratch.

        Without `stats`, a fresh snapshot of these articles: statistics and, when the dense side
        is on and the corpus holds semantic_min_docs articles, a fitted basis. With `stats`, the
        given basis is used as is (None: lexical only), as a live index does after a restart.
        """
        config = config or EngineConfig()
        articles = [_as_input(d) for d in docs]
        bags = [bag_of(d, config.weighting) for d in articles]
        if stats is None:
            stats = stats_of(bags)
            basis = fit_basis([vector_of(b, stats, config.weighting) for b in bags], config)
        engine = cls(config, stats, basis)
        entries = {
            doc.id: engine._entry(doc, bag, expand=False)
            for doc, bag in zip(articles, bags, strict=True)
        }
        engine._expand_all(list(entries.values()))
        engine._rankings.rank_all(entries)
        return engine

    # --- events -----------------------------------------------------------------------

    def upsert(self, doc: EngineInput | Mapping[str, Any]) -> set[str]:
        """Index or re-index a published article; return the ids whose lists changed."""
        doc = _as_input(doc)
        return self._rankings.put(doc.id, self._entry(doc, bag_of(doc, self.config.weighting)))

    def remove(self, article_id: str) -> set[str]:
        """Drop an unpublished or deleted article; return it and the ids whose lists changed."""
        return self._rankings.remove(article_id)

    # --- reading ----------------------------------------------------------------------

    def related(self, article_id: str, limit: int | None = None) -> list[Item]:
        """Return the stored list of an article (at most limit items) with reasons."""
        entry = self._entries.get(article_id)
        if entry is None:
            return []
        items = entry.related[: self.config.k if limit is None else limit]
        reasons = self._explainer.reasons
        return [Item(oid, score, reasons(entry, self._entries[oid])) for oid, score in items]

    def take_dirty(self) -> set[str]:
        """Return and forget the ids whose doc_state changed or that were removed."""
        dirty, self._rankings.dirty = self._rankings.dirty, set()
        return dirty

    def lists(self) -> dict[str, Chosen]:
        """Return every stored list as (article id, score) pairs."""
        return {aid: list(e.related) for aid, e in self._entries.items()}

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def rank_exhaustive(self, article_id: str) -> Chosen:
        """Reference ranking by comparing with every indexed article (for tests and benches)."""
        return exhaustive_ranking(
            self._entries, article_id, self.formula,
            semantic=self.basis is not None, min_score=self.config.min_score,
        )  # fmt: skip

    def _full_ranking(self, article_id: str) -> Ranked:
        """The whole ranking through the postings (tests compare it with rank_exhaustive)."""
        return self._rankings.full_ranking(article_id)

    # --- state export -----------------------------------------------------------------

    def doc_state(self, article_id: str) -> dict[str, Any]:
        """Export one article's engine state as plain JSON/BSON-able data."""
        return entry_state(article_id, self._entries[article_id])

    def load_doc(self, state: Mapping[str, Any]) -> None:
        """Import what doc_state exported (same stats, basis, config); load every doc first."""
        aid = str(state["id"])
        if aid in self._entries:
            raise ValueError(f"article {aid} is already loaded")
        self._rankings.load(aid, entry_of_state(state, semantic=self.basis is not None))

    def _entry(self, doc: EngineInput, bag: Bag, *, expand: bool = True) -> Entry:
        vector = vector_of(bag, self.stats, self.config.weighting)
        published = None if doc.published_at is None else int(doc.published_at.timestamp())
        surfaces = {t: bag.surfaces[t] for t in vector if t in bag.surfaces}
        dense = self.basis.project(vector) if self.basis else None
        query = self.basis.query(dense) if self.basis and expand else None
        return Entry(vector, surfaces, tuple(doc.tags), doc.category, published, dense, query)

    def _expand_all(self, entries: list[Entry]) -> None:
        """Give entries made with expand=False their query vectors, in blocks (the same
        vectors `Basis.query` gives one at a time)."""
        if self.basis is None or self.basis.anchors is None:
            return
        with_dense = [e for e in entries if e.dense is not None]
        if not with_dense:
            return
        queries = self.basis.queries(np.array([e.dense for e in with_dense]))
        for entry, query in zip(with_dense, queries, strict=True):
            entry.query = query


def fit_basis(vectors: list[dict[str, int]], config: EngineConfig) -> Basis | None:
    """The LSA basis a full build fits, or None (dense side off or corpus too small)."""
    if config.semantic_weight <= 0 or len(vectors) < config.semantic_min_docs:
        return None
    return semantic.fit(
        vectors, dims=config.semantic_dims, topics=config.topic_clusters,
        topic_share=config.topic_share, neighbours=config.neighbours,
        neighbour_weight=config.neighbour_weight,
    )  # fmt: skip


def _as_input(doc: EngineInput | Mapping[str, Any]) -> EngineInput:
    return doc if isinstance(doc, EngineInput) else EngineInput.from_dict(doc)
