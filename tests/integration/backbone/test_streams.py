"""Consumer groups at real scale: atomic DLQ, trimmed entries, lag, slow handlers, cleanup."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from shared import dlq, groups
from shared.events import ARTICLES_STREAM, Event, dlq_stream
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings
from tests.helpers import eventually
from tests.integration.test_delivery import article_event, counting_consumer, effect_count


def runtime(infra: dict[str, object], isolation: str, name: str, **extra: object) -> Runtime:
    fields = {**infra, "service_name": name, "mongo_db": f"{name}_{isolation}", **extra}
    return Runtime(ServiceSettings(**fields))


async def add_entry(rt: Runtime, event: Event) -> str:
    """Publish as the relay does; the new entry's id."""
    await rt.publish(ARTICLES_STREAM, event)
    ((entry_id, _),) = await rt.redis.xrevrange(rt.settings.stream(ARTICLES_STREAM), count=1)
    return str(entry_id.decode())


@contextlib.asynccontextmanager
async def monitor(url: str) -> AsyncIterator[list[str]]:
    """Every command the Redis server runs meanwhile (MONITOR)."""
    seen: list[str] = []
    client = Redis.from_url(url)

    async def watch() -> None:
        async with client.monitor() as commands:
            async for command in commands.listen():
                seen.append(command["command"])

    task = asyncio.create_task(watch())
    await asyncio.sleep(0.2)
    try:
        yield seen
    finally:
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        # The MONITOR connection is still checked out of the pool: close it for real, or the
        # server goes on streaming every later command of the session to it.
        await client.connection_pool.disconnect(inuse_connections=True)
        await client.aclose()


async def test_dead_letter_is_one_transaction_with_the_whole_record(infra, isolation):
    consumer = runtime(infra, isolation, "broken", max_deliveries=2)
    await counting_consumer(consumer, fail=True)
    stream = consumer.settings.stream(ARTICLES_STREAM)
    async with running(consumer), monitor(str(infra["redis_url"])) as seen:
        entry_id = await add_entry(consumer, article_event("poison"))

        async def dead() -> bool:
            return await consumer.redis.xlen(dlq_stream(stream)) == 1

        await eventually(dead)
        await asyncio.sleep(0.1)
        ((_, fields),) = await consumer.redis.xrange(dlq_stream(stream))
    record = {k.decode(): v.decode() for k, v in fields.items()}
    assert record["stream"] == stream and record["group"] == "broken"
    assert record["entry_id"] == entry_id and record["deliveries"] == "2"
    assert record["reason"] == "failed" and "handler is broken" in record["error"]
    assert json.loads(record["event"])["aggregate_id"] == "poison"
    original = json.loads(record["fields_b64"])
    assert b"poison" in base64.b64decode(original["__data__"])
    # XADD to the DLQ and XACK run between MULTI and EXEC: both or neither.
    ours = [c for c in seen if stream in c or c in ("MULTI", "EXEC")]
    add = next(i for i, c in enumerate(ours) if c.startswith("XADD") and ".dlq" in c)
    ack = next(i for i, c in enumerate(ours) if c.startswith("XACK") and entry_id in c)
    assert ours[add - 1] == "MULTI" and ack == add + 1 and ours[ack + 1].startswith("HDEL")
    assert ours[ack + 2] == "EXEC"


async def test_pending_entries_trimmed_away_are_dead_lettered_and_counted(infra, isolation):
    consumer = runtime(infra, isolation, "consumer")
    await counting_consumer(consumer)
    stream = consumer.settings.stream(ARTICLES_STREAM)
    redis = consumer.redis
    await redis.xgroup_create(stream, "consumer", id="0", mkstream=True)
    async with running(runtime(infra, isolation, "producer")) as producer:
        ids = [await add_entry(producer, article_event(f"t{i}")) for i in range(3)]
    # a replica read them and died; then MAXLEN trimmed them away before anyone claimed them
    await redis.xreadgroup("consumer", "dead-replica", {stream: ">"}, count=3)
    await redis.xtrim(stream, maxlen=0)
    async with running(consumer):

        async def recorded() -> bool:
            return await redis.xlen(dlq_stream(stream)) == 3

        await eventually(recorded)
        entries = await dlq.list_entries(redis, stream)
        assert sorted(e["entry_id"] for e in entries) == sorted(ids)
        assert {e["reason"] for e in entries} == {"trimmed"}
        labels = {"stream": stream, "group": "consumer"}
        assert consumer.registry.get_sample_value("akhbar_events_trimmed_total", labels) == 3
        assert (await redis.xpending(stream, "consumer"))["pending"] == 0


