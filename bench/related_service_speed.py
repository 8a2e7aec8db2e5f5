"""Related service speed: one publish with every affected list updated, MongoDB writes included.

Usage: related_service_speed.py [CORPUS.jsonl.gz] [--n 10000] [--adds 100]

Starts the embedded MongoDB-wire server (SecantusDB), indexes n ANT articles through the
service's own rebuild (fetch, build, bulk writes), then publishes `adds` held-out articles one
at a time through the service's event use case: inbox record, engine upsert, the article's doc,
every changed list and the related.updated outbox row in one transaction. Prints p50/p95 of
that whole step beside the engine's share of it, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from fastapi import FastAPI
from related_quality import DEFAULT_CORPUS, load_corpus

from services.related import service
from services.related.config import Settings
from services.related.context import Context
from services.related.rebuild_jobs import new_job
from services.related.repository import LISTS
from shared import inbox, outbox
from shared.embedded import start_mongo
from shared.events import ArticlePublished, ArticleSnapshot, Block
from shared.runtime import Runtime


def snapshot(doc: dict[str, Any]) -> ArticleSnapshot:
    paragraphs = [p for p in doc["body"].split("\n") if p.strip()] or [doc["body"]]
    return ArticleSnapshot(
        id=doc["id"], slug=doc["id"], title=doc["title"], summary=doc["summary"] or "",
        body=[Block(type="paragraph", text=p) for p in paragraphs], tags=doc["tags"],
        status="published", version=1, published_at=doc["published_at"] or datetime.now(UTC),
    )  # fmt: skip


def listing(snapshots: list[ArticleSnapshot]) -> httpx.ASGITransport:
    """The articles service's internal listing over the first n articles."""
    app = FastAPI()
    by_id = {s.id: s for s in snapshots}
    ids = sorted(by_id)

    @app.get("/internal/articles")
    async def page(limit: int = 500, cursor: str | None = None) -> dict[str, Any]:
        start = ids.index(cursor) if cursor else 0
        chunk = ids[start : start + limit]
        following = ids[start + limit] if start + limit < len(ids) else None
        items = [by_id[i].model_dump(mode="json") for i in chunk]
        return {"items": items, "next_cursor": following, "total": len(ids)}

    return httpx.ASGITransport(app=app)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(corpus: Path, n: int, adds: int) -> None:
    docs = load_corpus(corpus)[: n + adds]
    snaps = [snapshot(d) for d in docs]
    mongo = start_mongo()
    try:
        settings = Settings(mongo_url=mongo.url, redis_url="redis://127.0.0.1:1/0")
        runtime = Runtime(settings)
        settings = settings.model_copy(update={"lease_s": 600, "job_heartbeat_s": 5})
        ctx = Context(runtime=runtime, settings=settings, articles_transport=listing(snaps[:n]))
        await ctx.repository.ensure_indexes()
        await ctx.jobs.ensure_indexes()
        for ensure in (inbox.ensure_indexes, outbox.ensure_indexes):
            await ensure(runtime.db)
        started = time.perf_counter()
        await ctx.jobs.insert(new_job("bench", "bench"))
        await ctx.run_job("bench", echo=None)
        print(f"indexed {n} articles through the rebuild in {time.perf_counter() - started:.1f} s")
        engine_times: list[float] = []
        engine = ctx.index.engine
        real_upsert = engine.upsert

        def timed_upsert(doc: Any) -> set[str]:
            t0 = time.perf_counter()
            try:
                return real_upsert(doc)
            finally:
                engine_times.append(time.perf_counter() - t0)

        engine.upsert = timed_upsert  # type: ignore[method-assign]
        totals: list[float] = []
        for snap in snaps[n:]:
            event = ArticlePublished(
                producer="bench", aggregate_id=snap.id, aggregate_version=1, data=snap
            )
            t0 = time.perf_counter()
            await service.index_article_event(
                event, index=ctx.index, search=ctx.search, work=runtime, refresh=ctx.stats_refresh
            )
            totals.append(time.perf_counter() - t0)
        lists = await runtime.db[LISTS].count_documents({})
        print(f"n={n}, {len(totals)} publishes, {lists} stored lists")
        print(
            f"engine only:        p50 {pct(engine_times, 0.5) * 1000:6.1f} ms"
            f"  p95 {pct(engine_times, 0.95) * 1000:6.1f} ms"
        )
        print(
            f"with MongoDB writes: p50 {pct(totals, 0.5) * 1000:6.1f} ms"
            f"  p95 {pct(totals, 0.95) * 1000:6.1f} ms"
            f"  (x{pct(totals, 0.5) / pct(engine_times, 0.5):.1f} of engine time at p50)"
        )
        runtime.client.close()
    finally:
        mongo.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--adds", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(measure(args.corpus, args.n, args.adds))


if __name__ == "__main__":
    main()
