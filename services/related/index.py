"""The live index: the engine kept in step with MongoDB, serialized across replicas by a sequence.

Every change of the index is a transaction that takes the next number of `meta.seq` (the write
makes concurrent changes conflict and retry) and stamps the changed article's doc with it. A
replica whose engine is behind replays the docs stamped after its own number before changing
anything, so every replica computes from the same corpus. Scores depend only on the doc set and
the epoch's frozen stats, so replaying only the latest state of each article is exact.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, Protocol

from services.related import domain, heap
from services.related.engine import EngineConfig, RelatedEngine
from services.related.repository import Document
from services.related.scoring import Stats
from services.related.semantic import Basis
from shared import mongo
from shared.events import utcnow

Names = dict[str, dict[str, Any]]  # id -> card of every indexed article
Session = mongo.Session | None


class IndexBusy(Exception):
    """Another process holds the index lease: wait and try again."""


class StaleIndex(Exception):
    """The index epoch changed (a rebuild finished elsewhere): reload first."""


class IndexStore(Protocol):
    """What the live index reads and writes (repository.IndexRepository; a fake in unit tests)."""

    async def get_meta(self, session: Session = None) -> Document: ...
    async def bump_seq(self, session: mongo.Session, extra: Document | None = None) -> Document: ...
    async def load_stats(self, epoch: int) -> Document | None: ...
    async def load_basis(self, epoch: int) -> Basis | None: ...
    async def published_docs(self) -> list[Document]: ...
    async def docs_between(
        self, after: int, upto: int, session: Session = None
    ) -> list[Document]: ...
    async def get_doc(self, article_id: str, session: Session = None) -> Document | None: ...
    async def save_doc(self, doc: Document, session: Session = None) -> None: ...
    async def list_hashes(
        self, ids: Iterable[str] | None = None, session: Session = None
    ) -> dict[str, str]: ...
    async def lists_containing(
        self, article_id: str, session: Session = None
    ) -> dict[str, str]: ...
    async def write_lists(
        self, upserts: list[Document], deletes: Iterable[str], session: Session = None
    ) -> None: ...


# Takes the index lease over from a holder that died mid-write and makes the lists whole
# (repair.TakeOver); False when another process took it first.
TakeOver = Callable[["LiveIndex"], Awaitable[bool]]


class LiveIndex:
    """One per process: the engine, the names of indexed articles, and the sequence applied."""

    def __init__(
        self, config: EngineConfig, owner: str, store: IndexStore, *, take_over: TakeOver
    ) -> None:
        self.config, self.owner, self.store = config, owner, store
        self._take_over = take_over
        self.engine = RelatedEngine(config, Stats())
        self.names: Names = {}
        self.seq = 0
        self.epoch = 0
        self.loaded = False
        self.lock = asyncio.Lock()  # engine mutations and their writes, one at a time
        self._suspects: set[str] = set()

    # --- loading ---------------------------------------------------------------------------

    async def load(self) -> None:
        """Build the engine from the stored docs with the epoch's stats and basis (meta first)."""
        meta = await self.store.get_meta()
        epoch = int(meta.get("epoch", 0))
        stats_doc = await self.store.load_stats(epoch)
        basis = await self.store.load_basis(epoch)
        docs = await self.store.published_docs()
        with heap.building():
            engine, names = await asyncio.to_thread(_engine_of, docs, stats_doc, basis, self.config)
        self.install(engine, names, seq=int(meta["seq"]), epoch=epoch)

    def install(self, engine: RelatedEngine, names: Names, *, seq: int, epoch: int) -> None:
        """Swap in a whole engine (after a load or a rebuild)."""
        self.engine, self.names, self.seq, self.epoch = engine, names, seq, epoch
        self._suspects.clear()
        self.loaded = True

    async def ensure_current(self) -> None:
        """Reload after a rebuild elsewhere; repair after a rebuild that died mid-write."""
        meta = await self.store.get_meta()
        if domain.lease_state(meta) == "expired":
            await self._take_over(self)
        elif not self.loaded or int(meta.get("epoch", 0)) != self.epoch:
            await self.load()

    # --- one change, inside the caller's transaction ----------------------------------------

    async def held(self, article_id: str, session: mongo.Session) -> Document | None:
        """The stored doc of an article (its version, status and slugs), if it was ever seen."""
        return await self.store.get_doc(article_id, session)

    async def begin(self, session: mongo.Session) -> int:
        """Take the next sequence number and catch up with changes made by other replicas."""
        await self.restore(session)
        meta = await self.store.bump_seq(session)
        lease = meta.get("lease") or {}
        if lease.get("owner") and lease["owner"] != self.owner:
            raise IndexBusy() if lease["until"] > utcnow() else StaleIndex()
        if int(meta["epoch"]) != self.epoch:
            raise StaleIndex()
        seq = int(meta["seq"])
        if seq - 1 > self.seq:
            for doc in await self.store.docs_between(self.seq, seq - 1, session):
                self._apply_doc(doc)
            self.engine.take_dirty()
            self.seq = seq - 1
        return seq

    async def change(self, session: mongo.Session, doc: Document) -> list[str]:
        """Store an article's doc, update the engine and every changed list; return their ids."""
        article_id = doc["_id"]
        before = self._look(article_id)
        self._suspects.add(article_id)
        changed = self._apply_doc(doc)
        self.engine.take_dirty()
        candidates = set(changed) | ({article_id} if article_id in self.engine else set())
        hashes = await self.store.list_hashes(ids=candidates | {article_id}, session=session)
        if before is not None and before != self._look(article_id):
            hashes.update(await self.store.lists_containing(article_id, session))
        upserts, deletes = diff_lists(
            self.engine, self.names, hashes, set(hashes) | candidates, utcnow()
        )
        await self.store.save_doc(doc, session)
        await self.store.write_lists(upserts, deletes, session)
        return sorted([d["_id"] for d in upserts] + deletes)

    def committed(self, seq: int) -> None:
        """The transaction of `seq` committed: the engine matches MongoDB again."""
        self.seq = max(self.seq, seq)
        self._suspects.clear()

    async def restore(self, session: Session = None) -> None:
        """Undo uncommitted engine changes by re-reading the committed docs."""
        if not self._suspects:
            return
        for article_id in list(self._suspects):
            doc = await self.store.get_doc(article_id, session)
            self._apply_doc(doc or domain.tombstone(article_id, version=0, status="unknown", seq=0))
        self.engine.take_dirty()
        self._suspects.clear()

    # --- internals ---------------------------------------------------------------------------

    def _apply_doc(self, doc: Document) -> set[str]:
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


def diff_lists(
    engine: RelatedEngine, names: Names, stored: dict[str, str], ids: Iterable[str], now: datetime
) -> tuple[list[Document], list[str]]:
    """Lists to write (content changed) and to delete (article not indexed), given stored hashes."""
    upserts, deletes = [], []
    for article_id in sorted(ids):
        if article_id in engine:
            items = domain.render_items(engine.related(article_id), names)
            doc = domain.list_doc(article_id, items, now)
            if stored.get(article_id) != doc["hash"]:
                upserts.append(doc)
        elif article_id in stored:
            deletes.append(article_id)
    return upserts, deletes


def _engine_of(
    docs: list[Document], stats_doc: Document | None, basis: Basis | None, config: EngineConfig
) -> tuple[RelatedEngine, Names]:
    """The engine of stored docs with the epoch's stats and basis (CPU: in a worker thread)."""
    stats = Stats.from_dict(stats_doc) if stats_doc else Stats()
    engine = RelatedEngine.build(
        [d["input"] for d in docs], config=config, stats=stats, basis=basis
    )
    return engine, {d["_id"]: domain.card_of(d) for d in docs}
