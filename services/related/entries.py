"""What the related engine holds per article, and the pairwise facts read off two of them.

An `Entry` keeps an article's inputs (term vector, tags, category, publication time, dense
vector and the query vector it ranks others with, semantic.py) and its ranking state: the
exact head of its ranking (`ranked`, complete or not), its chosen list (`related`) and its
near-duplicates. `entry_state` / `entry_of_state` export and
import it as plain JSON/BSON-able data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from services.related.table import Formula, pair_score

Ranked = list[tuple[float, str]]  # (-score, article id), ascending: best first
Chosen = list[tuple[str, float]]  # (article id, score) of a list, best first


@dataclass
class Entry:
    vector: dict[str, int]
    surfaces: dict[str, str]
    tags: tuple[str, ...]
    category: str | None
    published: int | None
    dense: np.ndarray | None = None
    query: np.ndarray | None = None  # what it ranks others with; its dense vector when unset
    ranked: Ranked = field(default_factory=list)
    complete: bool = True
    related: Chosen = field(default_factory=list)
    dups: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if self.query is None:
            self.query = self.dense

    def same_inputs(self, other: Entry) -> bool:
        return (self.vector, self.tags, self.category, self.published) == (
            other.vector, other.tags, other.category, other.published,
        )  # fmt: skip


def pair_dots(a: Entry, b: Entry) -> tuple[int, float | None]:
    """Lexical and semantic dot products of two entries as `a` ranks `b` (a's query vector
    with b's dense one); semantic None when neither has a dense vector."""
    small, large = sorted((a.vector, b.vector), key=len)
    lex = sum(w * large.get(t, 0) for t, w in small.items())
    if a.query is None or b.dense is None:
        return lex, None if a.dense is None and b.dense is None else 0.0
    return lex, float(a.query @ b.dense)


def same_category(a: Entry, b: Entry) -> bool:
    return a.category is not None and a.category == b.category


def exhaustive_ranking(
    entries: Mapping[str, Entry],
    article_id: str,
    formula: Formula,
    *,
    semantic: bool,
    min_score: float,
) -> Chosen:
    """Reference ranking of an article against every other entry, one pair at a time."""
    entry = entries[article_id]
    scored = []
    for oid, other in entries.items():
        if oid == article_id:
            continue
        lex, sem = pair_dots(entry, other)
        if lex <= 0 and not (sem is not None and sem > 0):
            continue
        score = pair_score(
            formula, lex, sem if semantic else None,
            same_category(entry, other), entry.published, other.published,
        )  # fmt: skip
        if score >= min_score:
            scored.append((-score, oid))
    scored.sort()
    return [(oid, -neg) for neg, oid in scored]


def entry_state(article_id: str, e: Entry) -> dict[str, Any]:
    """One article's engine state as plain JSON/BSON-able data."""
    return {
        "id": article_id,
        "vector": dict(e.vector),
        "surfaces": dict(e.surfaces),
        "tags": list(e.tags),
        "category": e.category,
        "published": e.published,
        "dense": None if e.dense is None else [int(x) for x in e.dense],
        "query": None if e.query is None or e.query is e.dense else [int(x) for x in e.query],
        "ranked": [[oid, -neg] for neg, oid in e.ranked],
        "complete": e.complete,
        "related": [[oid, score] for oid, score in e.related],
        "dups": sorted(e.dups),
    }


def entry_of_state(state: Mapping[str, Any], *, semantic: bool) -> Entry:
    """The entry `entry_state` exported (its dense vector dropped when the engine has no basis)."""
    dense, query = state.get("dense"), state.get("query")
    return Entry(
        vector={t: int(w) for t, w in state["vector"].items()},
        surfaces=dict(state["surfaces"]),
        tags=tuple(state["tags"]),
        category=state["category"],
        published=state["published"],
        dense=None if dense is None or not semantic else np.array(dense, dtype=np.float64),
        query=None if query is None or not semantic else np.array(query, dtype=np.float64),
        ranked=[(-float(score), str(oid)) for oid, score in state["ranked"]],
        complete=bool(state["complete"]),
        related=[(str(oid), float(score)) for oid, score in state["related"]],
        dups=set(state["dups"]),
    )
