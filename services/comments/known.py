"""What the database knows about a writer, for the moderation pipeline, in one round trip.

The pipeline's reads (the writer's active ban, a twin of the text on the article, an approved
comment of theirs, their last submission per flood key) were four requests issued at once;
here they are one aggregation, each read a `$unionWith` branch on its own index, so a
submission costs the server one request instead of up to four.
"""

from __future__ import annotations

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


def _fact(
    name: str, match: Doc, *, then: Doc | None = None, first: bool = True, keep: Doc | None = None
) -> list[Doc]:
    """A branch: the documents matching `match` (on an index), then `then` (a filter on what
    the index found: an `$or` would keep the server's planner off the index), the first only
    unless told, as facts."""
    stages: list[Doc] = [{"$match": match}, *([{"$match": then}] if then else [])]
    project: Doc = {"_id": 0, "fact": {"$literal": name}, **(keep or {})}
    return [*stages, *([{"$limit": 1}] if first else []), {"$project": project}]


def branches(
    *, email_hash: str, article_id: str, body_hash: str, flood_keys: list[str],
    trust: bool, now: datetime,
) -> list[tuple[str, list[Doc]]]:  # fmt: skip
    """(collection, pipeline) of each read the submission needs."""
    parts: list[tuple[str, list[Doc]]] = []
    if email_hash:
        twin = {"article_id": article_id, "email_hash": email_hash, "body_hash": body_hash}
        live = {"$or": [{"expires_at": None}, {"expires_at": {"$gt": now}}]}
        parts += [
            ("comments", _fact("duplicate", twin)),
            ("bans", _fact("banned", {"email_hash": email_hash}, then=live)),
        ]
        if trust:
            approved = {"email_hash": email_hash, "status": "approved"}
            parts.append(("comments", _fact("trusted", approved)))
    if flood_keys:
        keys = {"_id": {"$in": flood_keys}}
        parts.append(("flood", _fact("flood", keys, first=False, keep={"last": 1})))
    return parts


async def read(db: mongo.Database, parts: list[tuple[str, list[Doc]]]) -> Known:
    """Run the branches as one aggregation and fold the facts they return."""
    if not parts:
        return Known()
    (collection, pipeline), rest = parts[0], parts[1:]
    unions = [{"$unionWith": {"coll": coll, "pipeline": branch}} for coll, branch in rest]
    docs = await db[collection].aggregate([*pipeline, *unions]).to_list(None)
    facts = {d["fact"] for d in docs}
    last = max((d["last"] for d in docs if d["fact"] == "flood" and d.get("last")), default=None)
    return Known(
        banned="banned" in facts,
        duplicate="duplicate" in facts,
        trusted="trusted" in facts,
        last_seen=last,
    )
