"""The related app's background work: failures are logged once, `stop()` ends every task (even
one that swallows a cancel), and a cancel of `stop()` itself goes on to its caller."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from services.related.config import Settings
from services.related.context import Context, engine_config
from shared.runtime import Runtime


async def _stubborn() -> None:
    """Swallows the first cancel, as a client library sometimes does."""
    try:
        await asyncio.sleep(60)
    except asyncio.CancelledError:
        await asyncio.sleep(60)


async def _failing() -> None:
    raise RuntimeError("MongoDB went away")


async def test_stop_ends_background_work_and_a_cancel_of_stop_goes_on(caplog):
    settings = Settings()
    related = Context(runtime=Runtime(settings), settings=settings)  # nothing is connected
    related.spawn(_failing(), name="failing")
    related.spawn(_stubborn(), name="stubborn")
    await asyncio.sleep(0.01)
    assert caplog.text.count("background task failing failed") == 1
    await asyncio.wait_for(related.stop(), 3)

    related.spawn(_stubborn(), name="stubborn again")
    stopping = asyncio.create_task(related.stop())
    await asyncio.sleep(0.05)
    stopping.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopping
    await asyncio.wait_for(related.stop(), 3)


def test_the_neighbourhood_is_set_from_the_environment(monkeypatch):
    assert (engine_config(Settings()).neighbours, engine_config(Settings()).neighbour_weight) == (
        30,
        2.0,
    )
    monkeypatch.setenv("RELATED_NEIGHBOURS", "12")
    monkeypatch.setenv("RELATED_NEIGHBOUR_WEIGHT", "1.5")
    config = engine_config(Settings())
    assert (config.neighbours, config.neighbour_weight) == (12, 1.5)
    monkeypatch.setenv("RELATED_NEIGHBOURS", "-1")
    with pytest.raises(ValidationError, match="neighbours"):
        Settings()
