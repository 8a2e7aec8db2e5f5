"""Recovery tools of the comments service: rebuild the article read model from its owner, and
the per-comment approval listing the articles service rebuilds its comment counts from."""

from __future__ import annotations

from typing import Any

import httpx

from services.comments.context import Context
from services.comments.readmodel import record_article_event
from shared import peers
from shared.events import ArticlePublished, ArticleSnapshot

ARTICLES_PATH = "/internal/articles"


async def rebuild_articles(
    ctx: Context,
    base_url: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout_s: float = 30.0,
) -> dict[str, int]:
    """Bring the article read model to the articles service's truth.

    Every published article is applied like its latest event (stale versions are ignored, as
    for events). An article held as published that the listing no longer has was unpublished
    or deleted meanwhile: it stops taking comments, unless an event changed it while the
    listing ran (its version then differs from the one read at the start).
    """
    articles = ctx.repo.articles
    before = {
        doc["_id"]: int(doc.get("version", 0))
        async for doc in articles.find({"status": "published"}, {"version": 1})
    }
    listed: set[str] = set()
    async for items in peers.pages(
        base_url, ARTICLES_PATH, transport=transport, timeout_s=timeout_s
    ):
        for item in items:
            snapshot = ArticleSnapshot.model_validate(item)
            listed.add(snapshot.id)
            event = ArticlePublished(
                producer="articles", aggregate_id=snapshot.id,
                aggregate_version=snapshot.version, causation_id="rebuild", data=snapshot,
            )  # fmt: skip
            await record_article_event(ctx.repo, ctx.runtime, event=event)
    closed = 0
    for article_id, version in before.items():
        if article_id in listed:
            continue
        result = await articles.update_one(
            {"_id": article_id, "status": "published", "version": version},
            {"$set": {"status": "unpublished"}},
        )
        closed += int(result.modified_count)
    return {"articles": len(listed), "unpublished": closed}


async def comment_states(ctx: Context, *, after: str | None, limit: int) -> dict[str, Any]:
    """A page of every comment's approval, in id order (what comment counts are made of)."""
    query: dict[str, Any] = {"_id": {"$gt": after}} if after else {}
    projection = {"article_id": 1, "version": 1, "status": 1}
    cursor = ctx.repo.comments.find(query, projection).sort("_id", 1).limit(limit)
    docs = await cursor.to_list(limit)
    return {
        "items": [
            {
                "comment_id": d["_id"],
                "article_id": d["article_id"],
                "version": int(d.get("version", 1)),
                "approved": d["status"] == "approved",
            }
            for d in docs
        ],
        "next_cursor": docs[-1]["_id"] if len(docs) == limit else None,
    }
