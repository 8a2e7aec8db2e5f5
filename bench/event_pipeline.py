"""Event pipeline throughput: outbox -> relay -> Redis -> consumer's committed effect, beside a
raw loop written with redis-py alone, in the same run on the same servers.

Usage: event_pipeline.py [--events 2000] [--json]

Akhbar: N events are written to the producer's outbox (one transaction per event, as the API
does) while its relay is stopped, then the relay and a consumer (FastStream subscriber, inbox
transaction, XACK) start, and the clock runs until the N-th effect is committed.
Raw loop: N XADDs, then one task XREADGROUPs batches and, for each entry, commits the same
MongoDB write (inbox record + effect in a transaction) and XACKs it. Target: Akhbar >= 0.5x.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pymongo import monitoring
from redis.asyncio import Redis

from shared import mongo
from shared.embedded import start_mongo, start_redis
from shared.events import ARTICLES_STREAM, ArticlePublished, ArticleSnapshot, Event
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings

TARGET = 0.5


class CommandCounter(monitoring.CommandListener):
    """Counts database round trips (command monitoring), by command name."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.counts[event.command_name] = self.counts.get(event.command_name, 0) + 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def take(self) -> dict[str, int]:
        counts, self.counts = self.counts, {}
        return counts


COMMANDS = CommandCounter()
monitoring.register(COMMANDS)


def event(i: int) -> ArticlePublished:
    article_id = f"a{i}"
    snapshot = ArticleSnapshot(
        id=article_id, slug=article_id, title="عنوان", status="published", version=1
    )
    return ArticlePublished(
        producer="bench", aggregate_id=article_id, aggregate_version=1, data=snapshot
    )


async def effect(db: mongo.Database, session: mongo.Session, aggregate_id: str) -> None:
    await db.effects.update_one(
        {"_id": aggregate_id}, {"$inc": {"n": 1}}, upsert=True, session=session
    )


async def akhbar(mongo_url: str, redis_url: str, n: int) -> float:
    tag = uuid.uuid4().hex[:8]
    common = {
        "mongo_url": mongo_url,
        "redis_url": redis_url,
        "stream_prefix": f"p{tag}:",
        "relay_interval_s": 0.5,
        "claim_interval_s": 5.0,
        "graceful_timeout_s": 2.0,
    }
    producer = Runtime(ServiceSettings(**common, service_name="producer", mongo_db=f"prod_{tag}"))
    consumer = Runtime(ServiceSettings(**common, service_name="consumer", mongo_db=f"cons_{tag}"))
    done = asyncio.Event()
    applied = 0

    async def handle(received: Event) -> None:
        nonlocal applied

        async def apply(session: mongo.Session) -> None:
            await effect(consumer.db, session, received.aggregate_id)

        if await consumer.once(received, apply):
            applied += 1
            if applied >= n:
                done.set()

    consumer.consume(ARTICLES_STREAM, handle)
    for i in range(n):  # the backlog, written as the API writes: entity + outbox per transaction

        async def write(session: mongo.Session, i: int = i) -> None:
            await producer.db.entities.insert_one({"_id": f"a{i}"}, session=session)
            await producer.emit(session, event(i))

        await mongo.transaction(producer.client, write)
    COMMANDS.take()
    async with running(consumer):
        started = time.perf_counter()
        async with running(producer):
            await asyncio.wait_for(done.wait(), timeout=600)
            seconds = time.perf_counter() - started
    return n / seconds


async def raw(mongo_url: str, redis_url: str, n: int) -> float:
    tag = uuid.uuid4().hex[:8]
    stream, group = f"raw{tag}", "consumer"
    redis = Redis.from_url(redis_url)
    client = mongo.connect(mongo_url)
    db = client[f"raw_{tag}"]
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
        started = time.perf_counter()
        for i in range(n):
            await redis.xadd(stream, {"data": event(i).model_dump_json()}, maxlen=100_000)
        applied = 0
        while applied < n:
            replies = await redis.xreadgroup(group, "c1", {stream: ">"}, count=100, block=1000)
            for _, entries in replies or ():
                for entry_id, fields in entries:
                    received = json.loads(fields[b"data"])

                    async def apply(session: mongo.Session, received: dict = received) -> None:
                        await db.processed_events.insert_one(
                            {"_id": received["event_id"]}, session=session
                        )
                        await effect(db, session, received["aggregate_id"])

                    await mongo.transaction(client, apply)
                    await redis.xack(stream, group, entry_id)
                    applied += 1
        return n / (time.perf_counter() - started)
    finally:
        await redis.aclose()
        client.close()


async def main(args: argparse.Namespace) -> int:
    mongo_server, redis_server = start_mongo(), start_redis()
    try:
        COMMANDS.take()
        raw_rate = await raw(mongo_server.url, redis_server.url, args.events)
        raw_trips = sum(COMMANDS.take().values()) / args.events
        akhbar_rate = await akhbar(mongo_server.url, redis_server.url, args.events)
        akhbar_cmds = COMMANDS.take()
        akhbar_trips = sum(akhbar_cmds.values()) / args.events
    finally:
        redis_server.stop()
        mongo_server.stop()
    ratio = akhbar_rate / raw_rate
    rows = [
        {
            "name": "raw loop (redis-py + same MongoDB write)",
            "events_per_s": round(raw_rate, 1),
            "db_ops_per_event": round(raw_trips, 1),
        },
        {
            "name": "Akhbar (outbox, relay, FastStream, inbox)",
            "events_per_s": round(akhbar_rate, 1),
            "db_ops_per_event": round(akhbar_trips, 1),
            "ratio": round(ratio, 2),
            "target": TARGET,
            "met": ratio >= TARGET,
        },
    ]
    print(f"\nevent pipeline, {args.events} events (outbox -> Redis -> committed effect)")
    print(f"{'system':44} {'events/s':>9} {'db ops/event':>12} {'ratio':>6} {'target':>7}  met")
    for row in rows:
        target = f"{TARGET:.1f}x" if "target" in row else ""
        met = ("yes" if row["met"] else "no") if "met" in row else ""
        print(
            f"{row['name']:44} {row['events_per_s']:9.1f} {row['db_ops_per_event']:12.1f} "
            f"{row.get('ratio', 1.0):6.2f} {target:>7}  {met}"
        )
    print(f"Akhbar's database commands while draining: {akhbar_cmds}")
    if args.json:
        print(json.dumps({"bench": "event_pipeline", "rows": rows}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="also print one JSON object, last")
    sys.exit(asyncio.run(main(parser.parse_args())))