async def test_group_lag_and_pending_are_metrics_and_limit_readiness(infra, isolation):
    producer = runtime(infra, isolation, "producer")
    consumer = runtime(infra, isolation, "consumer", ready_max_lag=3)
    gate = asyncio.Event()

    async def stuck(event: Event) -> None:
        await gate.wait()

    consumer.consume(ARTICLES_STREAM, stuck)
    stream = consumer.settings.stream(ARTICLES_STREAM)
    async with running(producer), running(consumer):
        for index in range(8):
            await producer.publish(ARTICLES_STREAM, article_event(f"lag-{index}"))
        labels = {"stream": stream, "group": "consumer"}
        metric = consumer.registry.get_sample_value

        async def lagging() -> bool:
            await consumer.consumers[0].observe()
            return (metric("akhbar_group_lag", labels) or 0) > 3

        await eventually(lagging)
        assert metric("akhbar_group_pending", labels) >= 1
        checks = await consumer.ready()
        assert checks["groups"] is False
        assert "lag" in checks["state"][f"{stream}/consumer"]
        gate.set()

        async def caught_up() -> bool:
            await consumer.consumers[0].observe()
            return (await consumer.ready())["groups"] is True

        await eventually(caught_up, timeout=20)


async def test_slow_handler_keeps_its_entry_across_replicas(infra, isolation):
    """A handler slower than the claim time is neither run twice nor dead-lettered."""
    calls: list[str] = []
    replicas = [runtime(infra, isolation, "slow", max_deliveries=2) for _ in range(2)]
    for replica in replicas:

        async def handle(event: Event, replica: Runtime = replica) -> None:
            calls.append(replica.consumer_name)
            await asyncio.sleep(2.0)  # ~7x the claim min-idle time (300 ms)

            async def apply(session):  # type: ignore[no-untyped-def]
                await replica.db.effects.update_one(
                    {"_id": event.aggregate_id}, {"$inc": {"n": 1}}, upsert=True, session=session
                )

            await replica.once(event, apply)

        replica.consume(ARTICLES_STREAM, handle)
    one, two = replicas
    stream = one.settings.stream(ARTICLES_STREAM)
    async with running(one), running(two):
        await one.publish(ARTICLES_STREAM, article_event("slow"))

        async def applied() -> bool:
            return await effect_count(one, "slow") == 1

        await eventually(applied, timeout=15)
        await asyncio.sleep(1.0)  # claimers had every chance to take it
        assert len(calls) == 1
        assert await one.redis.xlen(dlq_stream(stream)) == 0
        assert (await one.redis.xpending(stream, "slow"))["pending"] == 0


async def test_idle_consumers_without_pending_are_deleted_at_start(infra, isolation):
    consumer = runtime(infra, isolation, "consumer", idle_consumer_s=0.2)
    await counting_consumer(consumer)
    stream = consumer.settings.stream(ARTICLES_STREAM)
    redis = consumer.redis
    await redis.xgroup_create(stream, "consumer", id="0", mkstream=True)
    await redis.xgroup_createconsumer(stream, "consumer", "gone-replica")
    async with running(runtime(infra, isolation, "producer")) as producer:
        await add_entry(producer, article_event("held"))
    await redis.xreadgroup("consumer", "crashed-with-pending", {stream: ">"}, count=1)
    await asyncio.sleep(0.3)
    async with running(consumer):
        names = {c["name"].decode() for c in await redis.xinfo_consumers(stream, "consumer")}
        assert "gone-replica" not in names
        assert "crashed-with-pending" in names  # its entry is claimed, not dropped
        await eventually(lambda: _is(effect_count(consumer, "held"), 1))


async def _is(value, expected) -> bool:  # type: ignore[no-untyped-def]
    return await value == expected


async def test_processed_events_expire_after_the_configured_retention(infra, isolation):
    consumer = runtime(infra, isolation, "consumer", inbox_keep_days=14)
    async with running(consumer):
        info = await consumer.db.processed_events.index_information()
    assert info["processed_at_1"]["expireAfterSeconds"] == 14 * 86400


async def test_group_state_survives_the_last_pending_entry_acked_between_two_reads(
    redis_server, isolation
):
    """XINFO GROUPS counts a pending entry that is acked before XPENDING runs: no crash."""
    redis = Redis.from_url(redis_server.url)
    stream = f"t{isolation}:race"
    entry = await redis.xadd(stream, {"k": "v"})
    await redis.xgroup_create(stream, "g", id="0")
    await redis.xreadgroup("g", "c", {stream: ">"}, count=1)
    read_groups = redis.xinfo_groups

    async def groups_then_ack(name):  # type: ignore[no-untyped-def]
        info = await read_groups(name)
        await redis.xack(stream, "g", entry)  # the handler finishes in between
        return info

    redis.xinfo_groups = groups_then_ack  # type: ignore[method-assign]
    try:
        figures = await groups.state(redis, stream, "g")
    finally:
        await redis.delete(stream)
        await redis.aclose()
    assert figures is not None
    assert figures.oldest_pending_s == 0.0
