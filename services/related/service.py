"""Use cases: apply an article event, read a list, start and watch a rebuild."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from services.related import domain, jobs, search_index
from services.related import repository as repo
from services.related.context import PRODUCER, Context
from services.related.index import IndexBusy, StaleIndex
from services.related.schemas import RebuildJob, RelatedList
from shared import mongo
from shared.errors import not_found
from shared.events import ArticleEvent, RelatedUpdated, RelatedUpdatedData, utcnow

BUSY_WAIT_S = 0.2


async def apply_article_event(ctx: Context, *, event: ArticleEvent) -> None:
    """Index, re-index or drop the article and rewrite every list that changed, exactly once."""
    while True:
        if await _attempt(ctx, event):
            break
        await asyncio.sleep(BUSY_WAIT_S)  # a rebuild holds the lease, or the epoch moved
    if ctx.stats_outgrown():  # idf from a much smaller corpus: refresh it in the background
        ctx.last_auto_rebuild = asyncio.get_running_loop().time()
        await start_rebuild(ctx, requested_by="auto:corpus-grew")


async def _attempt(ctx: Context, event: ArticleEvent) -> bool:
    """One try under the index lock; False when it must wait for a rebuild elsewhere."""
    index, db = ctx.index, ctx.runtime.db
    done: dict[str, int] = {}

    async def apply(session: mongo.Session) -> None:
        done.clear()
        await search_index.apply(
            db, session, article_id=event.aggregate_id, version=event.aggregate_version,
            snapshot=event.data if domain.decide(None, event_type=event.type, version=0,
                                                 status=event.data.status) == "index" else None,
        )  # fmt: skip
        held = await repo.get_doc(db, event.aggregate_id, session)
        action = domain.decide(
            held["version"] if held else None, event_type=event.type,
            version=event.aggregate_version, status=event.data.status,
        )  # fmt: skip
        if action == "ignore":
            return
        seq = await index.begin(db, session)
        if action == "index":
            doc = domain.doc_of(event.data, version=event.aggregate_version, seq=seq)
        else:
            status = domain.removed_status(event.type, event.data.status)
            doc = domain.tombstone(
                event.aggregate_id, version=event.aggregate_version, status=status, seq=seq
            )
        doc = domain.with_old_slugs(doc, held)
        changed = await index.change(db, session, doc)
        if changed:
            await ctx.runtime.emit(session, RelatedUpdated(
                producer=PRODUCER, aggregate_id="index", aggregate_version=seq,
                correlation_id=event.correlation_id, causation_id=event.event_id,
                data=RelatedUpdatedData(article_ids=changed),
            ))  # fmt: skip
        done["seq"] = seq

    async with index.lock:
        await index.ensure_current(db)
        try:
            applied = await ctx.runtime.once(event, apply)
        except (IndexBusy, StaleIndex):
            await index.restore(db)
            return False
        except BaseException:
            await index.restore(db)
            raise
        if applied and "seq" in done:
            index.committed(done["seq"])
        else:
            await index.restore(db)
        return True


async def related(ctx: Context, *, key: str, limit: int | None) -> RelatedList:
    """The stored list of a published article, by id (one read) or by current or old slug."""
    db = ctx.runtime.db
    doc = await repo.get_list(db, key)
    if doc is None:
        article_id = await repo.id_of_slug(db, key)
        doc = await repo.get_list(db, article_id) if article_id else None
    if doc is None:
        raise not_found("Article", "المقال")
    items = [domain.served_item(i) for i in doc["items"][: limit or ctx.settings.list_size]]
    return RelatedList.model_validate(
        {"article_id": doc["_id"], "items": items, "computed_at": doc.get("computed_at")}
    )


async def start_rebuild(ctx: Context, *, requested_by: str) -> RebuildJob:
    """Start a rebuild in the background, or answer with the one already running."""
    db = ctx.runtime.db
    fresh = utcnow() - timedelta(seconds=ctx.settings.job_stale_s)
    active = await repo.active_jobs(db, fresh)
    if active:
        return job_view(active[0])
    job = jobs.new_job(uuid.uuid4().hex, requested_by)
    await repo.insert_job(db, job)
    ctx.spawn(_run(ctx, job["_id"]))
    return job_view(job)


async def _run(ctx: Context, job_id: str) -> None:
    s = ctx.settings
    try:
        with ctx.metrics.tracking():
            await jobs.run_job(
                runtime=ctx.runtime, index=ctx.index, source=ctx.source(), job_id=job_id,
                lease_s=s.lease_s, heartbeat_s=s.job_heartbeat_s, batch=s.write_batch,
                echo=ctx.metrics.progress,
            )  # fmt: skip
    except Exception:  # noqa: BLE001 - recorded on the job by run_job
        return


async def rebuild_job(ctx: Context, *, job_id: str) -> RebuildJob:
    """A job's status; a job whose runner stopped beating is reported as failed."""
    db = ctx.runtime.db
    job = await repo.get_job(db, job_id)
    if job is None:
        raise not_found("Rebuild job", "مهمة إعادة البناء")
    stale = utcnow() - timedelta(seconds=ctx.settings.job_stale_s)
    if job["status"] in ("queued", "running") and job["heartbeat_at"] < stale:
        fields = {
            "status": "failed",
            "error": "interrupted: the runner stopped",
            "finished_at": utcnow(),
        }
        await repo.update_job(db, job_id, fields)
        job.update(fields)
    return job_view(job)


def job_view(job: dict[str, Any]) -> RebuildJob:
    fields = {k: v for k, v in job.items() if k in RebuildJob.model_fields}
    return RebuildJob(job_id=job["_id"], **fields)
