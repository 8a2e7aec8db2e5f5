"""Comments per status, kept in the same transactions as the status changes.

Counting with the index on every poll is a scan of every matching entry (about 5 s for 18,000
approved comments on the MongoDB-wire server here), so the tabs read counters instead:
SHARDS documents per status take the writers' increments (a random one each, so concurrent
writers rarely touch the same document), and a `base` document per status, which writers
never touch, is set once by `reconcile` inside one snapshot transaction so that the total
equals the real count even while comments are being written.
"""

from __future__ import annotations

import logging
import random
from typing import Any

from shared import mongo

log = logging.getLogger("akhbar.comments")
STATUSES = ("pending", "reported", "spam", "rejected", "approved")
SHARDS = 16  # two service processes: a group of each meets the other on a shard 1 time in 16
_IDS = [f"{s}:{n}" for s in STATUSES for n in [*map(str, range(SHARDS)), "base"]]


class StatusCounters:
    def __init__(self, db: mongo.Database) -> None:
        self.counters = db["status_counters"]
        self.settings = db["settings"]

    async def ensure(self) -> None:
        """Create every counter document (at 0) that is missing."""
        held = {d["_id"] for d in await self.counters.find({"_id": {"$in": _IDS}}).to_list(None)}
        for counter_id in _IDS:
            if counter_id not in held:
                try:
                    await self.counters.insert_one({"_id": counter_id, "n": 0})
                except mongo.DuplicateKeyError:
                    log.info("status counter %s was created by another replica", counter_id)

    async def bump(self, session: mongo.Session, changes: dict[str, int]) -> None:
        """Apply per-status deltas in the caller's transaction."""
        for status, delta in changes.items():
            if status in STATUSES and delta:
                shard = f"{status}:{random.randrange(SHARDS)}"
                await self.counters.update_one(
                    {"_id": shard}, {"$inc": {"n": delta}}, session=session
                )

    async def totals(self) -> dict[str, int]:
        totals = dict.fromkeys(STATUSES, 0)
        for doc in await self.counters.find({"_id": {"$in": _IDS}}).to_list(None):
            totals[doc["_id"].split(":")[0]] += int(doc["n"])
        return totals

    async def reconcile(self, client: Any, comments: mongo.Collection) -> dict[str, int]:
        """Make the totals equal the real counts (once per database, marked in settings)."""
        if await self.settings.find_one({"_id": "status_counters"}):
            return {}

        async def fix(session: mongo.Session) -> dict[str, int]:
            shards = await self.counters.find({"_id": {"$in": _IDS}}, session=session).to_list(None)
            moved: dict[str, int] = {}
            for status in STATUSES:
                real = await comments.count_documents({"status": status}, session=session)
                counted = sum(
                    int(d["n"])
                    for d in shards
                    if d["_id"].split(":")[0] == status and not d["_id"].endswith(":base")
                )
                moved[status] = int(real) - counted
                await self.counters.update_one(
                    {"_id": f"{status}:base"}, {"$set": {"n": moved[status]}}, session=session
                )
            await self.settings.update_one(
                {"_id": "status_counters"}, {"$set": {"done": True}}, upsert=True, session=session
            )
            return moved

        result: dict[str, int] = await mongo.transaction(client, fix)
        return result
