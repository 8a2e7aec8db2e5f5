"""The outbox relay's loop: a commit wakes it, it backs off while publishing fails, a stop
publishes what is left and frees the lease, and one relay per database publishes."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client import CollectorRegistry

from shared import lease, mongo, outbox
from shared.events import Event
from shared.loops import LoopMetrics
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings
from tests.helpers import eventually
from tests.integration.test_delivery import article_event, write_with_events


async def _pending(db: mongo.Database) -> int:
    return int(await db[outbox.COLLECTION].count_documents({"sent_at": None}))


async def _write(db: mongo.Database, *events: Event) -> None:
    """Outbox documents written without waking any relay."""

    async def work(session: mongo.Session) -> None:
        await outbox.add(db, session, *events)

    await mongo.transaction(db.client, work)


class Published:
    def __init__(self, failing: bool = False) -> None:
        self.ids: list[str] = []
        self.calls = 0
        self.failing = failing

    async def __call__(self, batch: list[tuple[str, Event]]) -> None:
        self.calls += 1
        if self.failing:
            raise ConnectionError("redis is down")
        self.ids.extend(event.event_id for _, event in batch)


async def test_a_commit_wakes_the_relay_before_its_poll(infra, isolation):
    fields = {**infra, "service_name": "producer", "mongo_db": f"p_{isolation}"}
    settings = ServiceSettings(**{**fields, "relay_interval_s": 60})
    runtime = Runtime(settings)
    async with running(runtime):
        await asyncio.sleep(0.2)  # the relay's first round is done: it now waits 60 s
        await write_with_events(runtime, article_event("woken"))
        await eventually(lambda: _is(_pending(runtime.db), 0), timeout=3)


async def test_stop_publishes_what_is_left_and_frees_the_lease(mongo_server, isolation):
    client = mongo.connect(mongo_server.url)
    db = client[f"relay_{isolation}"]
    await outbox.ensure_indexes(db)
    published = Published()
    relay = outbox.Relay(db, published, interval_s=60)
    try:
        relay.start()
        await asyncio.sleep(0.2)  # first round done; the next is a minute away
        events = [article_event("left", 1), article_event("left", 2)]
        await _write(db, *events)
        await relay.stop()
        assert published.ids == [e.event_id for e in events]
        assert await _pending(db) == 0
        held = await lease.holder(db, "relay", collection=outbox.LEASES)
        assert held is not None and held["owner"] is None
        assert not relay.running
    finally:
        client.close()


async def test_a_failing_publish_backs_off_and_is_counted(mongo_server, isolation):
    client = mongo.connect(mongo_server.url)
    db = client[f"relay_{isolation}"]
    await outbox.ensure_indexes(db)
    await _write(db, article_event("stuck"))
    registry = CollectorRegistry()
    failing = Published(failing=True)
    relay = outbox.Relay(db, failing, interval_s=0.05, metrics=LoopMetrics(registry))
    try:
        relay.start()
        for _ in range(10):
            await asyncio.sleep(0.08)
            relay.notify()  # writes keep coming: they must not hasten the retries
        # 0.8 s at a 0.05 s poll would be ~16 tries; backing off (0.1, 0.2, 0.4 s) makes ~4
        assert 2 <= failing.calls <= 6
        assert relay.failures >= 2
        failed = registry.get_sample_value("akhbar_loop_failures_total", {"loop": "outbox-relay"})
        assert failed == failing.calls
        assert await _pending(db) == 1  # still there for the next round
    finally:
        await relay.stop()
        client.close()


async def test_one_relay_per_database_publishes(mongo_server, isolation):
    client = mongo.connect(mongo_server.url)
    db = client[f"relay_{isolation}"]
    await outbox.ensure_indexes(db)
    first, second = Published(), Published()
    holder = outbox.Relay(db, first, interval_s=60)
    other = outbox.Relay(db, second)
    try:
        holder.start()
        await _write(db, article_event("one"))
        holder.notify()
        await eventually(lambda: _is(_pending(db), 0), timeout=3)
        await _write(db, article_event("two"))
        assert await other.publish_pending() == 0  # the lease is the first relay's
        assert await _pending(db) == 1
        await holder.stop()  # publishes "two" and frees the lease
        await _write(db, article_event("three"))
        assert await other.publish_pending() == 1
        assert len(first.ids) == 2 and len(second.ids) == 1
    finally:
        await other.stop()
        client.close()


async def _is(value: Any, expected: int) -> bool:
    return await value == expected


async def test_a_batch_cut_short_marks_what_went_before_the_failed_xadd(mongo_server, isolation):
    client = mongo.connect(mongo_server.url)
    db = client[f"relay_{isolation}"]
    await outbox.ensure_indexes(db)
    events = [article_event("cut", version) for version in (1, 2, 3)]
    await _write(db, *events)
    seen: list[str] = []

    async def second_fails(batch: list[tuple[str, Event]]) -> None:
        seen.extend(event.event_id for _, event in batch)
        raise outbox.PartlyPublished(1, ConnectionError("OOM command not allowed"))

    relay = outbox.Relay(db, second_fails, interval_s=60)
    try:
        try:
            await relay.publish_pending()
        except ConnectionError:
            pass
        else:
            raise AssertionError("the XADD's error must reach the loop (backoff)")
        assert seen == [e.event_id for e in events]
        pending = [d["_id"] async for d in db[outbox.COLLECTION].find({"sent_at": None})]
        assert sorted(pending) == sorted(e.event_id for e in events[1:])  # the first is sent
    finally:
        client.close()


async def test_a_pipelined_batch_reports_how_many_went_before_a_failed_xadd(infra, isolation):
    fields = {**infra, "service_name": "producer", "mongo_db": f"p_{isolation}"}
    settings = ServiceSettings(**fields)
    runtime = Runtime(settings)
    async with running(runtime):
        await runtime.redis.set(settings.stream("not-a-stream"), "a string")  # XADD: WRONGTYPE
        batch = [
            ("articles.events", article_event("pipe", 1)),
            ("not-a-stream", article_event("pipe", 2)),
            ("articles.events", article_event("pipe", 3)),
        ]
        try:
            await runtime.publish_batch(batch)
        except outbox.PartlyPublished as partly:
            assert partly.count == 1
            assert "WRONGTYPE" in str(partly.error)
        else:
            raise AssertionError("a failed XADD must be reported")
