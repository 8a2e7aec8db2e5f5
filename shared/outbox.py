"""Transactional outbox: events are written with their entity and published by a relay.

Order: every event gets a scalar `seq` from the database's sharded outbox counter
(shared/outbox_seq.py): unique, and larger than every number committed before its transaction
started, so two transactions that do not overlap in time are numbered in commit order, and each
aggregate's events (whose transactions conflict on the aggregate's document) in version order.
Concurrent transactions on different counter shards do not conflict, and may be numbered in
either order. One relay per database (a fenced lease) publishes pending documents in `seq`
order, so a stream receives each aggregate's events in version order, and two events in commit
order whenever the second's transaction began after the first committed.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from shared import failpoints, mongo, outbox_seq
from shared.events import Event, stream_for, utcnow
from shared.lease import Lease
from shared.loops import Loop, LoopMetrics

log = logging.getLogger("akhbar.outbox")

COLLECTION = "outbox"
LEASES = "outbox_lease"


async def ensure_indexes(db: mongo.Database) -> None:
    await db[COLLECTION].create_indexes(
        [
            mongo.IndexModel([("sent_at", mongo.ASCENDING), ("seq", mongo.ASCENDING)]),
            mongo.IndexModel([("created_at", mongo.ASCENDING)]),
        ]
    )
    await outbox_seq.ensure_shards(db)
    await _renumber_legacy(db)


async def _renumber_legacy(db: mongo.Database) -> None:
    """Pending documents written with the old `(timestamp, index)` seq get scalar numbers."""
    legacy = [
        doc
        async for doc in db[COLLECTION].find({"sent_at": None}, {"seq": 1, "created_at": 1})
        if isinstance(doc.get("seq"), list)
    ]
    legacy.sort(key=lambda d: tuple(d["seq"]))
    for doc in legacy:

        async def renumber(session: mongo.Session, doc: dict[str, Any] = doc) -> None:
            (seq,) = await outbox_seq.take(db, session, 1)
            await db[COLLECTION].update_one(
                {"_id": doc["_id"]}, {"$set": {"seq": seq}}, session=session
            )

        await mongo.transaction(db.client, renumber)


async def add(db: mongo.Database, session: mongo.Session, *events: Event) -> None:
    """Record events inside the caller's transaction; they are published after commit."""
    if not events:
        return
    now = utcnow()
    numbers = await outbox_seq.take(db, session, len(events))
    docs = [
        {
            "_id": event.event_id,
            "seq": seq,
            "stream": stream_for(event),
            "type": event.type,
            "event": event.model_dump(mode="json"),
            "created_at": now,
            "sent_at": None,
        }
        for seq, event in zip(numbers, events, strict=True)
    ]
    await db[COLLECTION].insert_many(docs, session=session)


async def backlog(db: mongo.Database) -> tuple[int, float]:
    """How many documents wait to be published and the age in seconds of the oldest."""
    pending = db[COLLECTION]
    count = int(await pending.count_documents({"sent_at": None}))
    oldest = await pending.find_one({"sent_at": None}, sort=[("seq", 1)])
    age = (utcnow() - oldest["created_at"]).total_seconds() if oldest else 0.0
    return count, max(age, 0.0)


async def replay_since(db: mongo.Database, since: datetime) -> int:
    """Mark every document written since `since` (sent or not) for publishing again.

    Used when Redis lost its data: consumers' inboxes make the second delivery harmless.
    Documents keep their seq, so the relay republishes them in their original order.
    """
    result = await db[COLLECTION].update_many(
        {"created_at": {"$gte": since}}, {"$set": {"sent_at": None}}
    )
    return int(result.matched_count)


Batch = list[tuple[str, Event]]


class PartlyPublished(Exception):
    """The first `count` events of a batch were published, then `error` stopped the rest."""

    def __init__(self, count: int, error: BaseException) -> None:
        super().__init__(f"{count} published, then {type(error).__name__}: {error}")
        self.count, self.error = count, error


async def pipelined(
    redis: Any, batch: Batch, publish: Callable[[str, Event, Any], Awaitable[None]]
) -> None:
    """XADD a batch in order in one round trip to Redis (`publish` queues each event on the
    pipeline). An XADD that fails raises `PartlyPublished` with how many went before it."""
    async with redis.pipeline(transaction=False) as pipe:
        for stream, event in batch:
            await publish(stream, event, pipe)
        results = await pipe.execute(raise_on_error=False)
    for index, result in enumerate(results):
        if isinstance(result, Exception):
            raise PartlyPublished(index, result)


