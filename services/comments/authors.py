"""One document per writer (by email hash) with what a submission asks of them: the live ban and
whether they have an approved comment (trust), so the pipeline reads one document, not two.

The document is kept in the same transactions as its sources: a ban's create, replace and
lift (the `bans` collection stays what the moderators list), and every status change to or
from `approved` (`approved` counts them, so trust ends when the last approved comment is
rejected, as a look-up of an approved comment would say). A database written before this
module existed is brought in once by `reconcile`, in one snapshot transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from shared import mongo

Doc = dict[str, Any]
MARK = "authors"  # the settings document that says `reconcile` ran


class Authors:
    def __init__(self, db: mongo.Database) -> None:
        self.authors = db["authors"]
        self.settings = db["settings"]

    async def bump_approved(self, docs: Iterable[Doc], session: mongo.Session, sign: int) -> None:
        """Count comments entering (sign 1) or leaving (-1) `approved`, per writer."""
        deltas = Counter(d["email_hash"] for d in docs if d.get("email_hash"))
        ops = [
            mongo.UpdateOne({"_id": key}, {"$inc": {"approved": sign * n}}, upsert=True)
            for key, n in deltas.items()
        ]
        if ops:
            await self.authors.bulk_write(ops, ordered=False, session=session)

    async def set_ban(
        self, email_hash: str, expires_at: datetime | None, session: mongo.Session
    ) -> None:
        await self.authors.update_one(
            {"_id": email_hash},
            {"$set": {"ban": {"expires_at": expires_at}}},
            upsert=True,
            session=session,
        )

    async def lift_ban(self, email_hash: str, session: mongo.Session) -> None:
        await self.authors.update_one({"_id": email_hash}, {"$unset": {"ban": ""}}, session=session)

    async def reconcile(
        self, client: Any, comments: mongo.Collection, bans: mongo.Collection
    ) -> int:
        """Write every writer's document from the comments and bans (once per database).

        One transaction: a writer changed meanwhile by another process conflicts with it, and
        the whole reconcile runs again on the new snapshot. The writers' documents are set
        whole."""
        if await self.settings.find_one({"_id": MARK}):
            return 0

        async def fix(session: mongo.Session) -> int:
            approved: Counter[str] = Counter()
            cursor = comments.find({"status": "approved"}, {"email_hash": 1}, session=session)
            async for doc in cursor:
                if doc.get("email_hash"):
                    approved[doc["email_hash"]] += 1
            banned = {
                doc["email_hash"]: doc.get("expires_at")
                async for doc in bans.find({}, {"email_hash": 1, "expires_at": 1}, session=session)
            }
            ops: list[Any] = []
            for key in approved.keys() | banned.keys():
                row: Doc = {"approved": approved.get(key, 0)}
                if key in banned:
                    row["ban"] = {"expires_at": banned[key]}
                ops.append(mongo.ReplaceOne({"_id": key}, row, upsert=True))
            if ops:
                await self.authors.bulk_write(ops, ordered=False, session=session)
            await self.settings.update_one(
                {"_id": MARK}, {"$set": {"done": True}}, upsert=True, session=session
            )
            return len(ops)

        written: int = await mongo.transaction(client, fix)
        return written


def live_ban(ban: Doc | None, now: datetime) -> bool:
    """A ban in force: no expiry, or one still ahead (only a date compares with a date)."""
    if ban is None:
        return False
    expires = ban.get("expires_at")
    return expires is None or (isinstance(expires, datetime) and expires > now)
