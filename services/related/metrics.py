"""Rebuild progress for Prometheus: phase progress, running flag, outcomes, last success."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge


class RebuildMetrics:
    """One per app (one registry); fed by the job's progress callback."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.processed = Gauge(
            "akhbar_rebuild_processed", "articles done in the current phase", ("phase",),
            registry=registry,
        )  # fmt: skip
        self.total = Gauge(
            "akhbar_rebuild_phase_total", "articles in the current phase (0: not known yet)",
            ("phase",), registry=registry,
        )  # fmt: skip
        self.running = Gauge(
            "akhbar_rebuild_running", "1 while this process runs a rebuild", registry=registry
        )
        self.finished = Counter(
            "akhbar_rebuilds", "finished rebuilds by outcome", ("status",), registry=registry
        )
        self.last_success = Gauge(
            "akhbar_rebuild_last_success_timestamp_seconds",
            "when the last rebuild succeeded (unix time)",
            registry=registry,
        )

    def progress(self, phase: str, processed: int, total: int | None) -> None:
        self.processed.labels(phase).set(processed)
        self.total.labels(phase).set(total or 0)

    @contextlib.contextmanager
    def tracking(self) -> Iterator[None]:
        """Around one rebuild: running while inside, its outcome counted at the end."""
        self.running.set(1)
        try:
            yield
        except BaseException:
            self.finished.labels("failed").inc()
            raise
        else:
            self.finished.labels("succeeded").inc()
            self.last_success.set(time.time())
        finally:
            self.running.set(0)
