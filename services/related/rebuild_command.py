"""Rebuild the related index from the articles service (a command).

`python -m services.related.rebuild_command [--articles-url URL]` uses MONGO_URL / RELATED_*
settings and RELATED_ARTICLES_URL; shows a progress bar per phase.

Running services keep serving the old lists and reload the new index when it is switched in.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import uuid
from typing import Any

import httpx
from tqdm import tqdm

from services.related.config import Settings
from services.related.context import Context
from services.related.rebuild_jobs import new_job
from shared import outbox
from shared.runtime import Runtime

log = logging.getLogger("akhbar.related.rebuild")


class Bars:
    """One tqdm bar per phase (fetching, indexing, writing)."""

    def __init__(self, disable: bool = False) -> None:
        self.disable = disable
        self.phase: str | None = None
        self.bar: Any = None

    def __call__(self, phase: str, processed: int, total: int | None) -> None:
        if phase != self.phase:
            self.close()
            self.phase = phase
            # disable=None: a bar on a terminal only, never \r lines in a log file
            disable = True if self.disable else None
            self.bar = tqdm(total=total, desc=phase, unit="article", disable=disable)
        if total is not None and self.bar.total != total:
            self.bar.total = total
        self.bar.update(processed - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


async def run(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None, quiet: bool = False
) -> dict[str, Any]:
    """Run one rebuild job against the configured MongoDB and articles service."""
    runtime = Runtime(settings)
    related = Context(runtime=runtime, settings=settings, articles_transport=transport)
    bars = Bars(disable=quiet)
    try:
        await related.repository.ensure_indexes()
        await related.jobs.ensure_indexes()
        await outbox.ensure_indexes(runtime.db)
        job_id = f"cli-{uuid.uuid4().hex}"
        await related.jobs.insert(new_job(job_id, "command"))
        await related.run_job(job_id, echo=bars)
        return await related.jobs.get(job_id) or {}
    finally:
        bars.close()
        await _close(runtime)


async def _close(runtime: Runtime) -> None:
    try:
        await runtime.redis.aclose()
    except Exception as exc:  # noqa: BLE001 - the command is done; only its exit is left
        log.warning("closing the Redis connection failed: %s", type(exc).__name__)
    runtime.client.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--articles-url", help="default: RELATED_ARTICLES_URL")
    args = parser.parse_args(argv)
    settings = Settings()
    if args.articles_url:
        settings = settings.model_copy(update={"articles_url": args.articles_url})
    job = asyncio.run(run(settings))
    print(f"rebuild {job.get('_id')}: {job.get('status')} {job.get('result')}")


if __name__ == "__main__":
    main()
