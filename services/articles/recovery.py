"""Recovery tools of the articles service: re-emit article events, rebuild comment counts.

Both are safe to run at any time: re-emitted events carry each article's current version (a
consumer that holds it ignores them), and the comment-count rebuild recomputes each count
from the comments service's truth while comment events keep flowing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from services.articles import domain
from services.articles import repository as repo
from shared import mongo, peers
from shared.runtime import Runtime

COUNTS_PATH = "/internal/comment-counts"
EMIT_BATCH = 100


def _event_type(doc: dict[str, Any]) -> str | None:
    """The event that states an article's current status to a consumer that lost track."""
    if doc["status"] == domain.PUBLISHED:
        return "article.published"
    if not doc.get("published_at"):
        return None  # never published: consumers never heard of it
    return "article.deleted" if doc["status"] == domain.DELETED else "article.unpublished"


async def reemit(
    runtime: Runtime, *, since: datetime | None = None, ids: list[str] | None = None
) -> int:
    """Emit each chosen article's current state again (changed since `since`, or `ids`)."""
    query: dict[str, Any] = {"_id": {"$in": ids}} if ids else {"updated_at": {"$gte": since}}
    emitted, batch = 0, []
    cursor = runtime.db[repo.ARTICLES].find(query).sort("_id", 1)
    async for doc in cursor:
        batch.append(doc)
        if len(batch) == EMIT_BATCH:
            emitted += await _emit(runtime, batch)
            batch = []
    return emitted + await _emit(runtime, batch)


async def _emit(runtime: Runtime, docs: list[dict[str, Any]]) -> int:
    events = [
        domain.article_event(kind, doc, causation_id="reemit")
        for doc in docs
        if (kind := _event_type(doc))
    ]

    async def write(session: mongo.Session) -> None:
        await runtime.emit(session, *events)

    if events:
        await runtime.commit(write)
    return len(events)


async def rebuild_comment_counts(
    runtime: Runtime,
    base_url: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout_s: float = 30.0,
) -> dict[str, int]:
    """Reload every comment's approval from the comments service, then recount per article."""
    db, seen = runtime.db, 0
    async for items in peers.pages(base_url, COUNTS_PATH, transport=transport, timeout_s=timeout_s):
        ops = [_state_upsert(item) for item in items]
        seen += len(ops)
        if ops:
            try:
                await db[repo.COMMENT_STATES].bulk_write(ops, ordered=False)
            except mongo.BulkWriteError as exc:  # a newer state is held (the upsert hit _id)
                if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                    raise
    return {"comments": seen, "articles_changed": await recount(runtime)}


def _state_upsert(item: dict[str, Any]) -> mongo.UpdateOne:
    """Store a comment's approval unless a newer version is already held."""
    version = int(item["version"])
    fields = {"article_id": item["article_id"], "version": version, "approved": item["approved"]}
    return mongo.UpdateOne(
        {"_id": item["comment_id"], "version": {"$lte": version}}, {"$set": fields}, upsert=True
    )


async def recount(runtime: Runtime) -> int:
    """Set every article's comment_count to its approved comment states; returns changes."""
    db = runtime.db
    counts: dict[str, int] = {}
    async for state in db[repo.COMMENT_STATES].find({"approved": True}, {"article_id": 1}):
        counts[state["article_id"]] = counts.get(state["article_id"], 0) + 1
    changed = 0
    async for doc in db[repo.ARTICLES].find({}, {"comment_count": 1}):
        want = counts.get(doc["_id"], 0)
        if int(doc.get("comment_count", 0)) != want:

            async def fix(session: mongo.Session, article_id: str = doc["_id"]) -> None:
                count = await db[repo.COMMENT_STATES].count_documents(
                    {"article_id": article_id, "approved": True}, session=session
                )
                await db[repo.ARTICLES].update_one(
                    {"_id": article_id}, {"$set": {"comment_count": count}}, session=session
                )

            await mongo.transaction(runtime.client, fix)
            changed += 1
    return changed
