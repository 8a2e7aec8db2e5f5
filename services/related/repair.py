"""Make every stored list match the engine, under the index lease: the last step of a rebuild,
the way back after a rebuild failed mid-write, and a takeover from a holder that died."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from services.related import fencing, heap
from services.related.engine import RelatedEngine
from services.related.index import LiveIndex, Names, diff_lists
from services.related.repository import IndexRepository
from shared.events import utcnow
from shared.lease import Lease

Progress = Callable[[int, int], None]  # lists written, of


async def write_all_lists(
    store: IndexRepository,
    engine: RelatedEngine,
    names: Names,
    *,
    write: fencing.ListWriter,
    batch: int = 500,
    progress: Progress | None = None,
) -> list[str]:
    """Make the stored lists match the engine through `write`; return changed ids.

    Rendering every list is seconds of CPU at 10k articles: it runs in a worker thread so the
    event loop keeps answering (health checks, reads, lease renewals) meanwhile.
    """
    stored = await store.list_hashes()
    ids = set(stored) | set(names)
    upserts, deletes = await asyncio.to_thread(diff_lists, engine, names, stored, ids, utcnow())
    for start in range(0, len(upserts), batch):
        await write(upserts[start : start + batch], [])
        if progress:
            progress(min(start + batch, len(upserts)), len(upserts))
    for start in range(0, len(deletes), batch):
        await write([], deletes[start : start + batch])
    return sorted([d["_id"] for d in upserts] + deletes)


async def restore_lists(store: IndexRepository, index: LiveIndex, lease: Lease) -> None:
    """Under `lease`: reload the engine from the stored docs, rewrite every list, release."""
    with heap.building():  # the engine and every list rendered: no full collection meanwhile
        await index.load()
        await write_all_lists(
            store, index.engine, index.names, write=fencing.fenced_writer(store, lease)
        )
    index.committed(await fencing.release(store, lease))


class TakeOver:
    """After a lease holder died or stalled mid-write: take the lease over (a new token, so the
    stalled holder can write nothing more) and make the lists whole."""

    def __init__(self, store: IndexRepository, *, lease_s: float) -> None:
        self.store, self.lease_s = store, lease_s

    async def __call__(self, index: LiveIndex) -> bool:
        """False when another process took the lease first."""
        owner = f"repair:{index.owner}:{uuid.uuid4().hex[:8]}"
        lease = fencing.index_lease(self.store, owner, self.lease_s)
        if not await lease.acquire():
            return False
        async with lease.keep():
            await restore_lists(self.store, index, lease)
        return True
