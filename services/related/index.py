"""The live index: the engine kept in step with MongoDB, serialized across replicas by a sequence.

Every change of the index is a transaction that takes the next number of `meta.seq` (the write
makes concurrent changes conflict and retry) and stamps the changed article's doc with it. A
replica whose engine is behind replays the docs stamped after its own number before changing
anything, so every replica computes from the same corpus. Scores depend only on the doc set and
the epoch's frozen stats, so replaying only the latest state of each article is exact.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from services.related import basis_store, domain, fencing
from services.related import repository as repo
from services.related.engine import EngineConfig, RelatedEngine
from services.related.scoring import Stats
from shared import mongo
from shared.events import utcnow
from shared.lease import Lease

ListWriter = Callable[[list[dict[str, Any]], list[str]], Awaitable[None]]


class IndexBusy(Exception):
    """Another process holds the rebuild lease: wait and try again."""


class StaleIndex(Exception):
    """The index epoch changed (a rebuild finished elsewhere): reload first."""


class LiveIndex:
    """One per process: the engine, the names of indexed articles, and the sequence applied."""

    def __init__(self, config: EngineConfig, owner: str, *, lease_s: float = 15.0) -> None:
        self.config, self.owner, self.lease_s = config, owner, lease_s
        self.engine = RelatedEngine(config, Stats())
        self.names: dict[str, dict[str, Any]] = {}  # id -> card
        self.seq = 0
        self.epoch = 0
        self.loaded = False
        self.lock = asyncio.Lock()  # engine mutations and their writes, one at a time
        self._suspects: set[str] = set()

    # --- loading ---------------------------------------------------------------------------

    async def load(self, db: mongo.Database) -> None:
        """Build the engine from the stored docs with the epoch's stats and basis (meta first)."""
        meta = await repo.get_meta(db)
        stats_doc = await repo.load_stats(db, int(meta.get("epoch", 0)))
        stats = Stats.from_dict(stats_doc) if stats_doc else Stats()
        basis = await basis_store.load_basis(db, int(meta.get("epoch", 0)))
        docs = await repo.published_docs(db)
        engine = await asyncio.to_thread(
            RelatedEngine.build,
            [d["input"] for d in docs],
            config=self.config,
            stats=stats,
            basis=basis,
        )
        self.install(
            engine,
            {d["_id"]: domain.card_of(d) for d in docs},
            seq=int(meta["seq"]),
            epoch=int(meta.get("epoch", 0)),
        )

    def install(
        self, engine: RelatedEngine, names: dict[str, dict[str, Any]], *, seq: int, epoch: int
    ) -> None:
        """Swap in a whole engine (after a load or a rebuild)."""
        self.engine, self.names, self.seq, self.epoch = engine, names, seq, epoch
        self._suspects.clear()
        self.loaded = True

    async def ensure_current(self, db: mongo.Database) -> None:
        """Reload after a rebuild elsewhere; repair after a rebuild that died mid-write."""
        meta = await repo.get_meta(db)
        if fencing.lease_state(meta) == "expired":
            await repair(db, self)
        elif not self.loaded or int(meta.get("epoch", 0)) != self.epoch:
            await self.load(db)

    # --- one change, inside the caller's transaction ----------------------------------------

    async def begin(self, db: mongo.Database, session: mongo.Session) -> int:
        """Take the next sequence number and catch up with changes made by other replicas."""
        await self.restore(db, session)
        meta = await repo.bump_seq(db, session)
        lease = meta.get("lease") or {}
        if lease.get("owner") and lease["owner"] != self.owner:
            raise IndexBusy() if lease["until"] > utcnow() else StaleIndex()
        if int(meta["epoch"]) != self.epoch:
            raise StaleIndex()
        seq = int(meta["seq"])
        if seq - 1 > self.seq:
            for doc in await repo.docs_between(db, self.seq, seq - 1, session):
                self._apply_doc(doc)
            self.engine.take_dirty()
            self.seq = seq - 1
        return seq

    async def change(
        self, db: mongo.Database, session: mongo.Session, doc: dict[str, Any]
    ) -> list[str]:
        """Store an article's doc, update the engine and every changed list; return their ids."""
        article_id = doc["_id"]
        before = self._look(article_id)
        self._suspects.add(article_id)
        changed = self._apply_doc(doc)
        self.engine.take_dirty()
        candidates = set(changed) | ({article_id} if article_id in self.engine else set())
        hashes = await repo.list_hashes(db, ids=candidates | {article_id}, session=session)
        if before is not None and before != self._look(article_id):
            hashes.update(await repo.lists_containing(db, article_id, session))
        upserts, deletes = diff_lists(self, hashes, set(hashes) | candidates, utcnow())
        await repo.save_doc(db, doc, session)
        await repo.write_lists(db, upserts, deletes, session)
        return sorted([d["_id"] for d in upserts] + deletes)

    def committed(self, seq: int) -> None:
        """The transaction of `seq` committed: the engine matches MongoDB again."""
        self.seq = max(self.seq, seq)
        self._suspects.clear()

    async def restore(self, db: mongo.Database, session: mongo.Session | None = None) -> None:
        """Undo uncommitted engine changes by re-reading the committed docs."""
        if not self._suspects:
            return
        for article_id in list(self._suspects):
            doc = await repo.get_doc(db, article_id, session)
            self._apply_doc(doc or domain.tombstone(article_id, version=0, status="unknown", seq=0))
        self.engine.take_dirty()
        self._suspects.clear()

    # --- internals ---------------------------------------------------------------------------

    def _apply_doc(self, doc: dict[str, Any]) -> set[str]:
        article_id = doc["_id"]
        if doc["status"] == domain.PUBLISHED:
            self.names[article_id] = domain.card_of(doc)
            return self.engine.upsert(doc["input"])
        self.names.pop(article_id, None)
        return self.engine.remove(article_id)

    def _look(self, article_id: str) -> tuple[Any, ...] | None:
        """What other lists show of an article: its names and the surface forms of its terms."""
        if article_id not in self.engine:
            return None
        return self.names.get(article_id), self.engine.doc_state(article_id)["surfaces"]


