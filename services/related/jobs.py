"""Rebuild jobs: their record, progress reporting with a heartbeat, and running one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import Callable
from typing import Any

from services.related import rebuilder
from services.related import repository as repo
from services.related.index import LiveIndex
from services.related.source import ArticlesSource
from shared import mongo
from shared.events import utcnow
from shared.runtime import Runtime

log = logging.getLogger("akhbar.related.rebuild")
Progress = Callable[[str, int, int | None], None]  # phase, processed, total


class Reporter:
    """Writes a job's phase and progress (throttled) and keeps its heartbeat fresh."""

    def __init__(
        self, db: mongo.Database, job_id: str, *, every_s: float, echo: Progress | None
    ) -> None:
        self.db, self.job_id, self.every_s, self.echo = db, job_id, every_s, echo
        self._last = 0.0
        self._state: dict[str, Any] = {}
        self._beat: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Reporter:
        self._beat = asyncio.create_task(self._heartbeat())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._beat:
            self._beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beat

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            with contextlib.suppress(Exception):
                fields = {**self._state, "heartbeat_at": utcnow()}
                await repo.update_job(self.db, self.job_id, fields)

    async def __call__(
        self, phase: str, processed: int, total: int | None, *, force: bool = False
    ) -> None:
        if self.echo:
            self.echo(phase, processed, total)
        self._state = {"status": "running", "phase": phase, "processed": processed, "total": total}
        now = asyncio.get_running_loop().time()
        if force or now - self._last >= self.every_s / 2:
            self._last = now
            await repo.update_job(self.db, self.job_id, {**self._state, "heartbeat_at": utcnow()})


def new_job(job_id: str, requested_by: str) -> dict[str, Any]:
    now = utcnow()
    return {
        "_id": job_id,
        "status": "queued",
        "phase": "queued",
        "processed": 0,
        "total": None,
        "started_at": now,
        "finished_at": None,
        "heartbeat_at": now,
        "error": None,
        "requested_by": requested_by,
        "result": None,
    }


async def run_job(
    *,
    runtime: Runtime,
    index: LiveIndex,
    source: ArticlesSource,
    job_id: str,
    lease_s: float,
    heartbeat_s: float,
    batch: int,
    echo: Progress | None = None,
) -> None:
    """Run one rebuild job to completion, recording success or the error on the job."""
    db = runtime.db
    try:
        async with Reporter(db, job_id, every_s=heartbeat_s, echo=echo) as report:
            result = await rebuilder.rebuild(
                runtime=runtime,
                index=index,
                source=source,
                report=report,
                owner=job_id,
                lease_s=lease_s,
                batch=batch,
            )
        await repo.update_job(
            db,
            job_id,
            {"status": "succeeded", "phase": "done", "finished_at": utcnow(), "result": result},
        )
    except BaseException as exc:
        error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        log.error("rebuild %s failed: %s", job_id, error)
        with contextlib.suppress(Exception):
            await repo.update_job(
                db,
                job_id,
                {"status": "failed", "finished_at": utcnow(), "error": error or type(exc).__name__},
            )
        raise
