"""Why an item is related: shared terms as written, shared tags, same category, and which side
of the score (lexical, semantic or both) finds the pair on its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from services.related.entries import Entry, pair_dots, same_category
from services.related.scoring import DOT_SCALE, TAG_PREFIX
from services.related.table import SEM_DOT_SCALE
from shared.arabic import normalize

Source = Literal["lexical", "semantic", "both"]


@dataclass(frozen=True)
class Reasons:
    """Why an item is related: shared terms as written, shared tags, same category, source."""

    terms: list[str]
    tags: list[str]
    same_category: bool
    source: Source = "lexical"


@dataclass(frozen=True)
class Explainer:
    """The reasons of a pair, given how many terms to show and what counts as evidence.

    `semantic`: the engine has a basis; `semantic_weight`: its share of the score;
    `lexical_evidence` / `semantic_evidence`: the cosine from which one side alone finds a pair.
    """

    terms: int
    semantic: bool
    semantic_weight: float
    lexical_evidence: float
    semantic_evidence: float

    def reasons(self, source: Entry, other: Entry) -> Reasons:
        shared = [t for t in source.vector if t in other.vector and not t.startswith(TAG_PREFIX)]
        shared.sort(key=lambda t: (-source.vector[t] * other.vector[t], t))
        terms = [source.surfaces.get(t) or other.surfaces.get(t) or t for t in shared[: self.terms]]
        other_tags = {normalize(t) for t in other.tags}
        tags = [t for t in source.tags if normalize(t) in other_tags]
        return Reasons(terms, tags, same_category(source, other), self.source(source, other))

    def source(self, a: Entry, b: Entry) -> Source:
        """Which side alone finds the pair: lexical, semantic, or both."""
        lex, sem = pair_dots(a, b)
        if not self.semantic or sem is None:
            return "lexical"
        lexical = lex / DOT_SCALE >= self.lexical_evidence
        dense = sem / SEM_DOT_SCALE >= self.semantic_evidence
        if lexical == dense:  # both sides, or neither alone: the larger share of the score
            if lexical:
                return "both"
            w = self.semantic_weight
            return "lexical" if lex / DOT_SCALE * (1 - w) >= w * sem / SEM_DOT_SCALE else "semantic"
        return "lexical" if lexical else "semantic"
