"""Keep Python's cyclic garbage collector off the index engine.

The engine holds tens of thousands of containers, some with millions of entries; a full
collection walks every one of them with the GIL held, so every thread, the event loop
included, stops for it: 0.3-0.5 s at 10k articles on a quiet machine, more on a loaded one,
and a collection comes every few seconds while a rebuild allocates a second engine. The
engine is long-lived and acyclic (dropping one frees it by reference counting), which is what
`gc.freeze()` is for: objects alive after a build move to the permanent generation and later
collections skip them.

`building()` goes around the work that replaces the live engine (a load, a rebuild with its
swap, a takeover's repair): the automatic collector is paused meanwhile (a worker thread
allocates the engine and renders every list; a collection triggered there would stop the
event loop too), and everything alive at the end is frozen. Cyclic garbage made during the
pause is frozen with it; `release()`, at shutdown, hands the permanent generation back to
the collector.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_builds = 0
_resume = False


@contextlib.contextmanager
def building() -> Iterator[None]:
    """Around building a long-lived engine (nested or concurrent builds share one pause)."""
    global _builds, _resume
    if _builds == 0:
        _resume = gc.isenabled()
        gc.disable()
    _builds += 1
    try:
        yield
    finally:
        _builds -= 1
        if _builds == 0:
            gc.freeze()
            if _resume:
                gc.enable()


def release() -> None:
    """Give frozen objects back to the collector (the service is stopping)."""
    gc.unfreeze()
