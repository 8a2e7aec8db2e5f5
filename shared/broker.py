"""Redis streams: broker factory, consumer groups, a claimer and a delivery cap with a DLQ."""

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
from prometheus_client import CollectorRegistry, Counter
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared.events import Event, UnsupportedEvent, dlq_stream, parse_event, utcnow
from shared.logs import deliveries_var, observed

log = logging.getLogger("akhbar.broker")

Handler = Callable[[Event], Awaitable[None]]


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


class ConsumerMetrics:
    """Event counters of one app (one registry), labelled by stream and group."""

    def __init__(self, registry: CollectorRegistry) -> None:
        def counter(name: str, doc: str) -> Counter:
            return Counter(name, doc, ("stream", "group"), registry=registry)

        self.handled = counter("akhbar_events_handled", "events handled")
        self.failed = counter("akhbar_events_failed", "handler failures")
        self.dead = counter("akhbar_events_dead_lettered", "events moved to the DLQ")


class Consumer:
    """One consumer group on one stream: a FastStream reader plus our claimer and DLQ."""

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
        claim_interval_s: float = 5.0,
        dlq_maxlen: int = 100_000,
    ) -> None:
        self.stream, self.group, self.consumer = stream, group, consumer
        self._redis = redis
        self._handler = observed(handler, stream=stream, group=group)  # structured event logs
        self._max_deliveries = max_deliveries
        self._min_idle_ms = min_idle_ms
        self._claim_interval = claim_interval_s
        self._dlq_maxlen = dlq_maxlen
        self._errors_key = f"{stream}.errors:{group}"
        self._task: asyncio.Task[None] | None = None
        self._metrics = metrics
        self.subscriber = broker.subscriber(
            stream=StreamSub(stream, group=group, consumer=consumer),
            ack_policy=AckPolicy.REJECT_ON_ERROR,  # a failure stays pending for the claimer
            title=f"{group}:{stream}",
        )
        self.subscriber(self._on_message)

    async def _on_message(self, body: dict[str, Any], message: RedisStreamMessage) -> None:
        entry_id = message.raw_message["message_ids"][0]
        await self.process(entry_id, body, deliveries=1)

    @property
    def running(self) -> bool:
        return bool(self.subscriber.running) and self._task is not None and not self._task.done()

    async def prepare(self) -> None:
        """Create the group before the broker starts reading."""
        await ensure_group(self._redis, self.stream, self.group)

    def start_claimer(self) -> None:
        self._task = asyncio.create_task(self._claim_loop(), name=f"claimer:{self.stream}")

    async def stop_claimer(self) -> None:
        if self._task:
            # On 3.11 a cancel can be lost inside the Redis client (wait_for race) and the loop
            # would go on forever: cancel again until the task has really ended.
            while not self._task.done():
                self._task.cancel()
                await asyncio.wait({self._task}, timeout=0.5)
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def process(self, entry_id: bytes, payload: dict[str, Any], *, deliveries: int) -> bool:
        """Handle one entry; True when it may be acked, False when it must stay pending."""
        try:
            event = parse_event(payload)
        except (UnsupportedEvent, ValidationError) as exc:
            await self.dead_letter(entry_id, payload, f"{type(exc).__name__}: {exc}", deliveries)
            return True
        deliveries_var.set(deliveries)
        try:
            await self._handler(event)
        except Exception as exc:
            self._metrics.failed.labels(self.stream, self.group).inc()
            error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
            log.warning("event %s failed (delivery %d): %s", event.event_id, deliveries, error)
            if deliveries >= self._max_deliveries:
                await self.dead_letter(entry_id, payload, error, deliveries)
                return True
            await self._redis.hset(self._errors_key, entry_id, error)
            raise
        self._metrics.handled.labels(self.stream, self.group).inc()
        return True

    async def dead_letter(
        self, entry_id: bytes, payload: dict[str, Any], error: str, deliveries: int
    ) -> None:
        """Move an entry to `<stream>.dlq` with its error and ack it."""
        await self._redis.xadd(
            dlq_stream(self.stream),
            {
                "event": json.dumps(payload, ensure_ascii=False, default=str),
                "error": error,
                "stream": self.stream,
                "group": self.group,
                "entry_id": entry_id,
                "deliveries": str(deliveries),
                "failed_at": utcnow().isoformat(),
            },
            maxlen=self._dlq_maxlen,
            approximate=True,
        )
        await self._redis.xack(self.stream, self.group, entry_id)
        await self._redis.hdel(self._errors_key, entry_id)
        self._metrics.dead.labels(self.stream, self.group).inc()
        log.error(
            "event moved to %s after %d deliveries: %s", dlq_stream(self.stream), deliveries, error
        )

    async def claim_once(self) -> int:
        """Claim entries idle longer than min-idle and retry them; returns how many were claimed."""
        start, claimed = "0-0", 0
        while True:
            next_id, entries, *_deleted = await self._redis.xautoclaim(
                self.stream, self.group, self.consumer, self._min_idle_ms, start_id=start, count=50
            )
            for entry_id, fields in entries:
                claimed += 1
                await self._retry(entry_id, fields)
            for gone in _deleted[0] if _deleted else []:
                await self._redis.hdel(self._errors_key, gone)  # trimmed away while pending
            start = next_id.decode() if isinstance(next_id, bytes) else next_id
            if start == "0-0":
                return claimed

    async def _retry(self, entry_id: bytes, fields: dict[bytes, bytes]) -> None:
        pending = await self._redis.xpending_range(
            self.stream, self.group, min=entry_id, max=entry_id, count=1
        )
        deliveries = int(pending[0]["times_delivered"]) if pending else self._max_deliveries
        try:
            payload = decode_entry(fields)
        except (UnsupportedEvent, ValueError) as exc:
            await self.dead_letter(entry_id, {"raw": repr(fields)[:2000]}, repr(exc), deliveries)
            return
        if deliveries > self._max_deliveries:  # e.g. a crash mid-handler: do not run it again
            error = await self._redis.hget(self._errors_key, entry_id)
            await self.dead_letter(entry_id, payload, _text(error), deliveries)
            return
        try:
            if await self.process(entry_id, payload, deliveries=deliveries):
                await self._redis.xack(self.stream, self.group, entry_id)
                await self._redis.hdel(self._errors_key, entry_id)
        except Exception:  # noqa: BLE001 - recorded in process(); stays pending
            pass

    async def recover(self) -> None:
        """Recreate the group and restart the reader when Redis lost them (NOGROUP)."""
        await ensure_group(self._redis, self.stream, self.group)
        if not self.subscriber.running:
            log.warning("restarting reader of %s for group %s", self.stream, self.group)
            await self.subscriber.start()

    async def _claim_loop(self) -> None:
        while True:
            try:
                await self.claim_once()
                if not self.subscriber.running:
                    await self.recover()
            except asyncio.CancelledError:
                raise
            except ResponseError as exc:
                if "NOGROUP" in str(exc):
                    await _quietly(self.recover())
                else:
                    log.warning("claimer on %s: %s", self.stream, exc)
            except Exception as exc:  # noqa: BLE001 - Redis down: try again next round
                log.warning("claimer on %s: %s", self.stream, type(exc).__name__)
            await asyncio.sleep(self._claim_interval)


async def _quietly(awaitable: Awaitable[Any]) -> None:
    try:
        await awaitable
    except Exception as exc:  # noqa: BLE001
        log.warning("recovery failed: %s", type(exc).__name__)


def _text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")
