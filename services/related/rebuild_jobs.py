"""Rebuild jobs: their record, progress reporting with a heartbeat, and running one to its end."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from services.related.rebuild import Progress, Report
from services.related.repository import Document
from shared.events import utcnow
from shared.loops import Loop, LoopMetrics

log = logging.getLogger("akhbar.related.rebuild")


class JobStore(Protocol):
    """Where rebuild jobs are recorded (repository.JobRepository; a fake in unit tests)."""

    async def insert(self, job: Document) -> None: ...
    async def update(self, job_id: str, fields: Document) -> None: ...
    async def get(self, job_id: str) -> Document | None: ...
    async def active(self, fresh_since: datetime) -> list[Document]: ...


def new_job(job_id: str, requested_by: str) -> Document:
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


class Reporter:
    """Writes a job's phase and progress (throttled) and keeps its heartbeat fresh (a Loop)."""

    def __init__(
        self,
        jobs: JobStore,
        job_id: str,
        *,
        every_s: float,
        echo: Progress | None,
        metrics: LoopMetrics | None = None,
    ) -> None:
        self.jobs, self.job_id, self.every_s, self.echo = jobs, job_id, every_s, echo
        self._last = 0.0
        self._state: Document = {}
        # One name for every job: it labels the failure metric (job ids would grow it forever);
        # one rebuild runs at a time, and its own log lines carry the job id.
        self._heartbeat = Loop(
            "related-rebuild-heartbeat", self._beat, interval=every_s, metrics=metrics, logger=log
        )

    async def __aenter__(self) -> Reporter:
        self._heartbeat.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._heartbeat.stop()

    async def _beat(self) -> None:
        await self.jobs.update(self.job_id, {**self._state, "heartbeat_at": utcnow()})

    async def __call__(
        self, phase: str, processed: int, total: int | None, *, force: bool = False
    ) -> None:
        if self.echo:
            self.echo(phase, processed, total)
        self._state = {"status": "running", "phase": phase, "processed": processed, "total": total}
        now = asyncio.get_running_loop().time()
        if force or now - self._last >= self.every_s / 2:
            self._last = now
            await self.jobs.update(self.job_id, {**self._state, "heartbeat_at": utcnow()})


async def run_job(
    jobs: JobStore,
    job_id: str,
    run: Callable[[Report], Awaitable[dict[str, int]]],
    *,
    heartbeat_s: float,
    echo: Progress | None = None,
    metrics: LoopMetrics | None = None,
) -> None:
    """Run one rebuild job (`run` given the job's reporter) to its end, recording success or
    the error on the job; the error goes on to the caller."""
    try:
        reporter = Reporter(jobs, job_id, every_s=heartbeat_s, echo=echo, metrics=metrics)
        async with reporter as report:
            result = await run(report)
        done: dict[str, Any] = {"status": "succeeded", "phase": "done", "result": result}
        await jobs.update(job_id, {**done, "finished_at": utcnow()})
    except BaseException as exc:
        error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
        log.error("rebuild %s failed: %s", job_id, error)
        await _record_failure(jobs, job_id, error or type(exc).__name__)
        raise


async def _record_failure(jobs: JobStore, job_id: str, error: str) -> None:
    failed = {"status": "failed", "finished_at": utcnow(), "error": error}
    try:
        await jobs.update(job_id, failed)
    except Exception as exc:  # noqa: BLE001 - the job's stale heartbeat will tell instead
        log.warning(
            "rebuild %s: its failure could not be recorded (%s); the job is reported failed "
            "once its heartbeat is older than job_stale_s",
            job_id,
            type(exc).__name__,
        )
