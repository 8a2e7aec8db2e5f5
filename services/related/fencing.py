"""The index lease: one writer of the whole index at a time (a rebuild's swap, a repair).

It is a shared/lease.py lease kept in the index's meta document (field `lease`), so taking it
writes the same document every index change bumps: changes in flight conflict and retry, then
see the lease and wait (IndexBusy). Its holder renews it while working and writes only through
`fenced()`, a transaction that first checks the token: a holder that stalled past its expiry
and was taken over writes nothing more (LeaseLost).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from services.related import repository as repo
from shared import mongo
from shared.events import utcnow
from shared.lease import Lease, LeaseLost

T = TypeVar("T")
RELEASED = {"lease.owner": None, "lease.until": None}
YIELD_RATIO = 1.0  # bulk index writes use at most about half of the database's time

__all__ = ["RELEASED", "LeaseLost", "fenced", "index_lease", "lease_state", "release"]


def index_lease(db: mongo.Database, owner: str, ttl_s: float) -> Lease:
    return Lease(db, repo.INDEX, owner, ttl_s, collection=repo.META, field="lease")


async def fenced(
    db: mongo.Database,
    lease: Lease,
    write: Callable[[mongo.Session], Awaitable[T]],
    *,
    yield_ratio: float = YIELD_RATIO,
) -> T:
    """Run `write` in a transaction that commits only while `lease` is still ours.

    Then pause `yield_ratio` times as long as the write took: the bulk writes of a rebuild or
    a repair leave the database room for the service's reads meanwhile.
    """

    async def run(session: mongo.Session) -> T:
        await lease.fence(session)
        return await write(session)

    started = time.monotonic()
    result = await mongo.transaction(db.client, run)
    await asyncio.sleep((time.monotonic() - started) * yield_ratio)
    return result


async def release(db: mongo.Database, lease: Lease, extra: dict[str, Any] | None = None) -> int:
    """Free the lease (keeping its token counter) and take a sequence number; returns it."""

    async def free(session: mongo.Session) -> int:
        done = await repo.bump_seq(db, session, {**RELEASED, **(extra or {})})
        return int(done["seq"])

    seq = await fenced(db, lease, free)
    lease.token, lease.until = None, None
    return seq


def lease_state(meta: dict[str, Any], now: datetime | None = None) -> str:
    """free | held | expired (a holder died or stalled: someone must take over and repair)."""
    lease = meta.get("lease") or {}
    if not lease.get("owner"):
        return "free"
    return "held" if lease["until"] > (now or utcnow()) else "expired"
