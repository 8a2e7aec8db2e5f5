"""Failpoints: named places where a fault test can crash a real process on purpose.

Off unless `AKHBAR_FAILPOINTS` is set (tests only), e.g.
`AKHBAR_FAILPOINTS="inbox.after_commit=3"` kills the process with SIGKILL the 3rd time the
inbox commits, before the entry is acked. Like TiKV's fail-rs or FreeBSD's fail(9): the
windows between two side effects (commit, then XACK; XADD, then mark sent) can't be hit by
timing a `kill -9` from outside.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

_hits: Counter[str] = Counter()


def _armed() -> dict[str, int]:
    spec = os.environ.get("AKHBAR_FAILPOINTS", "")
    armed: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, nth = part.partition("=")
        armed[name] = int(nth or "1")
    return armed


ARMED = _armed()


def hit(name: str) -> None:
    """Crash (SIGKILL, no cleanup) on the armed hit of `name`; a no-op when not armed."""
    if name not in ARMED:
        return
    _hits[name] += 1
    if _hits[name] == ARMED[name]:
        os.kill(os.getpid(), signal.SIGKILL)
