"""One way to run a background loop: start, wake, stop (flag, then cancel), back off on
errors, log each failure streak once with context, and count failures in a metric.

`step()` does one round and returns how long to wait before the next (None: the loop's
interval). While steps fail the loop waits `interval × 2^failures` (at most `max_backoff`),
and `wake()` does not hasten a retry: a failing dependency is not hammered by writers.
A loop whose work has an end (start the broker, recover once) raises `Finished` from its step.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from weakref import WeakKeyDictionary

from prometheus_client import REGISTRY, CollectorRegistry, Counter

log = logging.getLogger("akhbar.loops")

Step = Callable[[], Awaitable[float | None]]
__all__ = ["Finished", "Loop", "LoopMetrics", "Step"]

_COUNTERS: WeakKeyDictionary[CollectorRegistry, Counter] = WeakKeyDictionary()


class Finished(Exception):
    """Raised by a step whose work is done: the loop ends there (not counted as a failure)."""


class LoopMetrics:
    """The failure counter of every loop of one app (one registry).

    One counter per registry however many times it is built, so a service's own loops may
    build it again from the same registry without a duplicate-metric error.
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        target = REGISTRY if registry is None else registry
        counter = _COUNTERS.get(target)
        if counter is None:
            counter = Counter(
                "akhbar_loop_failures",
                "rounds of a background loop that raised",
                ("loop",),
                registry=target,
            )
            _COUNTERS[target] = counter
        self.failures = counter


class Loop:
    """A named background task running `step` until stopped."""

    def __init__(
        self,
        name: str,
        step: Step,
        *,
        interval: float,
        max_backoff: float = 30.0,
        metrics: LoopMetrics | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.name = name
        self._step = step
        self.interval = interval
        self._max_backoff = max_backoff
        self._metrics = metrics
        self._log = logger or log
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.failures = 0  # the current streak; 0 after a round that succeeded
        self.last_error: str | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if self.running:
            return
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=self.name)

    def wake(self) -> None:
        """Run the next round now instead of after the wait (ignored while failing)."""
        self._wake.set()

    async def stop(self, grace: float = 0.0) -> None:
        """Stop after the current round (waiting at most `grace` seconds), else cancel it.

        On 3.11 a cancel can be lost inside a client library (a `wait_for` race): cancel again
        until the task has really ended.
        """
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        if grace > 0:
            await asyncio.wait({task}, timeout=grace)
        while not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=0.5)
        if not task.cancelled() and task.exception() is not None:
            self._log.error("%s ended with %r", self.name, task.exception())

    async def _run(self) -> None:
        while not self._stopping:
            try:
                wait = await self._step()
            except asyncio.CancelledError:
                raise
            except Finished:
                self.failures, self.last_error = 0, None
                return
            except Exception as exc:  # noqa: BLE001 - logged, counted, retried with backoff
                wait = self._failed(exc)
            else:
                if self.failures:
                    self._log.info("%s recovered after %d failed rounds", self.name, self.failures)
                self.failures, self.last_error = 0, None
            if self._stopping:
                return
            await self._pause(self.interval if wait is None else wait)

    def _failed(self, exc: Exception) -> float:
        self.failures += 1
        self.last_error = f"{type(exc).__name__}: {exc}"[:500]
        if self._metrics is not None:
            self._metrics.failures.labels(self.name).inc()
        backoff = min(self.interval * 2**self.failures, self._max_backoff)
        if self.failures == 1:  # once per streak, with the traceback
            self._log.warning("%s failed; retrying with backoff", self.name, exc_info=exc)
        else:
            self._log.debug("%s failed again (%d): %s", self.name, self.failures, self.last_error)
        return backoff

    async def _pause(self, seconds: float) -> None:
        if self.failures:
            await asyncio.sleep(seconds)  # while failing, wake-ups must not hasten retries
            self._wake.clear()
            return
        # asyncio.timeout, not wait_for: on 3.11 wait_for loses a cancel that arrives as the
        # wake-up fires, and stop() then waits forever.
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()
