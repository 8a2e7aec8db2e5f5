"""Transactional outbox: events are written with their entity and published by a relay."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from shared import failpoints, mongo
from shared.events import Event, stream_for, utcnow

log = logging.getLogger("akhbar.outbox")

COLLECTION = "outbox"
LEASES = "outbox_lease"


async def ensure_indexes(db: mongo.Database) -> None:
    await db[COLLECTION].create_indexes(
        [mongo.IndexModel([("sent_at", mongo.ASCENDING), ("seq", mongo.ASCENDING)])]
    )


async def add(db: mongo.Database, session: mongo.Session, *events: Event) -> None:
    """Record events inside the caller's transaction; they are published after commit."""
    if not events:
        return
    now = utcnow()
    docs = [
        {
            "_id": event.event_id,
            "seq": (now.timestamp(), index),
            "stream": stream_for(event),
            "type": event.type,
            "event": event.model_dump(mode="json"),
            "created_at": now,
            "sent_at": None,
            "attempts": 0,
        }
        for index, event in enumerate(events)
    ]
    await db[COLLECTION].insert_many(docs, session=session)


class Relay:
    """Publishes pending outbox documents in order, retrying with backoff while Redis is down."""

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
    ) -> None:
        self._db = db
        self._publish = publish
        self._interval = interval_s
        self._max_backoff = max_backoff_s
        self._batch = batch
        self._keep_sent = keep_sent
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._lease = lease
        self._owner = uuid.uuid4().hex
        self.failures = 0

    def notify(self) -> None:
        """Wake the relay now (called after a write commits) instead of waiting for the poll."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task is None:
            return
        # The flag and the wake-up end the loop even if a library swallowed the cancellation.
        self._stopping = True
        self._task.cancel()
        self._wake.set()
        try:
            await self._task
        except asyncio.CancelledError:
            pass
        self._task = None
        # A last attempt so a clean shutdown leaves nothing pending when Redis is up.
        try:
            await self.publish_pending()
            await self._db[LEASES].delete_one({"_id": "relay", "owner": self._owner})
        except Exception:  # noqa: BLE001 - the next start publishes what is left
            log.warning("outbox: pending events left for the next start")

    async def _lead(self) -> bool:
        """Take or renew the relay lease: one relay per database publishes, so order holds and
        replicas do not publish the same document twice. A dead leader's lease expires."""
        now = utcnow()
        try:
            await self._db[LEASES].find_one_and_update(
                {"_id": "relay", "$or": [{"owner": self._owner}, {"until": {"$lt": now}}]},
                {"$set": {"owner": self._owner, "until": now + self._lease}},
                upsert=True,
            )
        except mongo.DuplicateKeyError:
            return False  # another relay holds a live lease
        return True

    async def publish_pending(self) -> int:
        """Publish every pending document, oldest first; returns how many were sent."""
        sent = 0
        while await self._lead():
            cursor = self._db[COLLECTION].find({"sent_at": None}).sort("seq", 1).limit(self._batch)
            docs = await cursor.to_list(self._batch)
            if not docs:
                return sent
            published: list[str] = []
            try:
                for doc in docs:
                    await self._publish(doc["stream"], Event.model_validate(doc["event"]))
                    published.append(doc["_id"])
                    failpoints.hit("outbox.after_publish")  # fault tests: XADD, not marked
            except Exception:
                failed = docs[len(published)]["_id"]
                await self._db[COLLECTION].update_one({"_id": failed}, {"$inc": {"attempts": 1}})
                raise
            finally:  # one write marks the batch; a crash before it re-publishes (inbox dedups)
                if published:
                    await self._db[COLLECTION].update_many(
                        {"_id": {"$in": published}}, {"$set": {"sent_at": utcnow()}}
                    )
            sent += len(published)
        return sent

    async def pending_count(self) -> int:
        return int(await self._db[COLLECTION].count_documents({"sent_at": None}))

    async def _purge_sent(self) -> None:
        cutoff = utcnow() - self._keep_sent
        await self._db[COLLECTION].delete_many({"sent_at": {"$ne": None, "$lt": cutoff}})

    async def _run(self) -> None:
        backoff = self._interval
        rounds = 0
        while not self._stopping:
            try:
                await self.publish_pending()
                if rounds % 1000 == 0:
                    await self._purge_sent()
                rounds += 1
                backoff = self._interval
                self.failures = 0
                timeout = self._interval
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis or MongoDB down: back off
                self.failures += 1
                backoff = min(backoff * 2, self._max_backoff)
                timeout = backoff
                log.warning(
                    "outbox: publish failed (%s), retry in %.1fs", type(exc).__name__, backoff
                )
            self._wake.clear()
            if self.failures:
                await asyncio.sleep(timeout)  # while failing, writes must not hasten retries
                continue
            # asyncio.timeout, not wait_for: on 3.11 wait_for loses a cancel that arrives as the
            # wake-up fires, and stop() then waits forever.
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                pass
