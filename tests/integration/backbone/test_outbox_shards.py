"""The sharded outbox counter: writers on different shards commit side by side, a transaction
that starts after others committed numbers after them, and two writers (two clients, as two
processes) writing the same aggregates still publish each aggregate's versions in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from shared import mongo, outbox, outbox_seq
from shared.embedded import free_port, start_redis
from shared.events import ARTICLES_STREAM
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings
from tests.helpers import eventually
from tests.integration.backbone.test_outbox_order import stream_order, write_versions

AGGREGATES, ROUNDS = 6, 6


@pytest.fixture
async def db(mongo_server, isolation) -> AsyncIterator[mongo.Database]:
    client = mongo.connect(mongo_server.url)
    try:
        yield client[f"seq_{isolation}"]
    finally:
        client.close()


async def _take_in_turn(db: mongo.Database, shards: tuple[int, int]) -> list[list[int]]:
    """Two transactions open at once, each taking numbers on its shard, committed in turn."""
    client = db.client
    async with await client.start_session() as one, await client.start_session() as two:
        one.start_transaction()
        two.start_transaction()
        first = await outbox_seq.take(db, one, 2, shard=shards[0])
        second = await outbox_seq.take(db, two, 2, shard=shards[1])
        await one.commit_transaction()
        await two.commit_transaction()
    return [first, second]


async def _take_alone(db: mongo.Database) -> list[int]:
    async def work(session: mongo.Session) -> list[int]:
        return await outbox_seq.take(db, session, 3)

    return await mongo.transaction(db.client, work)


async def test_overlapping_writers_on_two_shards_do_not_conflict(db):
    await outbox.ensure_indexes(db)
    before = await _take_alone(db)
    first, second = await _take_in_turn(db, (3, 11))  # no WriteConflict: both committed
    after = await _take_alone(db)
    numbers = [*before, *first, *second, *after]
    assert len(set(numbers)) == len(numbers)
    assert max(before) < min(first + second)  # began after `before` committed
    assert max(first + second) < min(after)  # began after both committed
    assert first == sorted(first) and after == sorted(after)


async def test_overlapping_writers_on_one_shard_conflict(db):
    await outbox.ensure_indexes(db)
    with pytest.raises(mongo.PyMongoError) as caught:
        await _take_in_turn(db, (5, 5))
    assert caught.value.has_error_label("TransientTransactionError")


async def test_numbers_grow_past_the_legacy_counter(db):
    await db[outbox_seq.COUNTER].insert_one({"_id": outbox_seq.LEGACY, "n": 1000})
    await outbox.ensure_indexes(db)
    assert min(await _take_alone(db)) > 1000


async def test_two_writers_keep_each_aggregate_in_version_order(infra, isolation):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    fields = {**infra, "redis_url": url, "service_name": "producer", "mongo_db": f"p_{isolation}"}
    one, two = Runtime(ServiceSettings(**fields)), Runtime(ServiceSettings(**fields))
    async with running(one), running(two):  # two clients, two relays; Redis is down for now

        async def life(aggregate: str) -> None:
            for round_ in range(ROUNDS):  # the two writers take turns on each aggregate
                await write_versions((one, two)[round_ % 2], aggregate, 2 * round_ + 1)

        await asyncio.gather(*(life(f"w{index}") for index in range(AGGREGATES)))
        assert await one.relay.pending_count() == AGGREGATES * ROUNDS * 2
        redis = start_redis(port=port)  # the whole backlog drains in seq order
        try:

            async def drained() -> bool:
                return await one.relay.pending_count() == 0

            await eventually(drained, timeout=20)
            order = await stream_order(url, one.settings.stream(ARTICLES_STREAM))
            seqs = [doc["seq"] async for doc in one.db.outbox.find({}).sort("seq", 1)]
        finally:
            await one.stop()
            await two.stop()
            redis.stop()
    assert len(order) == len(set(order)) == AGGREGATES * ROUNDS * 2  # each event once
    for index in range(AGGREGATES):
        versions = [v for a, v in order if a == f"w{index}"]
        assert versions == list(range(1, 2 * ROUNDS + 1))
    assert seqs == sorted(set(seqs)) and all(isinstance(s, int) for s in seqs)


async def test_collections_only_transactions_write_are_made_beforehand(db):
    """SecantusDB hangs a collection's creation while an open transaction creates it by
    writing: such collections are made at start (before any transaction), twice harmlessly."""
    await mongo.ensure_collections(db, "dedup", "flood")
    await mongo.ensure_collections(db, "dedup", "flood")  # another process, later
    assert {"dedup", "flood"} <= set(await db.list_collection_names())
