"""Leases with fencing tokens, stored in a MongoDB document, renewed while their holder works.

A lease lives in one document (`collection`, `_id`) under a field (`lease` by default):
`{owner, token, until}`. Taking a free or expired lease increments `token`, so every holder in
history has a distinct, growing number. A holder keeps it alive with `renew()` (or `keep()`, a
background renewal), and makes each write conditional on still holding it with `fence(session)`
inside the write's own transaction: the fence writes the lease document, so it conflicts with
a concurrent takeover, and refuses (LeaseLost) when the token moved on. A holder whose lease
expired while it was stalled can therefore never write over the next holder's work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from shared import mongo
from shared.events import utcnow
from shared.loops import Loop

log = logging.getLogger("akhbar.lease")

COLLECTION = "leases"


class LeaseLost(Exception):
    """The lease expired and was taken by another holder (or released): stop writing."""


class Lease:
    """One holder's handle on a named lease."""

    def __init__(
        self,
        db: mongo.Database,
        name: str,
        owner: str,
        ttl_s: float,
        *,
        collection: str = COLLECTION,
        field: str = "lease",
    ) -> None:
        self.db, self.name, self.owner, self.ttl_s = db, name, owner, ttl_s
        self._coll = db[collection]
        self._f = field
        self.token: int | None = None
        self.until: datetime | None = None

    # --- state -------------------------------------------------------------------------------

    @property
    def held(self) -> bool:
        """Held as far as this process knows (taken, not lost, not past its expiry)."""
        return self.token is not None and self.until is not None and self.until > utcnow()

    def _mine(self) -> dict[str, Any]:
        return {"_id": self.name, f"{self._f}.owner": self.owner, f"{self._f}.token": self.token}

    def _taken(self, doc: dict[str, Any] | None) -> bool:
        lease = (doc or {}).get(self._f) or {}
        if lease.get("owner") != self.owner:
            self.token, self.until = None, None
            return False
        self.token, self.until = int(lease["token"]), lease["until"]
        return True

    # --- taking, renewing, releasing ------------------------------------------------------------

    async def acquire(self, session: mongo.Session | None = None) -> bool:
        """Take the lease if it is free or expired (new token), or renew it if held."""
        if self.token is not None and await self.renew(session):
            return True
        now = utcnow()
        free = {"$or": [{f"{self._f}.until": {"$lt": now}}, {f"{self._f}.owner": None}]}
        try:
            doc = await self._coll.find_one_and_update(
                {"_id": self.name, **free},
                {
                    "$set": {f"{self._f}.owner": self.owner, f"{self._f}.until": self._expiry()},
                    "$inc": {f"{self._f}.token": 1},
                },
                upsert=True,
                return_document=mongo.ReturnDocument.AFTER,
                session=session,
            )
        except mongo.DuplicateKeyError:
            return self._taken(None)  # another holder's lease is live
        taken = self._taken(doc)
        if taken:
            log.info("lease %s taken by %s (token %s)", self.name, self.owner, self.token)
        return taken

    async def wait(self, *, poll_s: float = 0.25) -> None:
        """Acquire, waiting while another live holder has the lease."""
        while True:  # the holder is another process: poll
            if await self.acquire():
                return
            await asyncio.sleep(poll_s)

    async def renew(self, session: mongo.Session | None = None) -> bool:
        """Push the expiry forward; False (and the lease forgotten) when it was lost."""
        if self.token is None:
            return False
        until = self._expiry()
        result = await self._coll.update_one(
            self._mine(), {"$set": {f"{self._f}.until": until}}, session=session
        )
        if result.matched_count:
            self.until = until
            return True
        log.warning("lease %s lost by %s (token %s)", self.name, self.owner, self.token)
        self.token, self.until = None, None
        return False

    async def fence(self, session: mongo.Session) -> None:
        """Inside the caller's transaction: refuse unless this holder still has the lease.

        Writes the lease document (a renewal), so a concurrent takeover conflicts with the
        caller's transaction instead of interleaving with it.
        """
        if self.token is None or not await self.renew(session):
            raise LeaseLost(f"lease {self.name} is no longer held by {self.owner}")

    async def release(self) -> None:
        """Free the lease (keeping the token counter) if still held."""
        if self.token is None:
            return
        try:
            await self._coll.update_one(
                self._mine(), {"$set": {f"{self._f}.owner": None, f"{self._f}.until": None}}
            )
        except mongo.PyMongoError as exc:  # it expires by itself after ttl_s
            log.warning("lease %s not released by %s (%s); it expires in %.0fs",
                        self.name, self.owner, type(exc).__name__, self.ttl_s)  # fmt: skip
        self.token, self.until = None, None

    @contextlib.asynccontextmanager
    async def keep(self, every_s: float | None = None) -> AsyncIterator[Lease]:
        """Renew in the background while the caller works (every third of the ttl)."""
        every = every_s or self.ttl_s / 3
        # No backoff: a renewal waits no longer than `every` even while the database is away.
        renewal = Loop(f"lease-{self.name}", self._renew_held, interval=every, max_backoff=every,
                       logger=log)  # fmt: skip
        renewal.start()
        try:
            yield self
        finally:
            await renewal.stop()

    async def _renew_held(self) -> None:
        if self.token is not None:  # once lost, nothing to renew (renew() forgot the token)
            await self.renew()

    def _expiry(self) -> datetime:
        return utcnow() + timedelta(seconds=self.ttl_s)


async def holder(
    db: mongo.Database, name: str, *, collection: str = COLLECTION, field: str = "lease"
) -> dict[str, Any] | None:
    """The lease as stored ({owner, token, until}), or None when it was never taken."""
    doc = await db[collection].find_one({"_id": name}, {field: 1})
    lease: dict[str, Any] | None = (doc or {}).get(field)
    return lease
