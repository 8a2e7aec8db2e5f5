"""The search use case: GET /search?q= over the published articles the related service indexes."""

from __future__ import annotations

import hashlib
from typing import Any

from services.related import search, search_index
from services.related.schemas import SearchPage
from shared import pagination
from shared.errors import invalid_cursor


def _query_key(q: str) -> str:
    return hashlib.blake2b(search.normalized_query(q).encode(), digest_size=6).hexdigest()


def _after(q: str, cursor: str | None) -> tuple[float, str] | None:
    """The (score, id) a cursor continues after; 400 when it was made for another query."""
    if not cursor:
        return None
    try:
        key, score, article_id = pagination.decode_cursor(cursor, arity=3)
    except ValueError:
        raise invalid_cursor() from None
    if (
        key != _query_key(q)
        or not isinstance(score, int | float)
        or not isinstance(article_id, str)
    ):
        raise invalid_cursor()
    return float(score), article_id


async def find(
    index: search_index.SearchIndex, *, q: str, limit: int, cursor: str | None
) -> SearchPage:
    """A page of matching published articles, best first, each with a highlighted snippet."""
    after = _after(q, cursor)
    terms = search.query_terms(q)
    if not terms:  # only stop words or punctuation: nothing can match
        return SearchPage(items=[], next_cursor=None)
    corpus, version = await index.corpus()
    postings = await index.postings(terms, version)
    ranked = search.rank(postings, corpus, after=after, limit=limit + 1)
    page = ranked[:limit]
    docs = await index.shown([a for _, a in page])
    items: list[dict[str, Any]] = []
    for score, article_id in page:
        doc = docs.get(article_id)
        if doc is None:  # removed between the two reads
            continue
        text, highlights = search.snippet(doc.get("text") or "", terms)
        items.append({**doc["card"], "score": score, "snippet": text, "highlights": highlights})
    next_cursor = None
    if len(ranked) > limit and page:
        last_score, last_id = page[-1]
        next_cursor = pagination.encode_cursor([_query_key(q), last_score, last_id])
    return SearchPage.model_validate({"items": items, "next_cursor": next_cursor})
