"""Consumer-group bookkeeping: lag and pending figures, stale consumers, a handler's keep-alive."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge
from redis.asyncio import Redis

log = logging.getLogger("akhbar.broker")

# Refresh an entry's idle time only while this consumer still owns it (no stealing back an
# entry another consumer claimed meanwhile). XCLAIM ... JUSTID does not count a delivery.
_KEEP = """
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if p[1] and p[1][2] == ARGV[2] then
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
  return 1
end
return 0
"""


@dataclass(frozen=True)
class GroupState:
    """What Redis says of one group: entries not yet read (lag), pending, oldest pending age."""

    lag: int | None  # None when Redis cannot tell (e.g. after XDEL / trimming)
    pending: int
    oldest_pending_s: float
    last_delivered: str
    first_id: str | None  # the stream's first entry now, None when it is empty


def _str(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def id_ms(entry_id: str) -> int:
    return int(entry_id.split("-", 1)[0])


async def state(redis: Redis, stream: str, group: str) -> GroupState | None:
    """The group's figures, or None when the group (or the stream) does not exist."""
    if not await redis.exists(stream):
        return None
    groups = await redis.xinfo_groups(stream)
    info = next((g for g in groups if _str(g["name"]) == group), None)
    if info is None:
        return None
    pending = int(info.get("pending", 0))
    oldest = 0.0
    if pending:
        # Read separately from XINFO: the entries may all be acked in between (min is None).
        summary = await redis.xpending(stream, group)
        pending = int(summary["pending"])
        if pending and summary["min"] is not None:
            oldest = max(0.0, time.time() - id_ms(_str(summary["min"])) / 1000)
    lag = info.get("lag")
    head = await redis.xrange(stream, count=1)
    return GroupState(
        lag=int(lag) if lag is not None else None,
        pending=pending,
        oldest_pending_s=oldest,
        last_delivered=_str(info.get("last-delivered-id", "0-0")),
        first_id=_str(head[0][0]) if head else None,
    )


async def drop_idle_consumers(
    redis: Redis, stream: str, group: str, *, idle_ms: int, keep: str
) -> list[str]:
    """Delete the group's consumers idle longer than idle_ms that hold no pending entry."""
    dropped: list[str] = []
    for info in await redis.xinfo_consumers(stream, group):
        name = _str(info["name"])
        if name == keep or int(info.get("pending", 0)) or int(info.get("idle", 0)) < idle_ms:
            continue
        # XGROUP DELCONSUMER returns the consumer's pending count; 0 checked just above, and a
        # consumer that read meanwhile gets recreated by its next XREADGROUP.
        await redis.xgroup_delconsumer(stream, group, name)
        dropped.append(name)
    if dropped:
        log.info("dropped %d idle consumers of %s/%s: %s", len(dropped), stream, group, dropped)
    return dropped


class ConsumerMetrics:
    """Event counters and group gauges of one app (one registry)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        def counter(name: str, doc: str, *labels: str) -> Counter:
            return Counter(name, doc, ("stream", "group", *labels), registry=registry)

        def gauge(name: str, doc: str) -> Gauge:
            return Gauge(name, doc, ("stream", "group"), registry=registry)

        self.handled = counter("akhbar_events_handled", "events consumed", "type")
        self.failed = counter("akhbar_events_failed", "handler failures", "type")
        self.dead = counter("akhbar_events_dead_lettered", "events moved to the DLQ", "type")
        self.trimmed = counter("akhbar_events_trimmed", "pending entries trimmed by MAXLEN")
        self.lag = gauge("akhbar_group_lag", "entries not yet delivered to the group")
        self.pending = gauge("akhbar_group_pending", "entries delivered but not acknowledged")
        self.oldest = gauge("akhbar_group_oldest_pending_seconds", "age of the oldest pending")


def loss_reason(state: GroupState | None, last_entry_id: str | None) -> str | None:
    """Why the stream looks lost to a consumer that had handled `last_entry_id`, if it does."""
    if last_entry_id is None:
        return None
    if state is None:
        return "the stream or the group vanished"
    if state.first_id is not None and id_ms(state.first_id) > id_ms(last_entry_id):
        if state.last_delivered == "0-0" or id_ms(state.last_delivered) < id_ms(last_entry_id):
            return "the stream restarted after the last entry handled here"
    return None


class KeepAlive:
    """Refreshes an entry's idle time while its handler works, so claimers leave it alone."""

    def __init__(self, redis: Redis) -> None:
        self._script = redis.register_script(_KEEP)

    async def touch(self, stream: str, group: str, consumer: str, entry_id: bytes | str) -> bool:
        """True when the entry is still ours (and its idle time now 0)."""
        kept = await self._script(keys=[stream], args=[group, consumer, _str(entry_id)])
        return bool(kept)
