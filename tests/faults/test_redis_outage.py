"""Redis goes away under running services: nothing is lost, nothing is applied twice."""

from __future__ import annotations

import tempfile
from pathlib import Path

from shared.embedded import free_port, start_redis
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings
from tests.helpers import eventually
from tests.integration.test_delivery import (
    _equals,
    article_event,
    counting_consumer,
    effect_count,
    write_with_events,
)


def runtime_for(infra: dict[str, object], isolation: str, name: str, redis_url: str) -> Runtime:
    fields = {**infra, "redis_url": redis_url, "service_name": name}
    return Runtime(ServiceSettings(**fields, mongo_db=f"{name}_{isolation}"))


async def pair(infra: dict[str, object], isolation: str, port: int) -> tuple[Runtime, Runtime]:
    """A producer and a counting consumer on the Redis at `port`."""
    url = f"redis://127.0.0.1:{port}/0"
    producer = runtime_for(infra, isolation, "producer", url)
    consumer = runtime_for(infra, isolation, "consumer", url)
    await counting_consumer(consumer)
    return producer, consumer


async def test_outage_with_data_kept_loses_nothing(infra, isolation):
    data, port = Path(tempfile.mkdtemp()), free_port()
    redis = start_redis(data, port=port, appendonly=True)
    producer, consumer = await pair(infra, isolation, port)
    try:
        async with running(producer), running(consumer):
            await write_with_events(producer, article_event("before"))
            await eventually(lambda: _equals(effect_count(consumer, "before"), 1))
            redis.stop()
            for index in range(5):  # writes during the outage succeed and wait in the outbox
                await write_with_events(producer, article_event(f"during-{index}"))
            redis = start_redis(data, port=port, appendonly=True)
            for index in range(5):
                await eventually(
                    lambda i=index: _equals(effect_count(consumer, f"during-{i}"), 1), timeout=30
                )
            assert await effect_count(consumer, "before") == 1
    finally:
        redis.stop()


async def test_outage_that_wipes_redis_recreates_groups_and_continues(infra, isolation):
    port = free_port()
    redis = start_redis(port=port)
    producer, consumer = await pair(infra, isolation, port)
    try:
        async with running(producer), running(consumer):
            await write_with_events(producer, article_event("first"))
            await eventually(lambda: _equals(effect_count(consumer, "first"), 1))
            redis.stop()
            redis = start_redis(port=port)  # empty: streams and groups are gone
            await write_with_events(producer, article_event("second"))
            await eventually(lambda: _equals(effect_count(consumer, "second"), 1), timeout=30)
    finally:
        redis.stop()