def render(index: LiveIndex, article_id: str) -> list[dict[str, Any]]:
    return domain.render_items(index.engine.related(article_id), index.names)


def diff_lists(
    index: LiveIndex, stored: dict[str, str], ids: Iterable[str], now: datetime
) -> tuple[list[dict[str, Any]], list[str]]:
    """Lists to write (content changed) and to delete (article not indexed), given stored hashes."""
    upserts, deletes = [], []
    for article_id in sorted(ids):
        if article_id in index.engine:
            doc = domain.list_doc(article_id, render(index, article_id), now)
            if stored.get(article_id) != doc["hash"]:
                upserts.append(doc)
        elif article_id in stored:
            deletes.append(article_id)
    return upserts, deletes


async def write_all_lists(
    db: mongo.Database,
    index: LiveIndex,
    *,
    batch: int = 500,
    progress: Any = None,
    write: ListWriter | None = None,
) -> list[str]:
    """Make the stored lists match the engine; return changed ids.

    Rendering every list is seconds of CPU at 10k articles: it runs in a worker thread so the
    event loop keeps answering (health checks, reads, lease renewals) meanwhile.
    """
    write = write or (lambda upserts, deletes: repo.write_lists(db, upserts, deletes))
    stored = await repo.list_hashes(db)
    ids = set(stored) | set(index.names)
    upserts, deletes = await asyncio.to_thread(diff_lists, index, stored, ids, utcnow())
    for start in range(0, len(upserts), batch):
        await write(upserts[start : start + batch], [])
        if progress:
            progress(min(start + batch, len(upserts)), len(upserts))
    for start in range(0, len(deletes), batch):
        await write([], deletes[start : start + batch])
    return sorted([d["_id"] for d in upserts] + deletes)


def fenced_writer(db: mongo.Database, lease: Lease) -> ListWriter:
    """List writes that commit only while `lease` is held (LeaseLost otherwise)."""

    async def write(upserts: list[dict[str, Any]], deletes: list[str]) -> None:
        async def run(session: mongo.Session) -> None:
            await repo.write_lists(db, upserts, deletes, session)

        await fencing.fenced(db, lease, run)

    return write


async def restore_lists(db: mongo.Database, index: LiveIndex, lease: Lease) -> None:
    """Under `lease`: reload the engine from the stored docs, rewrite every list, release."""
    await index.load(db)
    await write_all_lists(db, index, write=fenced_writer(db, lease))
    index.committed(await fencing.release(db, lease))


async def repair(db: mongo.Database, index: LiveIndex) -> bool:
    """After a lease holder died or stalled mid-write: take the lease over (a new token, so the
    stalled holder can write nothing more) and make the lists whole. False when another
    process took it first."""
    lease = fencing.index_lease(db, f"repair:{index.owner}:{uuid.uuid4().hex[:8]}", index.lease_s)
    if not await lease.acquire():
        return False
    async with lease.keep():
        await restore_lists(db, index, lease)
    return True
