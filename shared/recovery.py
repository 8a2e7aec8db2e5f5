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

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from shared.events import utcnow

if TYPE_CHECKING:
    from shared.runtime import Runtime

log = logging.getLogger("akhbar.recovery")

MARKERS = "redis_marker"
Hook = Callable[[], Awaitable[Any]]


class Recovery:
    """One per runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self.hooks: dict[str, Hook] = {}
        self.task: asyncio.Task[None] | None = None
        self.count = 0
        self.last: dict[str, Any] | None = None

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()

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
            with contextlib.suppress(Exception):
                await self._rt.db[MARKERS].insert_one({"_id": "redis", "marker": fresh})
                await self._rt.redis.set(self._key, fresh)
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
        self.task = asyncio.create_task(self._recover(reason), name="redis-loss-recovery")

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

    async def _recover(self, reason: str) -> None:
        delay = 1.0
        while True:
            try:
                await self.run(reason)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - a server is away: try again
                log.warning("recovery failed (%s), retry in %.0fs", type(exc).__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

    async def stop(self) -> None:
        if self.running and self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
