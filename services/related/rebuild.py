"""Rebuild the whole index from the articles service's data while the old lists keep serving.

Fetch every published article, build a fresh engine off to the side (fresh stats), then take
the index lease (other writers wait) and swap: merge what events changed meanwhile, write docs,
stats and lists, and switch the epoch in one last transaction that also emits `related.updated`.
If the swap fails while the lease is still ours, the lists are made whole again from the
stored docs (repair.restore_lists) before the error goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from services.related import domain, fencing, heap
from services.related.engine import EngineConfig, RelatedEngine
from services.related.index import LiveIndex, Names
from services.related.repair import restore_lists, write_all_lists
from services.related.repository import Document, IndexRepository, stats_parts
from services.related.source import ArticlesSource
from shared import mongo
from shared.events import ArticleSnapshot, RelatedUpdated, RelatedUpdatedData
from shared.lease import Lease
from shared.unit_of_work import UnitOfWork

log = logging.getLogger("akhbar.related.rebuild")
EVENT_IDS = 1000  # article ids per related.updated event
Progress = Callable[[str, int, int | None], None]  # phase, processed, total


class Report(Protocol):
    """Where a rebuild says how far it is (rebuild_jobs.Reporter: the job record)."""

    echo: Progress | None  # told every step, also those not written to the job

    async def __call__(
        self, phase: str, processed: int, total: int | None, *, force: bool = False
    ) -> None: ...


@dataclass(frozen=True)
class Rebuild:
    """What one rebuild works with and on."""

    store: IndexRepository
    uow: UnitOfWork
    index: LiveIndex
    report: Report
    owner: str
    batch: int


async def rebuild(
    work: Rebuild, source: ArticlesSource, *, lease_s: float, lease: Lease | None = None
) -> dict[str, int]:
    """Fetch, build aside, then swap under the lease; returns counts for the job record.

    The lease is renewed in the background while the swap works and every write of the swap
    is fenced by its token: if this process stalls past the expiry and another takes over,
    the rest of this rebuild fails (LeaseLost) instead of mixing two epochs' lists.
    """
    store, index, report = work.store, work.index, work.report
    lease = lease or fencing.index_lease(store, work.owner, lease_s)
    started_seq = int((await store.get_meta())["seq"])
    with heap.building():  # a second engine and every list: no full collection meanwhile
        snapshots = await fetch_published(source, report)
        fresh = await _build_aside(snapshots, index.config, report)
        async with index.lock:
            await report("waiting for the index lease", 0, None, force=True)
            await lease.wait()
            async with lease.keep():
                try:
                    return await _swap(work, lease, fresh, snapshots, started_seq=started_seq)
                except BaseException:
                    await _make_lists_whole(work, lease)
                    raise


async def fetch_published(source: ArticlesSource, report: Report) -> dict[str, ArticleSnapshot]:
    """Every published article of the articles service, newest version of each."""
    snapshots: dict[str, ArticleSnapshot] = {}
    await report("fetching", 0, None, force=True)
    async for items, total in source.pages():
        for item in items:
            held = snapshots.get(item.id)
            if item.status == domain.PUBLISHED and (held is None or item.version > held.version):
                snapshots[item.id] = item
        await report("fetching", len(snapshots), total)
    return snapshots


async def _build_aside(
    snapshots: dict[str, ArticleSnapshot], config: EngineConfig, report: Report
) -> RelatedEngine:
    """A fresh engine with fresh statistics, built in a thread (the event loop keeps serving)."""
    await report("indexing", 0, len(snapshots), force=True)
    inputs = [domain.engine_input(s) for s in snapshots.values()]
    fresh = await asyncio.to_thread(RelatedEngine.build, inputs, config=config)
    await report("indexing", len(snapshots), len(snapshots), force=True)
    return fresh


async def _make_lists_whole(work: Rebuild, lease: Lease) -> None:
    """After a failed swap, lists may be half new: rewrite them from the stored docs while the
    lease is still ours (a lost lease is the next holder's to repair)."""
    if lease.token is None:
        return
    try:
        await restore_lists(work.store, work.index, lease)
    except Exception:
        log.exception(
            "rebuild %s failed and so did the repair of its lists; they are repaired when its "
            "index lease expires (the next index change or the lease watcher takes over)",
            work.owner,
        )


async def _swap(
    work: Rebuild,
    lease: Lease,
    fresh: RelatedEngine,
    snapshots: dict[str, ArticleSnapshot],
    *,
    started_seq: int,
) -> dict[str, int]:
    """Under the lease: merge, write docs, the epoch's snapshot and lists, switch the epoch."""
    store, report = work.store, work.report

    async def stamp(session: mongo.Session) -> Document:
        return await store.bump_seq(session)

    meta = await fencing.fenced(store, lease, stamp)
    seq, epoch = int(meta["seq"]), int(meta.get("epoch", 0)) + 1
    docs, names = await _merge_meanwhile(store, fresh, snapshots, started_seq=started_seq, seq=seq)
    await _write_docs(store, lease, docs, work.batch)
    await _write_epoch_snapshot(store, lease, epoch, fresh)
    await report("writing", 0, len(names), force=True)
    changed = await write_all_lists(
        store, fresh, names, write=fencing.fenced_writer(store, lease), batch=work.batch,
        progress=lambda done, of: report.echo("writing", done, of) if report.echo else None,
    )  # fmt: skip
    final_seq = await _switch_epoch(work, lease, epoch=epoch, changed=changed)
    work.index.install(fresh, names, seq=final_seq, epoch=epoch)
    await store.drop_stats_except(epoch)
    await store.drop_basis_except(epoch)
    await report("writing", len(names), len(names), force=True)
    return {"articles": len(names), "lists_changed": len(changed), "docs_written": len(docs)}


async def _merge_meanwhile(
    store: IndexRepository,
    fresh: RelatedEngine,
    snapshots: dict[str, ArticleSnapshot],
    *,
    started_seq: int,
    seq: int,
) -> tuple[list[Document], Names]:
    """Bring into the fresh engine what events changed since the rebuild started; return the
    docs to write and the cards of every article it holds."""
    held = {
        i: domain.Head(int(d["version"]), d["status"], int(d.get("seq", 0)))
        for i, d in (await store.doc_heads()).items()
    }
    listed = {i: s.version for i, s in snapshots.items()}
    from_listing, keep_held, remove = domain.merge_rebuild(listed, held, started_seq=started_seq)
    kept = await store.get_docs(keep_held)

    def merge() -> tuple[list[Document], Names]:  # CPU over every article: in a worker thread
        for doc in kept:
            fresh.upsert(doc["input"])
        for article_id in remove:
            fresh.remove(article_id)
        fresh.take_dirty()
        docs = domain.rebuild_docs(snapshots, held, from_listing, remove, seq=seq)
        names = {i: domain.card(snapshots[i]) for i in from_listing if i in fresh}
        names.update({d["_id"]: domain.card_of(d) for d in kept})
        return docs, names

    return await asyncio.to_thread(merge)


async def _write_docs(
    store: IndexRepository, lease: Lease, docs: list[Document], batch: int
) -> None:
    for start in range(0, len(docs), batch):
        part = docs[start : start + batch]

        async def save(session: mongo.Session, part: list[Document] = part) -> None:
            await store.save_docs(part, session)

        await fencing.fenced(store, lease, save)


async def _write_epoch_snapshot(
    store: IndexRepository, lease: Lease, epoch: int, fresh: RelatedEngine
) -> None:
    """The new epoch's statistics (one part per write: reads go between) and basis."""

    async def clear(session: mongo.Session) -> None:
        await store.clear_stats(epoch, session)

    await fencing.fenced(store, lease, clear)
    parts = await asyncio.to_thread(lambda: stats_parts(epoch, fresh.stats.to_dict()))
    for part in parts:

        async def add(session: mongo.Session, part: dict[str, Any] = part) -> None:
            await store.add_stats_part(part, session)

        await fencing.fenced(store, lease, add)
    await store.save_basis(epoch, fresh.basis)


async def _switch_epoch(work: Rebuild, lease: Lease, *, epoch: int, changed: list[str]) -> int:
    """One last fenced transaction: the new epoch, the lease released, `related.updated` for
    every changed list. Returns its sequence number."""

    async def switch(session: mongo.Session) -> int:
        await lease.fence(session)
        done = await work.store.bump_seq(session, {**fencing.RELEASED, "epoch": epoch})
        for start in range(0, len(changed), EVENT_IDS):
            await work.uow.emit(session, RelatedUpdated(
                producer="related", aggregate_id="index", aggregate_version=int(done["seq"]),
                causation_id=work.owner,
                data=RelatedUpdatedData(article_ids=changed[start : start + EVENT_IDS]),
            ))  # fmt: skip
        return int(done["seq"])

    final_seq = await work.uow.commit(switch)
    lease.token, lease.until = None, None  # released by the switch
    return final_seq
