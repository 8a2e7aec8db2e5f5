"""Rebuild the whole index from the articles service's data while the old lists keep serving.

Fetch every published article, build a fresh engine off to the side (fresh stats), then take
the index lease (other writers wait), merge what events changed meanwhile, write docs, stats
and lists, and switch the epoch in one last transaction that also emits `related.updated`.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from services.related import basis_store, domain, fencing
from services.related import repository as repo
from services.related.engine import RelatedEngine
from services.related.index import LiveIndex, fenced_writer, restore_lists, write_all_lists
from services.related.source import ArticlesSource
from shared import mongo
from shared.events import ArticleSnapshot, RelatedUpdated, RelatedUpdatedData
from shared.lease import Lease
from shared.runtime import Runtime

if TYPE_CHECKING:
    from services.related.jobs import Reporter

EVENT_IDS = 1000  # article ids per related.updated event


async def fetch(source: ArticlesSource, report: Reporter) -> dict[str, ArticleSnapshot]:
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


async def rebuild(
    *,
    runtime: Runtime,
    index: LiveIndex,
    source: ArticlesSource,
    report: Reporter,
    owner: str,
    lease_s: float,
    batch: int,
    lease: Lease | None = None,
) -> dict[str, int]:
    """Fetch, build aside, then swap under the lease; returns counts for the job record.

    The lease is renewed in the background while the swap works and every write of the swap
    is fenced by its token: if this process stalls past the expiry and another takes over,
    the rest of this rebuild fails (LeaseLost) instead of mixing two epochs' lists.
    """
    db = runtime.db
    lease = lease or fencing.index_lease(db, owner, lease_s)
    started_seq = int((await repo.get_meta(db))["seq"])
    snapshots = await fetch(source, report)
    await report("indexing", 0, len(snapshots), force=True)
    inputs = [domain.engine_input(s) for s in snapshots.values()]
    fresh = await asyncio.to_thread(RelatedEngine.build, inputs, config=index.config)
    await report("indexing", len(snapshots), len(snapshots), force=True)
    async with index.lock:
        await report("waiting for the index lease", 0, None, force=True)
        await lease.wait()
        async with lease.keep():
            try:

                async def stamp(session: mongo.Session) -> dict[str, Any]:
                    return await repo.bump_seq(db, session)

                meta = await fencing.fenced(db, lease, stamp)
                return await _swap(
                    runtime, index, fresh, snapshots, report,
                    meta=meta, started_seq=started_seq, owner=owner, lease=lease, batch=batch,
                )  # fmt: skip
            except BaseException:
                if lease.token is not None:  # still ours: lists may be half new, make them whole
                    with contextlib.suppress(Exception):
                        await restore_lists(db, index, lease)
                raise


async def _swap(
    runtime: Runtime,
    index: LiveIndex,
    fresh: RelatedEngine,
    snapshots: dict[str, ArticleSnapshot],
    report: Reporter,
    *,
    meta: dict[str, Any],
    started_seq: int,
    owner: str,
    lease: Lease,
    batch: int,
) -> dict[str, int]:
    db, seq, epoch = runtime.db, int(meta["seq"]), int(meta.get("epoch", 0)) + 1
    heads = await repo.doc_heads(db)
    held = {
        i: domain.Head(int(d["version"]), d["status"], int(d.get("seq", 0)))
        for i, d in heads.items()
    }
    listed = {i: s.version for i, s in snapshots.items()}
    from_listing, keep_held, remove = domain.merge_rebuild(listed, held, started_seq=started_seq)
    kept = await repo.get_docs(db, keep_held)
    for doc in kept:
        fresh.upsert(doc["input"])
    for article_id in remove:
        fresh.remove(article_id)
    fresh.take_dirty()
    docs = [
        domain.doc_of(snapshots[i], version=snapshots[i].version, seq=seq)
        for i in sorted(from_listing)
        if i not in held
        or (held[i].version, held[i].status) != (snapshots[i].version, domain.PUBLISHED)
    ]
    docs += [
        domain.tombstone(i, version=held[i].version, status="unpublished", seq=seq)
        for i in sorted(remove)
        if i in held and held[i].status == domain.PUBLISHED
    ]
    for start in range(0, len(docs), batch):
        part = docs[start : start + batch]

        async def save(session: mongo.Session, part: list[dict[str, Any]] = part) -> None:
            await repo.save_docs(db, part, session)

        await fencing.fenced(db, lease, save)
    stats = fresh.stats.to_dict()

    async def clear_stats(session: mongo.Session) -> None:
        await db[repo.STATS].delete_many({"epoch": epoch}, session=session)

    await fencing.fenced(db, lease, clear_stats)
    for stats_part in repo.stats_parts(epoch, stats):  # one part per write: reads go between

        async def save_part(session: mongo.Session, doc: dict[str, Any] = stats_part) -> None:
            await db[repo.STATS].insert_one(doc, session=session)

        await fencing.fenced(db, lease, save_part)
    await basis_store.save_basis(db, epoch, fresh.basis)
    names = {i: domain.card(snapshots[i]) for i in from_listing if i in fresh}
    names.update({d["_id"]: domain.card_of(d) for d in kept})
    staged = LiveIndex(index.config, owner)
    staged.install(fresh, names, seq=seq, epoch=epoch)
    total = len(names)

    def written(done: int, of: int) -> None:
        if report.echo:
            report.echo("writing", done, of)

    await report("writing", 0, total, force=True)
    changed = await write_all_lists(
        db, staged, batch=batch, progress=written, write=fenced_writer(db, lease)
    )

    async def finish(session: mongo.Session) -> int:
        done = await repo.bump_seq(db, session, {**fencing.RELEASED, "epoch": epoch})
        for start in range(0, len(changed), EVENT_IDS):
            ids = changed[start : start + EVENT_IDS]
            await runtime.emit(session, RelatedUpdated(
                producer="related", aggregate_id="index", aggregate_version=int(done["seq"]),
                causation_id=owner, data=RelatedUpdatedData(article_ids=ids),
            ))  # fmt: skip
        return int(done["seq"])

    final_seq = await fencing.fenced(db, lease, finish)
    lease.token, lease.until = None, None  # released by finish
    runtime.relay.notify()
    index.install(fresh, names, seq=final_seq, epoch=epoch)
    await repo.drop_stats_except(db, epoch)
    await basis_store.drop_basis_except(db, epoch)
    await report("writing", total, total, force=True)
    return {"articles": total, "lists_changed": len(changed), "docs_written": len(docs)}
