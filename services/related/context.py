"""What one related app holds: repositories, the live and the search index, the rebuild jobs it
runs and its background work. Built in create_app; `start()` / `stop()` run in the lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

import httpx

from services.related import domain, heap, service
from services.related.config import Settings
from services.related.engine import EngineConfig
from services.related.index import LiveIndex
from services.related.metrics import RebuildMetrics
from services.related.rebuild import Progress, Rebuild, Report, rebuild
from services.related.rebuild_jobs import run_job
from services.related.repair import TakeOver
from services.related.repository import IndexRepository, JobRepository
from services.related.schemas import RebuildJob
from services.related.search_index import SearchIndex
from services.related.source import ArticlesSource
from shared.loops import Loop
from shared.runtime import Runtime

log = logging.getLogger("akhbar.related")


def engine_config(settings: Settings) -> EngineConfig:
    """The engine's tunables from the service settings."""
    return EngineConfig(
        k=settings.list_size,
        min_score=settings.min_score,
        duplicate_cosine=settings.duplicate_cosine,
        category_bonus=settings.category_bonus,
        half_life_days=settings.half_life_days,
        reason_terms=settings.reason_terms,
        semantic_weight=settings.semantic_weight,
        semantic_dims=settings.semantic_dims,
        semantic_min_docs=settings.semantic_min_docs,
        topic_clusters=settings.topic_clusters,
        topic_share=settings.topic_share,
        neighbours=settings.neighbours,
        neighbour_weight=settings.neighbour_weight,
    )


