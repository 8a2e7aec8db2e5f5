"""What the database knows about a writer, for the moderation pipeline: their active ban, a twin
of the text on the article, an approved comment of theirs (trust), their last submission per
flood key. Independent reads, each on its index, asked at once; the ones the policy makes moot
are not asked.

Not one `$unionWith` aggregation: SecantusDB runs a `$unionWith` branch over the whole foreign
collection (no index), which cost the server more than the requests it saved (measured).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared import mongo

Doc = dict[str, Any]


@dataclass(frozen=True)
class Known:
    banned: bool = False
    duplicate: bool = False
    trusted: bool = False
    last_seen: datetime | None = None  # the latest submission time over the flood keys


def queries(
    *, email_hash: str, article_id: str, body_hash: str, flood_keys: list[str],
    trust: bool, twins: bool, now: datetime,
) -> dict[str, tuple[str, Doc]]:  # fmt: skip
    """fact -> (collection, filter) of each read the submission needs."""
    asked: dict[str, tuple[str, Doc]] = {}
    if email_hash:
        if twins:
            twin = {"article_id": article_id, "email_hash": email_hash, "body_hash": body_hash}
            asked["duplicate"] = ("comments", twin)
        # The expiry is checked on the one ban found: an `$or` in the filter keeps the
        # server's planner off the email index.
        asked["banned"] = ("bans", {"email_hash": email_hash})
        if trust:
            asked["trusted"] = ("comments", {"email_hash": email_hash, "status": "approved"})
    if flood_keys:
        asked["flood"] = ("flood", {"_id": {"$in": flood_keys}})
    return asked


def _live(ban: Doc | None, now: datetime) -> bool:
    """As `{expires_at: null} or {expires_at: {$gt: now}}` would match (only a date compares
    with a date there)."""
    if ban is None:
        return False
    expires = ban.get("expires_at")
    return expires is None or (isinstance(expires, datetime) and expires > now)


async def read(db: mongo.Database, asked: dict[str, tuple[str, Doc]], now: datetime) -> Known:
    """Ask every read at once and fold the answers."""

    def one(collection: str, query: Doc, fact: str) -> Awaitable[Any]:
        if fact == "flood":
            return db[collection].find(query, {"last": 1}).to_list(None)
        projection = {"expires_at": 1} if fact == "banned" else {"_id": 1}
        return db[collection].find_one(query, projection)

    answers = await asyncio.gather(*(one(c, q, fact) for fact, (c, q) in asked.items()))
    got = dict(zip(asked, answers, strict=True))
    floods = got.get("flood") or []
    return Known(
        banned=_live(got.get("banned"), now),
        duplicate=got.get("duplicate") is not None,
        trusted=got.get("trusted") is not None,
        last_seen=max((d["last"] for d in floods if d.get("last")), default=None),
    )
