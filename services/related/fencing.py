"""The index lease: one writer of the whole index at a time (a rebuild's swap, a repair).

It is a shared/lease.py lease kept in the index's meta document (field `lease`), so taking it
writes the same document every index change bumps: changes in flight conflict and retry, then
see the lease and wait (IndexBusy). Its holder renews it while working and writes only through
`fenced()`, a transaction that first checks the token: a holder that stalled past its expiry
and was taken over writes nothing more (LeaseLost). Whether it is free, held or expired is
`domain.lease_state`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from services.related.repository import INDEX, META, Document, IndexRepository
from shared import mongo
from shared.lease import Lease, LeaseLost

T = TypeVar("T")
RELEASED = {"lease.owner": None, "lease.until": None}
YIELD_RATIO = 1.0  # bulk index writes use at most about half of the database's time
ListWriter = Callable[[list[Document], Iterable[str]], Awaitable[None]]

__all__ = ["RELEASED", "LeaseLost", "ListWriter", "fenced", "fenced_writer", "index_lease"]


def index_lease(store: IndexRepository, owner: str, ttl_s: float) -> Lease:
    return Lease(store.db, INDEX, owner, ttl_s, collection=META, field="lease")


async def fenced(
    store: IndexRepository,
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
    result = await store.transaction(run)
    await asyncio.sleep((time.monotonic() - started) * yield_ratio)
    return result


def fenced_writer(store: IndexRepository, lease: Lease) -> ListWriter:
    """List writes that commit only while `lease` is held (LeaseLost otherwise)."""

    async def write(upserts: list[Document], deletes: Iterable[str]) -> None:
        async def run(session: mongo.Session) -> None:
            await store.write_lists(upserts, deletes, session)

        await fenced(store, lease, run)

    return write


async def release(store: IndexRepository, lease: Lease, extra: dict[str, Any] | None = None) -> int:
    """Free the lease (keeping its token counter) and take a sequence number; returns it."""

    async def free(session: mongo.Session) -> int:
        done = await store.bump_seq(session, {**RELEASED, **(extra or {})})
        return int(done["seq"])

    seq = await fenced(store, lease, free)
    lease.token, lease.until = None, None
    return seq
