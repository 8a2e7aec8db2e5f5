"""What a service holds while it runs: MongoDB, Redis, the broker, the relay and consumers."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from faststream.specification import AsyncAPI
from prometheus_client import CollectorRegistry, Gauge
from redis.asyncio import Redis

from shared import inbox, mongo, outbox, recovery
from shared.broker import Consumer, ConsumerMetrics, Handler, create_broker
from shared.claimer import Claimer
from shared.events import EVENTS_OF_STREAM, STREAM_OF_PRODUCER, Event
from shared.loops import Finished, Loop, LoopMetrics
from shared.settings import ServiceSettings

log = logging.getLogger("akhbar.runtime")
T = TypeVar("T")


# Events emitted inside the transaction being run by this task (commit / once).
_emitted: contextvars.ContextVar[list[Event] | None] = contextvars.ContextVar(
    "emitted", default=None
)


class Runtime:
    """One per app: opened in the lifespan, closed on shutdown."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.registry = CollectorRegistry()
        self.loop_metrics = LoopMetrics(self.registry)  # every background loop of the app
        self.client = mongo.connect(settings.mongo_url.get_secret_value())
        self.db = self.client[settings.database]
        self.redis = Redis.from_url(settings.redis_url.get_secret_value())
        self.broker = create_broker(
            settings.redis_url.get_secret_value(),
            graceful_timeout=settings.graceful_timeout_s,
            registry=self.registry,
        )
        self.relay = outbox.Relay(
            self.db,
            self.publish_batch,
            interval_s=settings.relay_interval_s,
            max_backoff_s=settings.relay_max_backoff_s,
            keep_sent=timedelta(days=settings.outbox_keep_sent_days),
            metrics=self.loop_metrics,
        )
        self.consumers: list[Consumer] = []
        self.claimers: list[Claimer] = []
        self._consumer_metrics = ConsumerMetrics(self.registry)
        self._document_produced_events()
        self.consumer_name = (
            settings.consumer_name or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        )
        # Consumers start once Redis answers (retried with backoff; the API serves meanwhile).
        self._messaging = Loop(
            "start-messaging", self._start_messaging, interval=0.1, max_backoff=5.0,
            metrics=self.loop_metrics, logger=log,
        )  # fmt: skip
        self._messaging_started = asyncio.Event()
        self.broker_started = False
        # Called after each commit with the events it emitted (and the one it applied).
        self.after_commit: list[Callable[[list[Event]], None]] = []
        self.backlog = (0, 0.0)  # outbox documents waiting, age of the oldest (s)
        self._backlog_gauges()
        self.recovery = recovery.Recovery(self, metrics=self.loop_metrics)
        self.checks: dict[str, Callable[[], Awaitable[tuple[bool, str | None]]]] = {}
        # Every interval even while MongoDB is away: the gauges and the marker check resume
        # the round after it is back.
        self._monitor = Loop(
            "backbone-monitor", self._watch, interval=settings.monitor_interval_s,
            max_backoff=settings.monitor_interval_s, metrics=self.loop_metrics, logger=log,
        )  # fmt: skip

    def _backlog_gauges(self) -> None:
        """The outbox backlog as gauges, read from what the monitor refreshed last."""
        Gauge(
            "akhbar_outbox_pending", "outbox documents not yet published", registry=self.registry
        ).set_function(lambda: self.backlog[0])
        Gauge(
            "akhbar_outbox_oldest_seconds", "age of the oldest unpublished outbox document",
            registry=self.registry,
        ).set_function(lambda: self.backlog[1])  # fmt: skip

    def _document_produced_events(self) -> None:
        """Declare the service's own stream as a publisher so AsyncAPI shows its events."""
        stream = STREAM_OF_PRODUCER.get(self.settings.service_name)
        if stream:
            self.broker.publisher(
                stream=self.settings.stream(stream),
                title=f"{stream}:publish",
                description="Published by the outbox relay after the write commits.",
                schema=EVENTS_OF_STREAM[stream],
            )

    # --- events ---------------------------------------------------------------------------

    async def publish(self, stream: str, event: Event, pipeline: Any = None) -> None:
        """XADD one event or queue it on a Redis `pipeline` (services write to the outbox)."""
        await self.broker.publish(
            event.model_dump(mode="json"),
            stream=self.settings.stream(stream),
            maxlen=self.settings.stream_maxlen,
            correlation_id=event.correlation_id or event.event_id,
            headers={"event_type": event.type, "event_id": event.event_id},
            pipeline=pipeline,
        )

    async def publish_batch(self, batch: outbox.Batch) -> None:
        """The relay's batches, in one Redis pipeline (`outbox.pipelined`)."""
        await outbox.pipelined(self.redis, batch, self.publish)

    def consume(self, stream: str, handler: Handler) -> Consumer:
        """Subscribe this service's group to a stream; call before start()."""
        consumer = Consumer(
            broker=self.broker,
            redis=self.redis,
            stream=self.settings.stream(stream),
            group=self.settings.service_name,
            consumer=self.consumer_name,
            handler=handler,
            metrics=self._consumer_metrics,
            max_deliveries=self.settings.max_deliveries,
            min_idle_ms=self.settings.claim_min_idle_ms,
            idle_consumer_ms=int(self.settings.idle_consumer_s * 1000),
        )
        consumer.lost = self.recovery.lost
        self.consumers.append(consumer)
        self.claimers.append(
            Claimer(consumer, interval_s=self.settings.claim_interval_s, metrics=self.loop_metrics)
        )
        return consumer

    async def commit(self, callback: Callable[[mongo.Session], Coroutine[Any, Any, T]]) -> T:
        """Run a write (entity + outbox) in one transaction, then wake the relay."""
        token = _emitted.set([])
        try:
            result = await mongo.transaction(self.client, callback)
            self._committed(_emitted.get() or [])
        finally:
            _emitted.reset(token)
        self.relay.notify()
        return result

    async def emit(self, session: mongo.Session, *events: Event) -> None:
        """Add events to the outbox inside the caller's transaction."""
        await outbox.add(self.db, session, *events)
        emitted = _emitted.get()
        if emitted is not None:
            emitted.extend(events)

    async def replay_outbox(self, since: Any) -> int:
        """Publish again every outbox event written since `since` (ops, Redis-loss recovery)."""
        count = await outbox.replay_since(self.db, since)
        self.relay.notify()
        log.warning("outbox: %d events since %s queued for publishing again", count, since)
        return count

    async def once(self, event: Event, apply: inbox.Apply) -> bool:
        """Apply an incoming event at most once (inbox + state change in one transaction)."""
        token = _emitted.set([])
        try:
            applied = await inbox.handle_once(self.client, self.db, event, apply)
            if applied:
                self._committed([event, *(_emitted.get() or [])])
        finally:
            _emitted.reset(token)
        if applied:
            self.relay.notify()  # the change may have written outbox events too
        return applied

    def _committed(self, events: list[Event]) -> None:
        """After a commit: tell the listeners (the read cache) what changed."""
        for listener in self.after_commit:
            listener(events)

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        await outbox.ensure_indexes(self.db)
        await inbox.ensure_indexes(self.db, keep_s=self.settings.inbox_keep_days * 86400)
        self.relay.start()
        self._monitor.start()
        self._messaging.start()
        # When Redis is up, start fully before serving; when it is down, serve and keep trying.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._messaging_started.wait(), timeout=3.0)

    async def _start_messaging(self) -> None:
        """Create the groups and start the broker, then the claimers (a `Loop` until done)."""
        for consumer in self.consumers:
            await consumer.prepare()
        await self.broker.start()
        self.broker_started = True
        self._messaging_started.set()
        for claimer in self.claimers:
            claimer.start()
        raise Finished

    async def _watch(self) -> None:
        """Refresh the outbox backlog gauges and look for a Redis that lost its data."""
        self.backlog = await outbox.backlog(self.db)
        if self.broker_started:
            await self.recovery.check_marker()

    def add_check(self, name: str, check: Callable[[], Awaitable[tuple[bool, str | None]]]) -> None:
        """A service's own readiness check: (ok, what is happening or None)."""
        self.checks[name] = check

    async def stop(self) -> None:
        await self._monitor.stop()
        await self.recovery.stop()
        await self._messaging.stop()
        for claimer in self.claimers:
            await claimer.stop()
        await self.relay.stop()
        try:
            await self.broker.stop()  # waits up to graceful_timeout for handlers in flight
        except Exception as exc:  # noqa: BLE001 - shutting down: close the rest regardless
            log.warning("broker stop failed (%s: %s); closing the clients anyway",
                        type(exc).__name__, exc)  # fmt: skip
        await self.redis.aclose()
        self.client.close()

    async def ready(self) -> dict[str, Any]:
        """Readiness: MongoDB and Redis answer, the broker runs, every consumer reads, no group
        is past its lag or pending-age limit, and the service's own checks pass. `state` says
        in words what is not fine (or what is going on, e.g. a rebuild)."""
        mongo_ok = await mongo.ping(self.client)
        try:
            redis_ok = bool(await asyncio.wait_for(self.redis.ping(), 2))
        except Exception:  # noqa: BLE001
            redis_ok = False
        checks: dict[str, Any] = {
            "mongo": mongo_ok,
            "redis": redis_ok,
            "consumers": self.broker_started
            and all(c.running for c in self.consumers)
            and all(c.running for c in self.claimers),
            "outbox_relay": self.relay.running,
        }
        state: dict[str, str] = {}
        groups_ok = True
        for consumer in self.consumers:
            problem = self._group_problem(consumer)
            if problem:
                groups_ok = False
                state[f"{consumer.stream}/{consumer.group}"] = problem
        checks["groups"] = groups_ok
        for name, check in self.checks.items():
            try:
                ok, detail = await check()
            except Exception as exc:  # noqa: BLE001
                ok, detail = False, f"check failed: {type(exc).__name__}"
            checks[name] = ok
            if detail:
                state[name] = detail
        if self.recovery.running:
            state["recovery"] = "recovering from a Redis data loss"
        if state:
            checks["state"] = state
        return checks

    def _group_problem(self, consumer: Consumer) -> str | None:
        group = consumer.state
        if group is None:
            return None
        if group.lag is not None and group.lag > self.settings.ready_max_lag:
            return f"lag {group.lag} > {self.settings.ready_max_lag}"
        if group.oldest_pending_s > self.settings.ready_max_pending_age_s:
            return (
                f"oldest pending entry {group.oldest_pending_s:.0f}s old"
                f" > {self.settings.ready_max_pending_age_s:.0f}s"
            )
        return None

    def asyncapi(self) -> Any:
        spec = AsyncAPI(self.broker, title=f"akhbar {self.settings.service_name}")
        return spec.to_specification().to_jsonable()


@contextlib.asynccontextmanager
async def running(runtime: Runtime) -> AsyncIterator[Runtime]:
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()
