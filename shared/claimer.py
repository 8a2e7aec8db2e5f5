"""The claimer of a consumer group: retries entries left pending too long (a consumer that
crashed, or a handler that failed), dead-letters what is past the delivery cap or was trimmed
away while pending, watches the group (lag, pending, a Redis that lost it) and brings back a
group or reader Redis lost. One background `Loop` per consumer."""

from __future__ import annotations

import logging

from redis.exceptions import ResponseError

from shared import dlq
from shared.broker import Consumer, decode_entry, text
from shared.events import UnsupportedEvent
from shared.loops import Loop, LoopMetrics

log = logging.getLogger("akhbar.broker")

CLAIM_BATCH = 50


class Claimer:
    """Runs `claim_round` every `interval_s` for one consumer."""

    def __init__(
        self, consumer: Consumer, *, interval_s: float, metrics: LoopMetrics | None = None
    ) -> None:
        self.consumer = consumer
        # No backoff beyond the interval: a claim round is one cheap command while Redis is
        # down, and the round after it comes back recreates lost groups and readers.
        self.loop = Loop(
            f"claimer:{consumer.stream}",
            self.claim_round,
            interval=interval_s,
            max_backoff=interval_s,
            metrics=metrics,
            logger=log,
        )

    @property
    def running(self) -> bool:
        return self.loop.running

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()

    async def claim_round(self) -> None:
        """Refresh the group's figures, retry what stayed pending, restart a stopped reader."""
        consumer = self.consumer
        try:
            await consumer.observe()
            await self.claim_once()
            if not consumer.subscriber.running:
                await consumer.recover()
        except ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            log.warning("group %s of %s is gone: recreating it", consumer.group, consumer.stream)
            await consumer.recover()

    async def claim_once(self) -> int:
        """Claim entries idle longer than min-idle and retry them; returns how many were claimed."""
        consumer = self.consumer
        start, claimed = "0-0", 0
        while True:
            next_id, entries, *deleted = await consumer.redis.xautoclaim(
                consumer.stream, consumer.group, consumer.consumer, consumer.min_idle_ms,
                start_id=start, count=CLAIM_BATCH,
            )  # fmt: skip
            for entry_id, fields in entries:
                claimed += 1
                await self._retry(entry_id, fields)
            await self._trimmed([text(i) for i in (deleted[0] if deleted else [])])
            start = text(next_id)
            if start == "0-0":
                return claimed

    async def _trimmed(self, ids: list[str]) -> None:
        """Pending entries MAXLEN trimmed away: record each one, never lose them silently."""
        if not ids:
            return
        consumer = self.consumer
        log.error("%d pending entries of %s/%s were trimmed: %s", len(ids), consumer.stream,
                  consumer.group, ids)  # fmt: skip
        for entry_id in ids:
            error = text(await consumer.redis.hget(consumer.errors_key, entry_id)) or "trimmed"
            await consumer.dead_letter(entry_id, None, error, 0, reason=dlq.REASON_TRIMMED)
            consumer.metrics.trimmed.labels(consumer.stream, consumer.group).inc()

    async def _retry(self, entry_id: bytes, fields: dict[bytes, bytes]) -> None:
        consumer = self.consumer
        pending = await consumer.redis.xpending_range(
            consumer.stream, consumer.group, min=entry_id, max=entry_id, count=1
        )
        deliveries = int(pending[0]["times_delivered"]) if pending else consumer.max_deliveries
        try:
            payload = decode_entry(fields)
        except (UnsupportedEvent, ValueError) as exc:
            await consumer.dead_letter(
                entry_id, None, repr(exc), deliveries, fields=fields, reason=dlq.REASON_INVALID
            )
            return
        if deliveries > consumer.max_deliveries:  # e.g. a crash mid-handler: not run again
            error = await consumer.redis.hget(consumer.errors_key, entry_id)
            await consumer.dead_letter(entry_id, payload, text(error), deliveries, fields=fields)
            return
        try:
            await consumer.process(entry_id, payload, deliveries=deliveries, fields=fields)
        except Exception as exc:  # noqa: BLE001 - stays pending for the next claim
            log.info("entry %s of %s/%s stays pending after delivery %d (%s)", text(entry_id),
                     consumer.stream, consumer.group, deliveries, type(exc).__name__)  # fmt: skip
            return
        async with consumer.redis.pipeline(transaction=True) as pipe:
            pipe.xack(consumer.stream, consumer.group, entry_id)
            pipe.hdel(consumer.errors_key, entry_id)
            await pipe.execute()
