"""Redis streams: the broker factory, consumer groups, and a consumer with a delivery cap and a
DLQ (its claimer, retrying what stays pending, is shared/claimer.py)."""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.middlewares import AckPolicy
from faststream.redis import RedisBroker, RedisStreamMessage, StreamSub
from faststream.redis.parser.binary import BinaryMessageFormatV1
from prometheus_client import CollectorRegistry
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared import dlq, groups, mongo
from shared.events import Event, UnsupportedEvent, dlq_stream, known_type, parse_event
from shared.groups import ConsumerMetrics
from shared.logs import deliveries_var, observed

log = logging.getLogger("akhbar.broker")

Handler = Callable[[Event], Awaitable[None]]
__all__ = [
    "Consumer",
    "ConsumerMetrics",
    "Handler",
    "create_broker",
    "decode_entry",
    "ensure_group",
]


def create_broker(
    redis_url: str, *, graceful_timeout: float, registry: CollectorRegistry
) -> RedisBroker:
    """A plain RedisBroker (FastStream's FastAPI plugin is deprecated) with Prometheus metrics."""
    from faststream.redis.prometheus import RedisPrometheusMiddleware

    return RedisBroker(
        redis_url,
        graceful_timeout=graceful_timeout,
        logger=logging.getLogger("akhbar.faststream"),
        middlewares=[RedisPrometheusMiddleware(registry=registry, metrics_prefix="akhbar")],
    )


def decode_entry(fields: dict[bytes, bytes]) -> dict[str, Any]:
    """Decode a stream entry written by FastStream (or a plain JSON `__data__`) to a dict."""
    raw = fields.get(b"__data__")
    if raw is None:
        return {k.decode(): v.decode() for k, v in fields.items()}
    body, _headers = BinaryMessageFormatV1.parse(raw)
    value = json.loads(body)
    if not isinstance(value, dict):
        raise UnsupportedEvent("event payload is not a JSON object")
    return value


async def ensure_group(redis: Redis, stream: str, group: str) -> None:
    """Create the group at id 0 (so earlier events are not skipped), creating the stream too."""
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