class Context:
    """One per app (or per rebuild command): the pieces the use cases are given."""

    def __init__(
        self,
        *,
        runtime: Runtime,
        settings: Settings,
        articles_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.runtime, self.settings = runtime, settings
        self.articles_transport = articles_transport
        self.repository = IndexRepository(runtime.db)
        self.jobs = JobRepository(runtime.db)
        self.search = SearchIndex(runtime.db)
        take_over = TakeOver(self.repository, lease_s=settings.lease_s)
        self.index = LiveIndex(
            engine_config(settings), runtime.consumer_name, self.repository, take_over=take_over
        )
        self.metrics = RebuildMetrics(runtime.registry)
        self.loop_metrics = runtime.loop_metrics
        self.stats_refresh = AutoStatsRefresh(self)
        every = max(settings.lease_s / 3, 0.2)
        self.lease_watch = Loop(
            "related-lease-watch", self._watch_lease, interval=every, max_backoff=every,
            metrics=self.loop_metrics, logger=log,
        )  # fmt: skip
        self._tasks: set[asyncio.Task[None]] = set()
        runtime.add_check("index", self.readiness)

    def source(self) -> ArticlesSource:
        """The articles service's listing, through the injected transport in tests."""
        return ArticlesSource(
            self.settings.articles_url,
            page_size=self.settings.articles_page_size,
            timeout_s=self.settings.articles_timeout_s,
            transport=self.articles_transport,
        )

    # --- rebuild jobs --------------------------------------------------------------------------

    async def start_rebuild(self, requested_by: str) -> RebuildJob:
        """The rebuild use case for the service itself (recovery, statistics refresh)."""
        return await service.start_rebuild(
            jobs=self.jobs, launcher=self, stale_s=self.settings.job_stale_s,
            requested_by=requested_by,
        )  # fmt: skip

    def launch(self, job_id: str) -> None:
        """Run a recorded job in the background (its outcome is on the job and in the log)."""
        self.spawn(self._run_in_background(job_id), name=f"rebuild:{job_id}")

    async def _run_in_background(self, job_id: str) -> None:
        try:
            await self.run_job(job_id, echo=self.metrics.progress)
        except Exception:  # noqa: BLE001 - logged and recorded on the job by run_job
            return

    async def run_job(self, job_id: str, *, echo: Progress | None) -> None:
        """Run one recorded rebuild job to its end (the error, if any, goes on)."""
        s = self.settings

        async def run(report: Report) -> dict[str, int]:
            work = Rebuild(
                self.repository, self.runtime, self.index, report, owner=job_id,
                batch=s.write_batch,
            )  # fmt: skip
            return await rebuild(work, self.source(), lease_s=s.lease_s)

        with self.metrics.tracking():
            await run_job(
                self.jobs, job_id, run, heartbeat_s=s.job_heartbeat_s, echo=echo,
                metrics=self.loop_metrics,
            )  # fmt: skip

    # --- lifecycle -----------------------------------------------------------------------------

    async def prepare(self) -> None:
        """Collections and indexes, before any transaction of this process can run."""
        await self.repository.ensure_indexes()
        await self.jobs.ensure_indexes()

    async def start(self) -> None:
        """The engine loads in the background (consumers wait for it)."""
        self.spawn(self._load(), name="related-load")
        self.lease_watch.start()

    async def _load(self) -> None:
        async with self.index.lock:
            await self.index.ensure_current()
            if await self.search.is_empty():  # indexed before search existed
                docs = await self.repository.published_docs()
                added = await self.search.backfill(docs)
                log.info("search index filled from the related index: %d articles", added)
        log.info("related index loaded: %d articles", len(self.index.engine))

    async def _watch_lease(self) -> None:
        """Take over from a lease holder that stopped renewing (died mid-rebuild) without
        waiting for the next event: the lists are repaired and indexing resumes."""
        meta = await self.repository.get_meta()
        if domain.lease_state(meta) == "expired" and not self.index.lock.locked():
            log.warning("index lease holder %s stopped: taking over", meta["lease"]["owner"])
            async with self.index.lock:
                await self.index.ensure_current()

    async def readiness(self) -> tuple[bool, str | None]:
        """Not ready while the index loads or a dead holder's lease blocks indexing."""
        if not self.index.loaded:
            return False, "loading the index"
        meta = await self.repository.get_meta()
        lease = meta.get("lease") or {}
        state = domain.lease_state(meta)
        if state == "expired":
            return False, (
                f"waiting for the index lease: {lease['owner']} stopped renewing it at "
                f"{lease['until'].isoformat()}; taking over"
            )
        if state == "held":
            return True, f"rebuilding: {lease['owner']} holds the index lease (events wait)"
        return True, None

    def spawn(self, coro: Coroutine[Any, Any, None], *, name: str) -> asyncio.Task[None]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(_log_failure)
        return task

    async def stop(self) -> None:
        """Stop the lease watch, then cancel the background tasks and wait until they ended.

        Their failures were logged when they ended (`_log_failure`); a cancel of `stop()`
        itself goes on to the caller.
        """
        await self.lease_watch.stop()
        pending = set(self._tasks)
        while pending:  # on 3.11 a cancel can be lost inside a client library: cancel again
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=0.5)
        heap.release()


class AutoStatsRefresh:
    """The frozen statistics come from the corpus of the last rebuild: once the corpus outgrew
    them (settings `auto_rebuild_*`), start a rebuild, at most once per cooldown."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.last_started = float("-inf")

    def due(self) -> bool:
        s, engine = self.ctx.settings, self.ctx.index.engine
        outgrown = domain.stats_outgrown(
            len(engine), engine.stats.n_docs,
            growth=s.auto_rebuild_growth, min_docs=s.auto_rebuild_min_docs,
        )  # fmt: skip
        now = asyncio.get_running_loop().time()
        return outgrown and now - self.last_started >= s.auto_rebuild_cooldown_s

    async def start(self) -> None:
        self.last_started = asyncio.get_running_loop().time()
        await self.ctx.start_rebuild("auto:corpus-grew")


def _log_failure(task: asyncio.Task[None]) -> None:
    """A background task that died says so once (it would otherwise fail silently)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %s failed", task.get_name(), exc_info=task.exception())
