"""The outbox publishes in commit order, each aggregate's events in version order (defect 1)."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from shared.broker import decode_entry
from shared.embedded import free_port, start_redis
from shared.events import ARTICLES_STREAM
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings
from tests.helpers import eventually
from tests.integration.test_delivery import article_event

AGGREGATES, ROUNDS = 6, 5  # each round writes two versions of an aggregate in one transaction


async def write_versions(runtime: Runtime, aggregate: str, first: int) -> None:
    async def work(session):  # type: ignore[no-untyped-def]
        await runtime.db.entities.update_one(
            {"_id": aggregate}, {"$set": {"v": first + 1}}, upsert=True, session=session
        )
        await runtime.emit(
            session, article_event(aggregate, first), article_event(aggregate, first + 1)
        )

    await runtime.commit(work)


async def stream_order(redis_url: str, stream: str) -> list[tuple[str, int]]:
    client = Redis.from_url(redis_url)
    try:
        entries = await client.xrange(stream)
    finally:
        await client.aclose()
    return [
        (event["aggregate_id"], event["aggregate_version"])
        for event in (decode_entry(fields) for _, fields in entries)
    ]


async def test_backlog_drains_in_commit_order(infra, isolation):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    settings = ServiceSettings(
        **{**infra, "redis_url": url, "service_name": "producer", "mongo_db": f"p_{isolation}"}
    )
    runtime = Runtime(settings)
    async with running(runtime):  # Redis is down: everything waits in the outbox
        written: list[tuple[str, int]] = []
        for round_ in range(ROUNDS):
            for index in range(AGGREGATES):
                aggregate, first = f"c{index}", 2 * round_ + 1
                await write_versions(runtime, aggregate, first)
                written += [(aggregate, first), (aggregate, first + 1)]
        assert await runtime.relay.pending_count() == len(written)
        redis = start_redis(port=port)
        try:

            async def drained() -> bool:
                return await runtime.relay.pending_count() == 0

            await eventually(drained, timeout=20)
            order = await stream_order(url, settings.stream(ARTICLES_STREAM))
        finally:
            await runtime.stop()
            redis.stop()
    assert order == written  # commit order, hence every aggregate's versions in order


async def test_concurrent_writers_keep_each_aggregate_in_version_order(infra, isolation):
    settings = ServiceSettings(
        **{**infra, "service_name": "producer", "mongo_db": f"p_{isolation}"}
    )
    runtime = Runtime(settings)
    async with running(runtime):

        async def life(aggregate: str) -> None:
            for round_ in range(ROUNDS):
                await write_versions(runtime, aggregate, 2 * round_ + 1)

        await asyncio.gather(*(life(f"w{index}") for index in range(AGGREGATES)))

        async def drained() -> bool:
            return await runtime.relay.pending_count() == 0

        await eventually(drained, timeout=20)
        order = await stream_order(
            settings.redis_url.get_secret_value(), settings.stream(ARTICLES_STREAM)
        )
        seqs = [doc["seq"] async for doc in runtime.db.outbox.find({}).sort("seq", 1)]
    assert len(order) == AGGREGATES * ROUNDS * 2
    for index in range(AGGREGATES):
        versions = [v for a, v in order if a == f"w{index}"]
        assert versions == list(range(1, 2 * ROUNDS + 1))
    assert seqs == sorted(set(seqs)) and all(isinstance(s, int) for s in seqs)