class Consumer:
    """One consumer group on one stream: a FastStream reader, the delivery cap and the DLQ."""

    def __init__(
        self,
        *,
        broker: RedisBroker,
        redis: Redis,
        stream: str,
        group: str,
        consumer: str,
        handler: Handler,
        metrics: ConsumerMetrics,
        max_deliveries: int = 5,
        min_idle_ms: int = 30_000,
        dlq_maxlen: int = 100_000,
        idle_consumer_ms: int = 3_600_000,
    ) -> None:
        self.stream, self.group, self.consumer = stream, group, consumer
        self.redis = redis
        self._handler = observed(handler, stream=stream, group=group)  # structured event logs
        self.max_deliveries = max_deliveries
        self.min_idle_ms = min_idle_ms
        self._dlq_maxlen = dlq_maxlen
        self._idle_consumer_ms = idle_consumer_ms
        self.errors_key = f"{stream}.errors:{group}"  # each pending entry's last error
        self.metrics = metrics
        self._keep = groups.KeepAlive(redis)
        self.state: groups.GroupState | None = None  # refreshed each claimer round
        self.last_entry_id: str | None = None  # the last entry this process handled
        self.lost: Callable[[str], Awaitable[None]] | None = None  # told when Redis lost data
        self.subscriber = broker.subscriber(
            stream=StreamSub(stream, group=group, consumer=consumer),
            ack_policy=AckPolicy.REJECT_ON_ERROR,  # a failure stays pending for the claimer
            title=f"{group}:{stream}",
        )
        self.subscriber(self._on_message)

    async def _on_message(self, body: dict[str, Any], message: RedisStreamMessage) -> None:
        raw = message.raw_message
        await self.process(raw["message_ids"][0], body, deliveries=1, fields=raw.get("data"))

    @property
    def running(self) -> bool:
        """The reader reads (the claimer is watched on its own)."""
        return bool(self.subscriber.running)

    async def prepare(self) -> None:
        """Create the group before the broker starts reading; forget long-dead consumers."""
        await ensure_group(self.redis, self.stream, self.group)
        try:
            await groups.drop_idle_consumers(
                self.redis, self.stream, self.group,
                idle_ms=self._idle_consumer_ms, keep=self.consumer,
            )  # fmt: skip
        except ResponseError as exc:
            log.warning("could not list consumers of %s: %s", self.stream, exc)

    async def process(
        self,
        entry_id: bytes,
        payload: dict[str, Any],
        *,
        deliveries: int,
        fields: dict[bytes, bytes] | None = None,
    ) -> None:
        """Handle one entry: when this returns it may be acked (handled or dead-lettered);
        when it raises, the entry stays pending (its error recorded for the claimer)."""
        try:
            event = parse_event(payload)
        except (UnsupportedEvent, ValidationError) as exc:
            await self.dead_letter(
                entry_id, payload, f"{type(exc).__name__}: {exc}", deliveries,
                fields=fields, reason=dlq.REASON_INVALID,
            )  # fmt: skip
            return
        deliveries_var.set(deliveries)
        try:
            await self._handle(entry_id, event)
        except Exception as exc:
            self.metrics.failed.labels(self.stream, self.group, event.type).inc()
            error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
            log.warning("event %s failed (delivery %d): %s", event.event_id, deliveries, error)
            if deliveries >= self.max_deliveries:
                await self.dead_letter(entry_id, payload, error, deliveries, fields=fields)
                return
            await self.redis.hset(self.errors_key, entry_id, error)
            raise
        self.metrics.handled.labels(self.stream, self.group, event.type).inc()
        self.last_entry_id = text(entry_id)

    async def _patiently(self, event: Event) -> None:
        """Run the handler; while the database is unreachable, wait and run it again. An
        outage is not a poison message: it must not use up deliveries and dead-letter
        events that will apply once the database is back (the entry stays ours meanwhile)."""
        delay = 0.5
        while True:
            try:
                await self._handler(event)
                return
            except mongo.ConnectionFailure as exc:
                log.warning(
                    "event %s waits for the database (%s); retry in %.1fs",
                    event.event_id, type(exc).__name__, delay,
                )  # fmt: skip
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _handle(self, entry_id: bytes, event: Event) -> None:
        """Run the handler while keeping the entry ours: a slow handler is not a failed one."""
        task = asyncio.ensure_future(self._patiently(event))
        every = max(self.min_idle_ms / 3000, 0.05)
        while True:
            try:
                done, _ = await asyncio.wait({task}, timeout=every)
            except asyncio.CancelledError:  # shutdown: the handler stops with us
                task.cancel()
                raise
            if done:
                return task.result()
            try:
                if not await self._keep.touch(self.stream, self.group, self.consumer, entry_id):
                    log.info(
                        "entry %s of %s is no longer pending for us (acked or claimed)",
                        entry_id,
                        self.stream,
                    )
            except Exception as exc:  # noqa: BLE001 - Redis away: the handler goes on
                log.warning("keep-alive of %s failed: %s", entry_id, type(exc).__name__)

    async def dead_letter(
        self,
        entry_id: bytes | str,
        payload: dict[str, Any] | None,
        error: str,
        deliveries: int,
        *,
        fields: dict[bytes, bytes] | None = None,
        reason: str = dlq.REASON_FAILED,
    ) -> None:
        """Move an entry to `<stream>.dlq` with its error and ack it, atomically."""
        record = dlq.record(
            stream=self.stream, group=self.group, entry_id=entry_id, deliveries=deliveries,
            error=error, reason=reason, payload=payload, fields=fields,
        )  # fmt: skip
        ack = reason != dlq.REASON_TRIMMED  # XAUTOCLAIM already dropped trimmed ids
        await dlq.dead_letter(
            self.redis, record, ack=ack, errors_key=self.errors_key, maxlen=self._dlq_maxlen
        )
        event_type = known_type((payload or {}).get("type"))
        self.metrics.dead.labels(self.stream, self.group, event_type).inc()
        log.error(
            "event %s moved to %s (%s, %d deliveries): %s",
            record["entry_id"], dlq_stream(self.stream), reason, deliveries, error,
        )  # fmt: skip

    async def observe(self) -> groups.GroupState | None:
        """Refresh the group's lag and pending gauges; tell `lost` when Redis lost the stream."""
        state = await groups.state(self.redis, self.stream, self.group)
        labels = (self.stream, self.group)
        if state is not None:
            self.metrics.lag.labels(*labels).set(state.lag or 0)
            self.metrics.pending.labels(*labels).set(state.pending)
            self.metrics.oldest.labels(*labels).set(state.oldest_pending_s)
        reason = groups.loss_reason(state, self.last_entry_id)
        self.state = state
        if reason and self.lost is not None:
            self.last_entry_id = None  # one report per loss
            await self.lost(f"{self.stream}/{self.group}: {reason}")
        return state

    async def recover(self) -> None:
        """Recreate the group and restart the reader when Redis lost them (NOGROUP)."""
        await ensure_group(self.redis, self.stream, self.group)
        if not self.subscriber.running:
            log.warning("restarting reader of %s for group %s", self.stream, self.group)
            await self.subscriber.start()


def text(value: bytes | str | None) -> str:
    """A Redis reply part (bytes, text or nothing) as text."""
    return value.decode() if isinstance(value, bytes) else (value or "")
