"""The related app's background work: failures are logged once, `stop()` ends every task (even
one that swallows a cancel), and a cancel of `stop()` itself goes on to its caller."""

from __future__ import annotations

import asyncio

import pytest

from services.related.config import Settings
from services.related.context import Context
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
