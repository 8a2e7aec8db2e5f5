"""Tag pages: how many published articles carry each tag, kept in step with every article write.

`tag_counts` holds one document per tag ({_id: tag, count}); the count changes in the same
transaction as the article write that changes what is published, so `GET /tags` is one
index-served read (count descending, then tag), never an aggregation over the articles.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.articles import domain
from services.articles.domain import Doc
from shared import mongo, pagination
from shared.errors import invalid_cursor

TAG_COUNTS = "tag_counts"


async def ensure_indexes(db: mongo.Database) -> None:
    await db[TAG_COUNTS].create_indexes(
        [mongo.IndexModel([("count", mongo.DESCENDING), ("_id", mongo.ASCENDING)])]
    )


def _published_tags(doc: Mapping[str, Any] | None) -> set[str]:
    if doc is None or doc.get("status") != domain.PUBLISHED:
        return set()
    return set(doc.get("tags") or [])


def count_deltas(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, int]:
    """tag -> +1/-1 for the tags an article write adds to or removes from the published set."""
    old, new = _published_tags(before), _published_tags(after)
    return {**dict.fromkeys(new - old, 1), **dict.fromkeys(old - new, -1)}


async def move_counts(
    db: mongo.Database,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    session: mongo.Session | None,
) -> None:
    """Move the counts by what the write changed, inside the write's transaction."""
    for tag, delta in sorted(count_deltas(before, after).items()):
        await db[TAG_COUNTS].update_one(
            {"_id": tag}, {"$inc": {"count": delta}}, upsert=True, session=session
        )


async def list_tags(
    db: mongo.Database, *, limit: int, cursor: str | None
) -> tuple[list[Doc], str | None]:
    """A page of {tag, count} (count > 0), most used first, and the next page's cursor."""
    order = (("count", mongo.DESCENDING), ("_id", mongo.ASCENDING))
    used = {"count": {"$gt": 0}}
    docs = await pagination.keyset_page(db[TAG_COUNTS], used, order, _after(cursor), limit + 1)
    page = docs[:limit]
    items = [{"tag": d["_id"], "count": int(d["count"])} for d in page]
    if len(docs) <= limit:
        return items, None
    return items, pagination.encode_cursor([int(page[-1]["count"]), page[-1]["_id"]])


def _after(cursor: str | None) -> tuple[int, str] | None:
    if not cursor:
        return None
    try:
        count, tag = pagination.decode_cursor(cursor, arity=2)
        if not isinstance(count, int) or not isinstance(tag, str):
            raise ValueError("invalid cursor")
    except ValueError as exc:
        raise invalid_cursor() from exc
    return count, tag
