"""Index-served reads behind the moderators' page: search pages, counts, changes, titles."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.comments.counters import StatusCounters
from services.comments.search import Filters, comment_keys, matches
from shared import mongo
from shared.mongo import ASCENDING as ASC
from shared.mongo import IndexModel
from shared.pagination import Order, keyset_page

Doc = dict[str, Any]
SCAN_BUDGET = 2000  # documents one search request reads at most before it returns a cursor
CHANGES_LIMIT = 200
# A change committed late (a slow transaction, another replica's clock) is still seen: each
# poll re-reads this much history before its cursor, and the page ignores versions it holds.
CHANGES_OVERLAP = timedelta(seconds=10)

INDEXES = [
    IndexModel([("status", ASC), ("keys", ASC), ("created_at", ASC), ("_id", ASC)]),
    IndexModel([("updated_at", ASC), ("_id", ASC)]),
]


def position(key: Any) -> tuple[datetime, str] | None:
    """A decoded list cursor as (created_at, id), whichever form the decoder gave."""
    if key is None:
        return None
    at, last_id = key
    return (at if isinstance(at, datetime) else datetime.fromisoformat(at)), str(last_id)


def created_order(newest: bool) -> Order:
    """The queue's order: by creation, oldest or newest first, ties by id."""
    direction = -1 if newest else 1
    return (("created_at", direction), ("_id", direction))


class QueueStore:
    """Reads over the comments database for the page; writes stay in the repository."""

    def __init__(self, db: mongo.Database, counters: StatusCounters) -> None:
        self.counters = counters
        self.comments = db["comments"]
        self.articles = db["articles"]
        self.reports = db["reports"]
        self.bans = db["bans"]

    async def ensure_indexes(self) -> None:
        await self.comments.create_indexes(INDEXES)
        await self.bans.create_indexes([IndexModel([("created_at", ASC), ("_id", ASC)])])
        await self.articles.create_indexes([IndexModel([("slug", ASC)])])

    async def backfill_keys(self, settings: mongo.Collection) -> int:
        """Give comments stored before search existed their keys (once per database)."""
        if await settings.find_one({"_id": "search_keys"}):
            return 0
        done = 0
        async for doc in self.comments.find({"keys": {"$exists": False}}):
            update = {"$set": {"keys": comment_keys(doc)}}
            await self.comments.update_one({"_id": doc["_id"], "version": doc["version"]}, update)
            done += 1
        await settings.update_one({"_id": "search_keys"}, {"$set": {"done": True}}, upsert=True)
        return done

    async def search(
        self,
        *,
        status: str,
        filters: Filters,
        after: tuple[datetime, str] | None,
        newest: bool,
        limit: int,
    ) -> tuple[list[Doc], tuple[datetime, str] | None]:
        """A page of matching comments and the position to continue from (None at the end).

        The index serves the status, the first key and the date range; the other keys are
        checked here, reading at most SCAN_BUDGET documents (then the page may be short).
        """
        keys = filters.keys()
        base: Doc = {"status": status}
        if keys:
            base["keys"] = keys[0]
        span = {
            **({"$gte": filters.since} if filters.since else {}),
            **({"$lt": filters.until} if filters.until else {}),
        }
        if span:
            base["created_at"] = span
        residual = len(keys) > 1
        batch = max(limit + 1, 100) if residual else limit + 1
        found: list[Doc] = []
        position, scanned = after, 0
        while True:
            docs = await keyset_page(self.comments, base, created_order(newest), position, batch)
            for doc in docs:
                scanned += 1
                if not residual or matches(doc, keys, filters):
                    found.append(doc)
                    if len(found) > limit:
                        last = found[limit - 1]
                        return found[:limit], (last["created_at"], last["_id"])
                position = (doc["created_at"], doc["_id"])
            if len(docs) < batch:
                return found, None
            if scanned >= SCAN_BUDGET:
                return found, position

    async def changes(self, since: datetime) -> list[Doc]:
        """Comments changed at or after `since` minus the overlap, oldest change first."""
        query = {"updated_at": {"$gte": since - CHANGES_OVERLAP}}
        cursor = self.comments.find(query).sort([("updated_at", ASC), ("_id", ASC)])
        docs: list[Doc] = await cursor.limit(CHANGES_LIMIT + 1).to_list(CHANGES_LIMIT + 1)
        return docs

    async def counts(self) -> dict[str, int]:
        """Comments per status (from the counters, not a count over the index)."""
        return await self.counters.totals()

    async def history_counts(self, email_hashes: list[str]) -> dict[str, dict[str, int]]:
        """Per author: how many of their comments are in each status."""
        rows = await self.comments.aggregate(
            [
                {"$match": {"email_hash": {"$in": email_hashes}}},
                {"$group": {"_id": {"e": "$email_hash", "s": "$status"}, "n": {"$sum": 1}}},
            ]
        ).to_list(None)
        counts: dict[str, dict[str, int]] = {}
        for row in rows:
            counts.setdefault(row["_id"]["e"], {})[row["_id"]["s"]] = int(row["n"])
        return counts

    async def articles_by_id(self, ids: list[str]) -> dict[str, Doc]:
        docs = await self.articles.find({"_id": {"$in": ids}}).to_list(len(ids))
        return {d["_id"]: d for d in docs}

    async def article_by_slug(self, slug: str) -> Doc | None:
        doc: Doc | None = await self.articles.find_one({"slug": slug})
        return doc

    async def report_reasons(self, ids: list[str], cap: int = 5000) -> dict[str, dict[str, int]]:
        """Per comment: how many readers gave each reason ("" for none).

        A report is stored once per identity of the reader (key, and client); only the
        reader-key rows are counted here, so one reader counts once.
        """
        reasons: dict[str, dict[str, int]] = {}
        fields = {"comment_id": 1, "reason": 1, "reader_hash": 1}
        cursor = self.reports.find({"comment_id": {"$in": ids}}, fields)
        for doc in await cursor.to_list(cap):
            if str(doc.get("reader_hash", "")).startswith("client:"):
                continue
            per = reasons.setdefault(doc["comment_id"], {})
            key = (doc.get("reason") or "").strip()
            per[key] = per.get(key, 0) + 1
        return reasons

    async def banned_hashes(self, hashes: list[str], now: datetime) -> set[str]:
        docs = await self.bans.find({"email_hash": {"$in": hashes}}).to_list(len(hashes))
        return {
            d["email_hash"] for d in docs if d.get("expires_at") is None or d["expires_at"] > now
        }

    async def bans_page(self, after: tuple[datetime, str] | None, limit: int) -> list[Doc]:
        """Bans newest first, after a keyset position (one more than `limit`: is there a next)."""
        return await keyset_page(self.bans, {}, created_order(newest=True), after, limit + 1)
