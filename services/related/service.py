"""Use cases: index an article event, read an article's list, start and follow a rebuild.

Each takes the narrow pieces it uses (the live index, the search index, the inbox's unit of
work, a repository) and plain values; context.py builds them, deps.py hands them to routes.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any, Protocol

from services.related import domain
from services.related.index import IndexBusy, LiveIndex, StaleIndex
from services.related.rebuild_jobs import JobStore, new_job
from services.related.repository import Document
from services.related.schemas import RebuildJob, RelatedList
from shared import inbox, mongo
from shared.errors import not_found
from shared.events import (
    ArticleEvent,
    ArticleSnapshot,
    Event,
    RelatedUpdated,
    RelatedUpdatedData,
    utcnow,
)

PRODUCER = "related"
Session = mongo.Session | None
BUSY_WAIT_S = 0.2


class EventWork(Protocol):
    """Apply an incoming event at most once, with the events it emits (Runtime does)."""

    async def once(self, event: Event, apply: inbox.Apply) -> bool: ...
    async def emit(self, session: mongo.Session, *events: Event) -> None: ...


class SearchWriter(Protocol):
    """The search index's side of an article event (search_index.SearchIndex)."""

    async def apply(
        self, session: Session, *, article_id: str, version: int, snapshot: ArticleSnapshot | None
    ) -> bool: ...


class StatsRefresh(Protocol):
    """Refreshes the frozen statistics (a rebuild) once the corpus outgrew them."""

    def due(self) -> bool: ...
    async def start(self) -> None: ...


class ListReader(Protocol):
    """Stored lists and slugs (repository.IndexRepository)."""

    async def get_list(self, article_id: str) -> Document | None: ...
    async def id_of_slug(self, slug: str) -> str | None: ...


class RebuildLauncher(Protocol):
    """Runs a recorded rebuild job in the background (context.Context)."""

    def launch(self, job_id: str) -> None: ...


async def index_article_event(
    event: ArticleEvent,
    *,
    index: LiveIndex,
    search: SearchWriter,
    work: EventWork,
    refresh: StatsRefresh,
) -> None:
    """Index, re-index or drop the article and rewrite every list that changed, exactly once."""
    while True:
        if await _attempt(event, index=index, search=search, work=work):
            break
        await asyncio.sleep(BUSY_WAIT_S)  # a rebuild holds the lease, or the epoch moved
    if refresh.due():  # idf from a much smaller corpus: refresh it in the background
        await refresh.start()


async def _attempt(
    event: ArticleEvent, *, index: LiveIndex, search: SearchWriter, work: EventWork
) -> bool:
    """One try under the index lock; False when it must wait for a rebuild elsewhere."""
    taken: list[int] = []  # the sequence number the committed change took, if it changed any

    async def apply(session: mongo.Session) -> None:
        taken.clear()
        seq = await _change(event, session, index=index, search=search, work=work)
        taken.extend([] if seq is None else [seq])

    async with index.lock:
        await index.ensure_current()
        try:
            applied = await work.once(event, apply)
        except (IndexBusy, StaleIndex):
            await index.restore()
            return False
        except BaseException:
            await index.restore()
            raise
        if applied and taken:
            index.committed(taken[0])
        else:
            await index.restore()
        return True


async def _change(
    event: ArticleEvent,
    session: mongo.Session,
    *,
    index: LiveIndex,
    search: SearchWriter,
    work: EventWork,
) -> int | None:
    """The event's change inside the inbox transaction; the sequence number it took (None: an
    older or equal version than the one held changes nothing)."""
    data, version = event.data, event.aggregate_version
    publishes = domain.publishes(event.type, data.status)
    await search.apply(
        session, article_id=event.aggregate_id, version=version,
        snapshot=data if publishes else None,
    )  # fmt: skip
    held = await index.held(event.aggregate_id, session)
    action = domain.decide(
        held["version"] if held else None, event_type=event.type, version=version,
        status=data.status,
    )  # fmt: skip
    if action == "ignore":
        return None
    seq = await index.begin(session)
    doc = domain.stored_doc(
        action, event.aggregate_id, event_type=event.type, snapshot=data, version=version,
        seq=seq, held=held,
    )  # fmt: skip
    changed = await index.change(session, doc)
    if changed:
        await work.emit(session, RelatedUpdated(
            producer=PRODUCER, aggregate_id="index", aggregate_version=seq,
            correlation_id=event.correlation_id, causation_id=event.event_id,
            data=RelatedUpdatedData(article_ids=changed),
        ))  # fmt: skip
    return seq


async def related_list(key: str, *, lists: ListReader, limit: int) -> RelatedList:
    """The stored list of a published article, by id (one read) or by current or old slug."""
    doc = await lists.get_list(key)
    if doc is None:
        article_id = await lists.id_of_slug(key)
        doc = await lists.get_list(article_id) if article_id else None
    if doc is None:
        raise not_found("Article", "المقال")
    items = [domain.served_item(i) for i in doc["items"][:limit]]
    return RelatedList.model_validate(
        {"article_id": doc["_id"], "items": items, "computed_at": doc.get("computed_at")}
    )


async def start_rebuild(
    *, jobs: JobStore, launcher: RebuildLauncher, stale_s: float, requested_by: str
) -> RebuildJob:
    """Start a rebuild in the background, or answer with the one already running."""
    active = await jobs.active(utcnow() - timedelta(seconds=stale_s))
    if active:
        return job_view(active[0])
    job = new_job(uuid.uuid4().hex, requested_by)
    await jobs.insert(job)
    launcher.launch(job["_id"])
    return job_view(job)


async def rebuild_job(job_id: str, *, jobs: JobStore, stale_s: float) -> RebuildJob:
    """A job's status; a job whose runner stopped beating is reported as failed."""
    job = await jobs.get(job_id)
    if job is None:
        raise not_found("Rebuild job", "مهمة إعادة البناء")
    stale = utcnow() - timedelta(seconds=stale_s)
    if job["status"] in ("queued", "running") and job["heartbeat_at"] < stale:
        fields = {
            "status": "failed",
            "error": "interrupted: the runner stopped",
            "finished_at": utcnow(),
        }
        await jobs.update(job_id, fields)
        job.update(fields)
    return job_view(job)


def job_view(job: dict[str, Any]) -> RebuildJob:
    fields = {k: v for k, v in job.items() if k in RebuildJob.model_fields}
    return RebuildJob(job_id=job["_id"], **fields)
