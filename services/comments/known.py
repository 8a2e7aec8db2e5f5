"""What the database knows about a writer, for the moderation pipeline: their active ban and
whether they have an approved comment (trust), both on their one document (authors.py), a twin
of the text on the article, their last submission per flood key. Independent reads, each on
its index, asked at once; the ones the policy makes moot are not asked.

Not one `$unionWith` aggregation: SecantusDB runs a `$unionWith` branch over the whole foreign
collection (no index), which cost the server more than the requests it saved (measured).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.comments.authors import live_ban
from shared import mongo

Doc = dict[str, Any]


@dataclass(frozen=True)
class Known:
    banned: bool = False
    duplicate: bool = False
    trusted: bool = False
    last_seen: datetime | None = None  # the latest submission time over the flood keys


def queries(
    *, email_hash: str, article_id: str, body_hash: str, flood_keys: list[str], twins: bool,
) -> dict[str, tuple[str, Doc]]:  # fmt: skip
    """fact -> (collection, filter) of each read the submission needs."""
    asked: dict[str, tuple[str, Doc]] = {}
    if email_hash:
        if twins:
            twin = {"article_id": article_id, "email_hash": email_hash, "body_hash": body_hash}
            asked["duplicate"] = ("comments", twin)
        # ban and trust: the writer's document, by its _id (the ban's expiry checked on it)
        asked["author"] = ("authors", {"_id": email_hash})
    if flood_keys:
        asked["flood"] = ("flood", {"_id": {"$in": flood_keys}})
    return asked


async def read(
    db: mongo.Database, asked: dict[str, tuple[str, Doc]], now: datetime, *, trust: bool
) -> Known:
    """Ask every read at once and fold the answers."""

    def one(collection: str, query: Doc, fact: str) -> Awaitable[Any]:
        if fact == "flood":
            return db[collection].find(query, {"last": 1}).to_list(None)
        return db[collection].find_one(query, {"_id": 1} if fact == "duplicate" else None)

    answers = await asyncio.gather(*(one(c, q, fact) for fact, (c, q) in asked.items()))
    got = dict(zip(asked, answers, strict=True))
    floods = got.get("flood") or []
    author = got.get("author") or {}
    return Known(
        banned=live_ban(author.get("ban"), now),
        duplicate=got.get("duplicate") is not None,
        trusted=trust and int(author.get("approved", 0)) > 0,
        last_seen=max((d["last"] for d in floods if d.get("last")), default=None),
    )
