"""What the use cases share: the runtime, settings, the live index and the articles source."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

import httpx

from services.related import fencing, search_index
from services.related import repository as repo
from services.related.config import Settings
from services.related.engine import EngineConfig
from services.related.index import LiveIndex
from services.related.metrics import RebuildMetrics
from services.related.source import ArticlesSource
from shared.runtime import Runtime

log = logging.getLogger("akhbar.related")
PRODUCER = "related"


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
    )


@dataclass
class Context:
    """One per app; `start()` runs in the lifespan after the runtime opened."""

    runtime: Runtime
    settings: Settings
    articles_transport: httpx.AsyncBaseTransport | None = None
    index: LiveIndex = field(init=False)
    metrics: RebuildMetrics = field(init=False)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    last_auto_rebuild: float = float("-inf")
    search_cache: search_index.PostingsCache = field(default_factory=search_index.PostingsCache)

    def __post_init__(self) -> None:
        self.index = LiveIndex(
            engine_config(self.settings), self.runtime.consumer_name, lease_s=self.settings.lease_s
        )
        self.metrics = RebuildMetrics(self.runtime.registry)
        self.runtime.add_check("index", self.readiness)

    def stats_outgrown(self) -> bool:
        """True when the corpus outgrew the frozen statistics and no refresh ran lately."""
        growth, engine = self.settings.auto_rebuild_growth, self.index.engine
        if not growth or len(engine) < self.settings.auto_rebuild_min_docs:
            return False
        if len(engine) <= engine.stats.n_docs * growth:
            return False
        now = asyncio.get_running_loop().time()
        return now - self.last_auto_rebuild >= self.settings.auto_rebuild_cooldown_s

    def source(self) -> ArticlesSource:
        """The articles service's listing, through the injected transport in tests."""
        return ArticlesSource(
            self.settings.articles_url,
            page_size=self.settings.articles_page_size,
            timeout_s=self.settings.articles_timeout_s,
            transport=self.articles_transport,
        )

    async def start(self) -> None:
        """Indexes now; the engine loads in the background (consumers wait for it)."""
        await repo.ensure_indexes(self.runtime.db)
        self.spawn(self._load())
        self.spawn(self._watch_lease())

    async def _load(self) -> None:
        async with self.index.lock:
            await self.index.ensure_current(self.runtime.db)
            if await search_index.is_empty(self.runtime.db):  # indexed before search existed
                docs = await repo.published_docs(self.runtime.db)
                added = await search_index.backfill(self.runtime.db, docs)
                log.info("search index filled from the related index: %d articles", added)
        log.info("related index loaded: %d articles", len(self.index.engine))

    async def _watch_lease(self) -> None:
        """Take over from a lease holder that stopped renewing (died mid-rebuild) without
        waiting for the next event: the lists are repaired and indexing resumes."""
        while True:
            await asyncio.sleep(max(self.settings.lease_s / 3, 0.2))
            try:
                meta = await repo.get_meta(self.runtime.db)
                if fencing.lease_state(meta) == "expired" and not self.index.lock.locked():
                    log.warning(
                        "index lease holder %s stopped: taking over", meta["lease"]["owner"]
                    )
                    async with self.index.lock:
                        await self.index.ensure_current(self.runtime.db)
            except Exception as exc:  # noqa: BLE001 - MongoDB away: the next round retries
                log.warning("lease watch failed: %s", type(exc).__name__)

    async def readiness(self) -> tuple[bool, str | None]:
        """Not ready while the index loads or a dead holder's lease blocks indexing."""
        if not self.index.loaded:
            return False, "loading the index"
        meta = await repo.get_meta(self.runtime.db)
        lease = meta.get("lease") or {}
        state = fencing.lease_state(meta)
        if state == "expired":
            return False, (
                f"waiting for the index lease: {lease['owner']} stopped renewing it at "
                f"{lease['until'].isoformat()}; taking over"
            )
        if state == "held":
            return True, f"rebuilding: {lease['owner']} holds the index lease (events wait)"
        return True, None

    def spawn(self, coro: object) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.create_task(coro)  # type: ignore[arg-type]
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        task.add_done_callback(_log_failure)
        return task

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


def _log_failure(task: asyncio.Task[None]) -> None:
    """A background task that died says so once (it would otherwise fail silently)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %s failed", task.get_name(), exc_info=task.exception())
