"""Publishes scheduled articles when due; safe with any number of replicas running."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from services.articles import domain, repository, tags
from shared import mongo
from shared.runtime import Runtime

log = logging.getLogger("akhbar.articles.scheduler")


async def publish_due(*, runtime: Runtime) -> int:
    """Publish every due article; returns how many this process published.

    Each claim is a conditional update in the same transaction as its outbox event: when two
    replicas race for one article, one transaction conflicts, retries, and finds it no longer
    scheduled, so the article is published — and announced — exactly once.
    """
    published = 0
    while True:

        async def claim(session: mongo.Session) -> dict[str, Any] | None:
            doc = await repository.claim_due(runtime.db, domain.now(), session)
            if doc is not None:
                await tags.apply(runtime.db, None, doc, session)
                await runtime.emit(session, domain.article_event("article.published", doc))
            return doc

        if await runtime.commit(claim) is None:
            return published
        published += 1


class Scheduler:
    """A background loop calling publish_due every `interval_s` seconds."""

    def __init__(self, runtime: Runtime, *, interval_s: float) -> None:
        self._runtime = runtime
        self._interval = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="article-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            while not self._task.done():  # repeated: a cancel can be lost in a wait_for on 3.11
                self._task.cancel()
                await asyncio.wait({self._task}, timeout=0.5)
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                count = await publish_due(runtime=self._runtime)
                if count:
                    log.info("scheduler published %d article(s)", count)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - MongoDB away: next round retries
                log.warning("scheduler round failed: %s", type(exc).__name__)
            await asyncio.sleep(self._interval)
