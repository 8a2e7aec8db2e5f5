"""Transactional outbox: events are written with their entity and published by a relay.

Order: every transaction that writes outbox documents increments one per-database counter
document (`outbox_seq`) and numbers its events from it. Two such transactions write the same
document, so they conflict and one retries after the other committed: `seq` is a gap-tolerant
scalar in commit order. When the relay reads seq n, every lower number that will ever commit
has committed. One relay per database (a fenced lease) publishes in `seq` order, so a stream
receives each database's events in commit order, hence each aggregate's in version order.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from shared import failpoints, mongo
from shared.events import Event, stream_for, utcnow
from shared.lease import Lease
from shared.loops import Loop, LoopMetrics

log = logging.getLogger("akhbar.outbox")

COLLECTION = "outbox"
COUNTER = "outbox_seq"
LEASES = "outbox_lease"


async def ensure_indexes(db: mongo.Database) -> None:
    await db[COLLECTION].create_indexes(
        [
            mongo.IndexModel([("sent_at", mongo.ASCENDING), ("seq", mongo.ASCENDING)]),
            mongo.IndexModel([("created_at", mongo.ASCENDING)]),
        ]
    )
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
            (seq,) = await _take(db, session, 1)
            await db[COLLECTION].update_one(
                {"_id": doc["_id"]}, {"$set": {"seq": seq}}, session=session
            )

        await mongo.transaction(db.client, renumber)


async def _take(db: mongo.Database, session: mongo.Session, n: int) -> range:
    """The next n numbers of the database's outbox counter, inside the caller's transaction."""
    doc = await db[COUNTER].find_one_and_update(
        {"_id": COLLECTION},
        {"$inc": {"n": n}},
        upsert=True,
        return_document=mongo.ReturnDocument.AFTER,
        session=session,
    )
    last = int(doc["n"])
    return range(last - n + 1, last + 1)


async def add(db: mongo.Database, session: mongo.Session, *events: Event) -> None:
    """Record events inside the caller's transaction; they are published after commit."""
    if not events:
        return
    now = utcnow()
    numbers = await _take(db, session, len(events))
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


class Relay:
    """Publishes pending outbox documents in order, retrying with backoff while Redis is down.

    A background `Loop`: every round publishes what is pending (and now and then purges what
    was sent long ago); `notify()` after a commit starts the next round at once.
    """

    def __init__(
        self,
        db: mongo.Database,
        publish: Callable[[str, Event], Awaitable[None]],
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

        One relay per database publishes (replicas wait for its lease to expire), and it stops
        before an XADD as soon as it cannot be sure it still holds the lease.
        """
        sent = 0
        while await self._lease.acquire():
            cursor = self._db[COLLECTION].find({"sent_at": None}).sort("seq", 1).limit(self._batch)
            docs = await cursor.to_list(self._batch)
            if not docs:
                return sent
            published: list[str] = []
            try:
                for doc in docs:
                    if not self._lease.held:
                        break  # expired mid-batch: take it again (or let the new holder go on)
                    await self._publish(doc["stream"], Event.model_validate(doc["event"]))
                    published.append(doc["_id"])
                    failpoints.hit("outbox.after_publish")  # fault tests: XADD, not marked
            finally:  # one write marks the batch; a crash before it re-publishes (inbox dedups)
                if published:
                    await self._db[COLLECTION].update_many(
                        {"_id": {"$in": published}}, {"$set": {"sent_at": utcnow()}}
                    )
            sent += len(published)
        return sent

    async def pending_count(self) -> int:
        return int(await self._db[COLLECTION].count_documents({"sent_at": None}))

    async def _round(self) -> None:
        await self.publish_pending()
        if self._rounds % 1000 == 0:
            await self._purge_sent()
        self._rounds += 1

    async def _purge_sent(self) -> None:
        cutoff = utcnow() - self._keep_sent
        await self._db[COLLECTION].delete_many({"sent_at": {"$ne": None, "$lt": cutoff}})
