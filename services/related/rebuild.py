"""Rebuild the related index from the articles service: `python -m services.related.rebuild`.

Uses MONGO_URL / RELATED_* settings and RELATED_ARTICLES_URL; shows a progress bar per phase.
Running services keep serving the old lists and reload the new index when it is switched in.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import uuid
from typing import Any

import httpx
from tqdm import tqdm

from services.related import jobs
from services.related import repository as repo
from services.related.config import Settings
from services.related.context import engine_config
from services.related.index import LiveIndex
from services.related.source import ArticlesSource
from shared import outbox
from shared.runtime import Runtime


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
    bars = Bars(disable=quiet)
    try:
        await repo.ensure_indexes(runtime.db)
        await outbox.ensure_indexes(runtime.db)
        job_id = f"cli-{uuid.uuid4().hex}"
        index = LiveIndex(engine_config(settings), job_id, lease_s=settings.lease_s)
        await repo.insert_job(runtime.db, jobs.new_job(job_id, "command"))
        source = ArticlesSource(
            settings.articles_url,
            page_size=settings.articles_page_size,
            timeout_s=settings.articles_timeout_s,
            transport=transport,
        )
        await jobs.run_job(
            runtime=runtime, index=index, source=source, job_id=job_id, lease_s=settings.lease_s,
            heartbeat_s=settings.job_heartbeat_s, batch=settings.write_batch, echo=bars,
        )  # fmt: skip
        return await repo.get_job(runtime.db, job_id) or {}
    finally:
        bars.close()
        with contextlib.suppress(Exception):
            await runtime.redis.aclose()
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
