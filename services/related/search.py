"""Search over published articles, the pure part: terms, BM25 ranking, snippets with highlights.

Text goes through the analysis of the related index (shared.arabic.analyze: normalization,
stop words, light10 stemming), so `والاقتصاد` finds `اقتصاد`. An article's title and body are
two fields; BM25 runs over their weighted sum (title counted TITLE_BOOST times).
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from shared.arabic import analyze, normalize, stem, tokenize
from shared.arabic.text import WORD_AS_WRITTEN

TITLE_BOOST = 3.0
K1, B = 1.2, 0.75
SNIPPET_WORDS = 30
# A written word with the marks and joiners inside it (so offsets cover the word as written).
_WORD = WORD_AS_WRITTEN  # marks and invisible characters never cut a word (one table)

Posting = tuple[float, float, float]  # title tf, body tf, weighted length of the article


def query_terms(q: str) -> list[str]:
    """The distinct index terms of a query, in query order."""
    return list(dict.fromkeys(analyze(q)))


def doc_terms(title: str, body: str) -> tuple[dict[str, tuple[int, int]], float]:
    """term -> (tf in title, tf in body), and the article's weighted length."""
    title_tf, body_tf = Counter(analyze(title)), Counter(analyze(body))
    terms = {t: (title_tf.get(t, 0), body_tf.get(t, 0)) for t in title_tf.keys() | body_tf.keys()}
    length = TITLE_BOOST * sum(title_tf.values()) + sum(body_tf.values())
    return terms, length


@dataclass(frozen=True)
class Corpus:
    """The statistics BM25 needs: how many articles and their average weighted length."""

    n_docs: int
    avg_len: float


def idf(n_docs: int, df: int) -> float:
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


def rank(
    postings: Mapping[str, Mapping[str, Posting]],
    corpus: Corpus,
    *,
    after: tuple[float, str] | None = None,
    limit: int,
) -> list[tuple[float, str]]:
    """The best `limit` (score, id), score descending then id, strictly after a keyset position.

    postings: term -> article id -> posting, for the query's terms only.
    """
    scores: dict[str, float] = {}
    avg = corpus.avg_len or 1.0
    for plist in postings.values():
        weight = idf(max(corpus.n_docs, len(plist)), len(plist))
        for article_id, (title_tf, body_tf, length) in plist.items():
            tf = TITLE_BOOST * title_tf + body_tf
            norm = K1 * (1 - B + B * length / avg)
            scores[article_id] = scores.get(article_id, 0.0) + weight * tf * (K1 + 1) / (tf + norm)
    ranked = ((round(s, 6), a) for a, s in scores.items())
    if after is not None:
        last_score, last_id = after
        ranked = ((s, a) for s, a in ranked if (-s, a) > (-last_score, last_id))
    return heapq.nsmallest(limit, ranked, key=lambda sa: (-sa[0], sa[1]))


@lru_cache(maxsize=200_000)
def _stems(word: str) -> frozenset[str]:
    return frozenset(stem(tok) for tok in tokenize(word))


def _matches(word: str, terms: set[str]) -> bool:
    return not _stems(word).isdisjoint(terms)


def snippet(
    text: str, terms: Iterable[str], *, words: int = SNIPPET_WORDS
) -> tuple[str, list[list[int]]]:
    """A plain-text extract of about `words` words around the densest cluster of query terms,
    and [start, end) character offsets of each matching word inside it."""
    wanted = set(terms)
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    if not spans:
        return "", []
    hits = [i for i, (s, e) in enumerate(spans) if _matches(text[s:e], wanted)]
    first = 0
    if hits:
        best = max(hits, key=lambda h: sum(1 for x in hits if h <= x < h + words))
        first = max(0, min(best - 3, len(spans) - words))
    last = min(len(spans), first + words) - 1
    start, end = spans[first][0], spans[last][1]
    prefix = "… " if first > 0 else ""
    suffix = " …" if last < len(spans) - 1 else ""
    body = " ".join(text[start:end].split())  # one line: newlines and runs of spaces become one
    out = prefix + body + suffix
    shift = len(prefix)
    highlights = []
    for m in _WORD.finditer(body):
        if _matches(m.group(), wanted):
            highlights.append([m.start() + shift, m.end() + shift])
    return out, highlights


def normalized_query(q: str) -> str:
    """The query as cursors remember it (a cursor is only valid for the same query)."""
    return " ".join(normalize(q).split())
