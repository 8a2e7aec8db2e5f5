"""shared.loops.Loop: rounds, wake-ups, backoff while failing, a stop that always ends."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest
from prometheus_client import CollectorRegistry

from shared.loops import Finished, Loop, LoopMetrics


async def test_runs_rounds_and_wake_cuts_the_wait_short() -> None:
    rounds: list[int] = []

    async def step() -> float | None:
        rounds.append(1)
        return None

    loop = Loop("t", step, interval=60)
    loop.start()
    await asyncio.sleep(0.05)
    assert len(rounds) == 1  # then waits its interval
    loop.wake()
    await asyncio.sleep(0.05)
    assert len(rounds) == 2
    await loop.stop()
    assert not loop.running


async def test_failures_back_off_are_counted_and_logged_once_per_streak(caplog) -> None:
    registry = CollectorRegistry()
    calls: list[float] = []

    async def step() -> float | None:
        calls.append(asyncio.get_running_loop().time())
        if len(calls) <= 3:
            raise RuntimeError("down")
        return None

    loop = Loop("flaky", step, interval=0.02, metrics=LoopMetrics(registry))
    with caplog.at_level(logging.DEBUG, logger="akhbar.loops"):
        loop.start()
        for _ in range(100):
            await asyncio.sleep(0.02)
            if len(calls) >= 4:
                break
        loop.wake()  # a wake-up while failing does not hasten the retry
    await loop.stop()
    assert len(calls) >= 4
    gaps = [b - a for a, b in itertools.pairwise(calls[:4])]
    assert gaps[1] > gaps[0] * 1.5  # 0.04 s, then 0.08 s, then 0.16 s
    assert registry.get_sample_value("akhbar_loop_failures_total", {"loop": "flaky"}) == 3
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and warnings[0].exc_info
    assert any("recovered after 3" in r.getMessage() for r in caplog.records)
    assert loop.failures == 0


async def test_stop_cancels_a_round_that_does_not_end() -> None:
    async def step() -> float | None:
        await asyncio.sleep(3600)
        return None

    loop = Loop("slow", step, interval=1)
    loop.start()
    await asyncio.sleep(0.02)
    await asyncio.wait_for(loop.stop(grace=0.05), timeout=2)
    assert not loop.running


async def test_stop_lets_the_current_round_finish_within_grace() -> None:
    finished: list[bool] = []

    async def step() -> float | None:
        await asyncio.sleep(0.05)
        finished.append(True)
        return None

    loop = Loop("graceful", step, interval=1)
    loop.start()
    await asyncio.sleep(0.01)
    await loop.stop(grace=1)
    assert finished == [True]


@pytest.mark.parametrize("wait", [0.01])
async def test_step_chooses_its_next_wait(wait: float) -> None:
    rounds: list[int] = []

    async def step() -> float | None:
        rounds.append(1)
        return wait

    loop = Loop("paced", step, interval=60)
    loop.start()
    await asyncio.sleep(0.1)
    await loop.stop()
    assert len(rounds) >= 3


async def test_a_step_that_finishes_ends_the_loop() -> None:
    attempts: list[int] = []

    async def step() -> float | None:
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionError("not yet")
        raise Finished

    loop = Loop("once", step, interval=0.005)
    loop.start()
    for _ in range(100):
        await asyncio.sleep(0.01)
        if not loop.running:
            break
    assert not loop.running and len(attempts) == 3 and loop.failures == 0
    await loop.stop()


def test_one_failure_counter_per_registry() -> None:
    registry = CollectorRegistry()
    assert LoopMetrics(registry).failures is LoopMetrics(registry).failures
    assert LoopMetrics(CollectorRegistry()).failures is not LoopMetrics(registry).failures
