"""Article term vectors for the related engine: BM25-weighted, pruned, unit-length, integer."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.arabic import STOP_WORDS, normalize, stem, tokens_with_surface

# Weights are stored as integers so that a dot product is exact whatever the summation
# order: the incremental path (Python ints) and the full build (scipy int64) agree bit for bit.
SCALE = 1 << 15
DOT_SCALE = float(SCALE * SCALE)
TAG_PREFIX = "#"


@dataclass(frozen=True)
class EngineInput:
    """One published article as the engine sees it (what `domain.engine_input` gives)."""

    id: str
    title: str
    summary: str = ""
    body: str = ""
    tags: tuple[str, ...] = ()
    category: str | None = None
    published_at: datetime | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EngineInput:
        """Build it from the plain dict the service stores (a doc's `input`)."""
        return cls(
            id=str(data["id"]),
            title=data.get("title") or "",
            summary=data.get("summary") or "",
            body=data.get("body") or "",
            tags=tuple(data.get("tags") or ()),
            category=data.get("category") or None,
            published_at=data.get("published_at"),
        )


@dataclass(frozen=True)
class Weighting:
    """How terms are weighted and pruned."""

    title_boost: float = 3.0
    summary_boost: float = 1.0
    lead_tokens: int = 60
    lead_boost: float = 0.5
    tag_boost: float = 2.0
    k1: float = 1.2
    b: float = 0.75
    top_terms: int = 150
    max_df: float = 0.5
    min_docs_for_max_df: int = 100


@dataclass
class Stats:
    """Frozen corpus statistics (document frequencies) that idf is computed from."""

    n_docs: int = 0
    avg_len: float = 0.0
    df: dict[str, int] = field(default_factory=dict)

    def idf(self, term: str) -> float:
        """BM25 idf from the snapshot; a term unseen in the snapshot counts as df 0."""
        df = self.df.get(term, 0)
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))

    def to_dict(self) -> dict[str, Any]:
        """Export as plain JSON-able data."""
        return {"n_docs": self.n_docs, "avg_len": self.avg_len, "df": dict(self.df)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Stats:
        """Import what to_dict exported."""
        return cls(int(data["n_docs"]), float(data["avg_len"]), dict(data["df"]))


@dataclass(frozen=True)
class Bag:
    """Field-weighted term frequencies of one article and the surface form of each term."""

    tf: dict[str, float]
    length: float
    surfaces: dict[str, str]


def _field_terms(text: str) -> list[tuple[str, str]]:
    """Return (stem, surface) of the index terms of a field; bare numbers are skipped."""
    return [
        (stem(tok), surface)
        for tok, surface in tokens_with_surface(text)
        if len(tok) > 1 and tok not in STOP_WORDS and not tok.isdigit()
    ]


def bag_of(doc: EngineInput, weighting: Weighting) -> Bag:
    """Count the terms of an article, title and lead paragraph boosted."""
    tf: defaultdict[str, float] = defaultdict(float)
    seen: dict[str, Counter[str]] = {}
    body = _field_terms(doc.body)
    fields = [
        (_field_terms(doc.title), weighting.title_boost),
        (_field_terms(doc.summary), weighting.summary_boost),
        (body, 1.0),
        (body[: weighting.lead_tokens], weighting.lead_boost),
    ]
    for terms, boost in fields:
        for term, surface in terms:
            tf[term] += boost
            counts = seen.get(term)
            if counts is None:
                counts = seen[term] = Counter()
            counts[surface] += 1
    length = sum(tf.values())
    for tag in doc.tags:
        key = TAG_PREFIX + normalize(tag)
        if key != TAG_PREFIX:
            tf[key] = weighting.tag_boost
    surfaces = {t: max(c.items(), key=lambda kv: kv[1])[0] for t, c in seen.items()}
    return Bag(dict(tf), length, surfaces)


def stats_of(bags: Iterable[Bag]) -> Stats:
    """Compute a fresh statistics snapshot from the bags of a corpus."""
    df: Counter[str] = Counter()
    n = 0
    total = 0.0
    for bag in bags:
        n += 1
        total += bag.length
        df.update(bag.tf.keys())
    return Stats(n, total / n if n else 0.0, dict(df))


def vector_of(bag: Bag, stats: Stats, weighting: Weighting) -> dict[str, int]:
    """Return the pruned, unit-length, integer-scaled term vector of a bag."""
    prune_common = stats.n_docs >= weighting.min_docs_for_max_df
    norm_len = bag.length / stats.avg_len if stats.avg_len else 1.0
    k1, b = weighting.k1, weighting.b
    weights: dict[str, float] = {}
    for term, f in bag.tf.items():
        if prune_common and stats.df.get(term, 0) > weighting.max_df * stats.n_docs:
            continue
        if term.startswith(TAG_PREFIX):
            weights[term] = f * stats.idf(term)
        else:
            weights[term] = f * (k1 + 1) / (f + k1 * (1 - b + b * norm_len)) * stats.idf(term)
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[: weighting.top_terms]
    norm = math.sqrt(sum(w * w for _, w in top))
    if not norm:
        return {}
    scaled = {t: round(w / norm * SCALE) for t, w in top}
    return {t: q for t, q in scaled.items() if q > 0}