class Relay:
    """Publishes pending outbox documents in order, retrying with backoff while Redis is down.

    A background `Loop`: every round publishes what is pending (and now and then purges what
    was sent long ago); `notify()` after a commit starts the next round at once. `publish`
    XADDs a batch in order (one round trip to Redis: a pipeline).
    """

    def __init__(
        self,
        db: mongo.Database,
        publish: Callable[[Batch], Awaitable[None]],
        *,
        interval_s: float = 0.5,
        max_backoff_s: float = 10.0,
        batch: int = 100,
        keep_sent: timedelta = timedelta(days=7),
        lease: timedelta = timedelta(seconds=10),
        metrics: LoopMetrics | None = None,
    ) -> None:
        self._db = db
        self._publish = publish
        self._batch = batch
        self._keep_sent = keep_sent
        self._lease = Lease(db, "relay", uuid.uuid4().hex, lease.total_seconds(), collection=LEASES)
        self._interval_s = interval_s
        self._refused_at = -interval_s  # when another holder last kept the lease from us
        self._rounds = 0
        self._started = False
        self._loop = Loop(
            "outbox-relay",
            self._round,
            interval=interval_s,
            max_backoff=max_backoff_s,
            metrics=metrics,
            logger=log,
        )

    def notify(self) -> None:
        """Wake the relay now (called after a write commits) instead of waiting for the poll."""
        self._loop.wake()

    @property
    def running(self) -> bool:
        return self._loop.running

    @property
    def failures(self) -> int:
        """Rounds failed in a row (0 once a round publishes again)."""
        return self._loop.failures

    def start(self) -> None:
        self._started = True
        self._loop.start()

    async def stop(self) -> None:
        if not self._started:  # never started, or stopped already
            return
        self._started = False
        await self._loop.stop()
        # A last attempt so a clean shutdown leaves nothing pending when Redis is up.
        try:
            await self.publish_pending()
            await self._lease.release()
        except Exception as exc:  # noqa: BLE001 - the next start publishes what is left
            log.warning("outbox: pending events left for the next start (%s: %s)",
                        type(exc).__name__, exc)  # fmt: skip

    async def publish_pending(self) -> int:
        """Publish every pending document in seq order while holding the relay lease.

        One relay per database publishes (replicas wait for its lease to expire), and it does
        not XADD a batch unless it is sure it still holds the lease: the lease is renewed
        before a batch once a third of its time is gone, so a batch starts with at least two
        thirds of it left. A short batch was everything pending: the round ends without
        asking again (a commit made meanwhile wakes the next round).
        """
        sent = 0
        while await self._hold():
            cursor = self._db[COLLECTION].find({"sent_at": None}).sort("seq", 1).limit(self._batch)
            docs = await cursor.to_list(self._batch)
            if docs and self._lease.held:
                sent += await self._publish_batch(docs)
            if len(docs) < self._batch:
                return sent
        return sent

    async def _publish_batch(self, docs: list[dict[str, Any]]) -> int:
        """XADD the batch, then mark what was published in one write; a crash before it
        re-publishes them (consumers' inboxes dedup). When an XADD fails, the ones before it
        are marked and the error is raised (the ones after it, if Redis took them, go again)."""
        try:
            await self._publish([(d["stream"], Event.model_validate(d["event"])) for d in docs])
            count, error = len(docs), None
        except PartlyPublished as partly:
            count, error = partly.count, partly.error
        failpoints.hit("outbox.after_publish")  # fault tests: XADD, not marked
        if count:
            await self._db[COLLECTION].update_many(
                {"_id": {"$in": [d["_id"] for d in docs[:count]]}}, {"$set": {"sent_at": utcnow()}}
            )
        if error is not None:
            raise error
        return count

    async def _hold(self) -> bool:
        """Hold the lease, renewing it only once a third of its time is gone."""
        lease = self._lease
        if lease.held and lease.until is not None:
            if (lease.until - utcnow()).total_seconds() > lease.ttl_s * 2 / 3:
                return True
        if await lease.acquire():
            return True
        self._refused_at = time.monotonic()
        return False

    async def pending_count(self) -> int:
        return int(await self._db[COLLECTION].count_documents({"sent_at": None}))

    async def _round(self) -> None:
        # Kept out by a live holder: a commit here does not make us ask again before the poll.
        if not self._lease.held and time.monotonic() - self._refused_at < self._interval_s:
            return
        await self.publish_pending()
        if self._rounds % 1000 == 0:
            await self._purge_sent()
        self._rounds += 1

    async def _purge_sent(self) -> None:
        cutoff = utcnow() - self._keep_sent
        await self._db[COLLECTION].delete_many({"sent_at": {"$ne": None, "$lt": cutoff}})
