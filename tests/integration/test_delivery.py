"""Delivery guarantees of the shared backbone, against a real MongoDB-wire server and Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable

import pytest
from redis.asyncio import Redis

from shared.broker import decode_entry
from shared.embedded import free_port, start_redis
from shared.events import (
    ARTICLES_STREAM,
    ArticlePublished,
    ArticleSnapshot,
    Event,
    dlq_stream,
)
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings
from tests.helpers import eventually


def article_event(article_id: str = "a1", version: int = 1) -> ArticlePublished:
    snapshot = ArticleSnapshot(
        id=article_id, slug=article_id, title="عنوان", status="published", version=version
    )
    return ArticlePublished(
        producer="articles", aggregate_id=article_id, aggregate_version=version, data=snapshot
    )


@contextlib.asynccontextmanager
async def service(
    infra: dict[str, object], isolation: str, name: str, **overrides: object
) -> AsyncIterator[Runtime]:
    settings = ServiceSettings(
        **{**infra, "service_name": name, "mongo_db": f"{name}_{isolation}", **overrides}
    )
    runtime = Runtime(settings)
    yield runtime


async def write_with_events(runtime: Runtime, *events: Event) -> None:
    async def work(session):  # type: ignore[no-untyped-def]
        await runtime.db.entities.insert_one({"_id": events[0].aggregate_id}, session=session)
        await runtime.emit(session, *events)

    await runtime.commit(work)


async def counting_consumer(runtime: Runtime, fail: bool = False) -> None:
    async def handle(event: Event) -> None:
        if fail:
            raise RuntimeError("handler is broken")

        async def apply(session):  # type: ignore[no-untyped-def]
            await runtime.db.effects.update_one(
                {"_id": event.aggregate_id}, {"$inc": {"n": 1}}, upsert=True, session=session
            )

        await runtime.once(event, apply)

    runtime.consume(ARTICLES_STREAM, handle)


async def effect_count(runtime: Runtime, aggregate_id: str) -> int:
    doc = await runtime.db.effects.find_one({"_id": aggregate_id})
    return int(doc["n"]) if doc else 0


async def test_event_written_with_entity_is_published_after_redis_comes_back(infra, isolation):
    port = free_port()
    redis = start_redis(port=port)
    redis.stop()  # Redis is down when the write happens
    async with (
        service(
            {**infra, "redis_url": f"redis://127.0.0.1:{port}/0"}, isolation, "producer"
        ) as producer,
        running(producer),
    ):
        await write_with_events(producer, article_event("down-1"))
        assert await producer.db.entities.count_documents({}) == 1  # the API write did not fail
        await asyncio.sleep(0.5)
        assert await producer.relay.pending_count() == 1
        redis = start_redis(port=port)
        try:
            await eventually(lambda: _is_zero(producer.relay.pending_count()))
            client = Redis.from_url(f"redis://127.0.0.1:{port}/0")
            entries = await client.xrange(producer.settings.stream(ARTICLES_STREAM))
            assert len(entries) == 1
            assert decode_entry(entries[0][1])["aggregate_id"] == "down-1"
            await client.aclose()
        finally:
            await producer.stop()  # before the server goes away
            redis.stop()


async def _is_zero(value: Awaitable[int]) -> bool:
    return await value == 0


async def test_redelivered_event_has_one_effect(infra, isolation):
    async with (
        service(infra, isolation, "producer") as producer,
        service(infra, isolation, "consumer") as consumer,
    ):
        await counting_consumer(consumer)
        async with running(producer), running(consumer):
            event = article_event("dup")
            await producer.publish(ARTICLES_STREAM, event)
            await producer.publish(ARTICLES_STREAM, event)  # the same event_id again
            await producer.publish(ARTICLES_STREAM, article_event("other"))
            await eventually(lambda: _equals(effect_count(consumer, "other"), 1))
            await asyncio.sleep(0.3)
            assert await effect_count(consumer, "dup") == 1
            assert await consumer.db.processed_events.count_documents({}) == 2


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def test_failing_handler_lands_in_dlq_after_n_deliveries_and_is_acked(infra, isolation):
    async with (
        service(infra, isolation, "producer") as producer,
        service(infra, isolation, "broken", max_deliveries=3) as consumer,
    ):
        await counting_consumer(consumer, fail=True)
        async with running(producer), running(consumer):
            await producer.publish(ARTICLES_STREAM, article_event("poison"))
            stream = consumer.settings.stream(ARTICLES_STREAM)

            async def dead_lettered() -> bool:
                return await consumer.redis.xlen(dlq_stream(stream)) == 1

            await eventually(dead_lettered)
            ((_, fields),) = await consumer.redis.xrange(dlq_stream(stream))
            assert b"handler is broken" in fields[b"error"]
            assert fields[b"deliveries"] == b"3"
            assert json.loads(fields[b"event"])["aggregate_id"] == "poison"
            pending = await consumer.redis.xpending(stream, "broken")
            assert pending["pending"] == 0
            labels = {"stream": stream, "group": "broken", "type": "article.published"}
            metric = consumer.registry.get_sample_value
            assert metric("akhbar_events_dead_lettered_total", labels) == 1
            assert metric("akhbar_events_failed_total", labels) == 3


async def test_unknown_schema_version_goes_to_dlq(infra, isolation):
    async with service(infra, isolation, "consumer") as consumer:
        await counting_consumer(consumer)
        async with running(consumer):
            stream = consumer.settings.stream(ARTICLES_STREAM)
            payload = article_event("future").model_dump(mode="json") | {"schema_version": 2}
            await consumer.broker.publish(payload, stream=stream)

            async def dead_lettered() -> bool:
                return await consumer.redis.xlen(dlq_stream(stream)) == 1

            await eventually(dead_lettered)
            assert await effect_count(consumer, "future") == 0


async def test_group_created_after_publishing_still_receives_earlier_events(infra, isolation):
    async with service(infra, isolation, "producer") as producer, running(producer):
        for index in range(3):
            await write_with_events(producer, article_event(f"early-{index}"))
        await eventually(lambda: _is_zero(producer.relay.pending_count()))
        async with service(infra, isolation, "latecomer") as consumer:
            await counting_consumer(consumer)
            async with running(consumer):
                for index in range(3):
                    await eventually(
                        lambda i=index: _equals(effect_count(consumer, f"early-{i}"), 1)
                    )


async def test_group_lost_by_redis_is_recreated_and_reading_resumes(infra, isolation):
    async with (
        service(infra, isolation, "producer") as producer,
        service(infra, isolation, "consumer") as consumer,
    ):
        await counting_consumer(consumer)
        async with running(producer), running(consumer):
            await producer.publish(ARTICLES_STREAM, article_event("before"))
            await eventually(lambda: _equals(effect_count(consumer, "before"), 1))
            stream = consumer.settings.stream(ARTICLES_STREAM)
            await consumer.redis.delete(stream)  # as if Redis lost its data
            await asyncio.sleep(0.5)
            await producer.publish(ARTICLES_STREAM, article_event("after"))
            await eventually(lambda: _equals(effect_count(consumer, "after"), 1), timeout=15)
            assert await consumer.ready() == {
                "mongo": True,
                "redis": True,
                "consumers": True,
                "outbox_relay": True,
                "groups": True,
            }


async def test_stuck_entry_is_claimed_from_a_dead_consumer(infra, isolation):
    """An entry delivered to a consumer that died before acking is claimed and handled."""
    async with service(infra, isolation, "consumer") as consumer:
        await counting_consumer(consumer)
        stream = consumer.settings.stream(ARTICLES_STREAM)
        await consumer.redis.xgroup_create(stream, "consumer", id="0", mkstream=True)
        payload = json.dumps(article_event("orphan").model_dump(mode="json"))
        await consumer.redis.xadd(stream, {"__data__": payload})
        # a consumer that read it and crashed: the entry sits in its pending list
        await consumer.redis.xreadgroup("consumer", "crashed-replica", {stream: ">"}, count=1)
        async with running(consumer):
            await eventually(lambda: _equals(effect_count(consumer, "orphan"), 1))
            await eventually(lambda: _pending_zero(consumer.redis, stream))


async def _pending_zero(redis: Redis, stream: str) -> bool:
    return (await redis.xpending(stream, "consumer"))["pending"] == 0


@pytest.fixture(autouse=True)
def _quiet_logs(caplog):  # type: ignore[no-untyped-def]
    caplog.set_level("ERROR", logger="akhbar.faststream")


async def test_dead_letter_can_be_listed_and_replayed_once_fixed(infra, isolation):
    from shared import dlq

    broken = {"on": True}
    async with (
        service(infra, isolation, "producer") as producer,
        service(infra, isolation, "flaky", max_deliveries=2) as consumer,
    ):

        async def handle(event: Event) -> None:
            if broken["on"]:
                raise RuntimeError("downstream bug")

            async def apply(session):  # type: ignore[no-untyped-def]
                await consumer.db.effects.update_one(
                    {"_id": event.aggregate_id}, {"$inc": {"n": 1}}, upsert=True, session=session
                )

            await consumer.once(event, apply)

        consumer.consume(ARTICLES_STREAM, handle)
        async with running(producer), running(consumer):
            stream = consumer.settings.stream(ARTICLES_STREAM)
            await producer.publish(ARTICLES_STREAM, article_event("replayed"))

            async def dead() -> bool:
                return len(await dlq.list_entries(consumer.redis, stream)) == 1

            await eventually(dead)
            (entry,) = await dlq.list_entries(consumer.redis, stream)
            assert "downstream bug" in entry["error"] and entry["group"] == "flaky"
            broken["on"] = False
            assert await dlq.replay(consumer.redis, stream) == 1
            await eventually(lambda: _equals(effect_count(consumer, "replayed"), 1))
            assert await dlq.list_entries(consumer.redis, stream) == []


async def test_two_replicas_relays_publish_each_event_once_and_in_order(infra, isolation):
    async with (
        service(infra, isolation, "producer") as one,
        service(infra, isolation, "producer") as two,
    ):
        async with running(one), running(two):
            for index in range(20):
                await write_with_events(one if index % 2 else two, article_event(f"r-{index:02d}"))
            await eventually(lambda: _is_zero(one.relay.pending_count()))
            entries = await one.redis.xrange(one.settings.stream(ARTICLES_STREAM))
            ids = [decode_entry(fields)["aggregate_id"] for _, fields in entries]
            assert ids == [f"r-{index:02d}" for index in range(20)]
