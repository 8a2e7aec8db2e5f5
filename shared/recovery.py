"""Recovery when Redis loses its data: notice it, republish the outbox, rebuild read models.

Two ways to notice:
- a marker: each service keeps a random value in a Redis key and the same value in its own
  database. A Redis that restarted empty (or from an old file) no longer has it;
- a consumer whose stream or group vanished, or whose group restarted before the last entry
  this process handled (shared/broker.py).
Either starts one recovery: every outbox event of the retention window is marked for
publishing again (consumers' inboxes drop what they had applied), and the service's own
hooks rebuild its read models from their owners (what was lost before reaching an outbox
relay cannot be republished, a rebuild from the owner restores it).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from redis.asyncio import Redis

from shared import mongo
from shared.broker import Consumer
from shared.events import utcnow
from shared.loops import Finished, Loop, LoopMetrics
from shared.settings import ServiceSettings

log = logging.getLogger("akhbar.recovery")

MARKERS = "redis_marker"
Hook = Callable[[], Awaitable[Any]]


class Backbone(Protocol):
    """What a recovery uses of the service's runtime."""

    settings: ServiceSettings
    db: mongo.Database
    redis: Redis
    consumers: list[Consumer]
    broker_started: bool

    async def replay_outbox(self, since: datetime) -> int: ...


class Recovery:
    """One per runtime."""

    def __init__(self, runtime: Backbone, *, metrics: LoopMetrics | None = None) -> None:
        self._rt = runtime
        self.hooks: dict[str, Hook] = {}
        self._metrics = metrics
        self._loop: Loop | None = None  # the recovery under way, retried until it succeeds
        self.count = 0
        self.last: dict[str, Any] | None = None

    @property
    def running(self) -> bool:
        return self._loop is not None and self._loop.running

    @property
    def _key(self) -> str:
        return self._rt.settings.stream(f"akhbar:marker:{self._rt.settings.service_name}")

    def add_hook(self, name: str, hook: Hook) -> None:
        """A read-model rebuild to run when Redis lost data (e.g. the related index)."""
        self.hooks[name] = hook

    async def check_marker(self) -> None:
        """Compare the Redis marker with the database's; start a recovery when Redis lost it."""
        try:
            seen = await self._rt.redis.get(self._key)
            stored = await self._rt.db[MARKERS].find_one({"_id": "redis"})
        except Exception as exc:  # noqa: BLE001 - a server is away: the next round checks
            log.debug("marker check skipped: %s", type(exc).__name__)
            return
        value = seen.decode() if isinstance(seen, bytes) else seen
        if stored is None:  # first start against this database
            fresh = uuid.uuid4().hex
            try:
                await self._rt.db[MARKERS].insert_one({"_id": "redis", "marker": fresh})
                await self._rt.redis.set(self._key, fresh)
            except Exception as exc:  # noqa: BLE001 - another replica set it first, or a server
                # is away: either way the next round compares again
                log.info("marker not set this round: %s", type(exc).__name__)
            return
        if value == stored["marker"]:
            return
        if value is None and await self._rt.redis.set(self._key, stored["marker"], nx=True):
            # The marker vanished: Redis lost data. Only the replica that wins the database's
            # compare-and-set below recovers; the others see the new marker next round.
            fresh = uuid.uuid4().hex
            won = await self._rt.db[MARKERS].find_one_and_update(
                {"_id": "redis", "marker": stored["marker"]},
                {"$set": {"marker": fresh, "lost_at": utcnow()}},
            )
            await self._rt.redis.set(self._key, fresh)
            if won:
                await self.lost("the Redis marker vanished (Redis restarted without its data)")
        # A different marker: another replica is switching it; nothing to do.

    async def lost(self, reason: str) -> None:
        """Start a recovery in the background (one at a time)."""
        if not self._rt.settings.recover_on_loss or self.running:
            return
        log.error("Redis lost data (%s): recovering", reason)

        async def recover() -> None:
            await self.run(reason)
            raise Finished

        # Retried with backoff (1 s, 2 s, ... 30 s) while a server is away.
        self._loop = Loop(
            "redis-loss-recovery", recover, interval=0.5, max_backoff=30.0,
            metrics=self._metrics, logger=log,
        )  # fmt: skip
        self._loop.start()

    async def run(self, reason: str) -> dict[str, Any]:
        """Recover now: replay the outbox window and run every rebuild hook."""
        since = utcnow() - timedelta(days=self._rt.settings.outbox_keep_sent_days)
        result: dict[str, Any] = {"reason": reason, "started_at": utcnow().isoformat()}
        for consumer in self._rt.consumers:  # groups first, so republished events are read
            if self._rt.broker_started:
                await consumer.recover()
        result["republished"] = await self._rt.replay_outbox(since)
        for name, hook in self.hooks.items():
            result[name] = await hook()
        self.count += 1
        self.last = result
        log.warning("recovery done: %s", result)
        return result

    async def stop(self) -> None:
        if self._loop is not None:
            await self._loop.stop()
