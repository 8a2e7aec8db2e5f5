"""Structured logs through structlog: JSON lines off a terminal, readable lines on one.

Every line carries `service`, `request_id` (the HTTP request being served) and
`correlation_id` (the event chain being handled); lines written while an event is handled also
carry `stream`, `group`, `event_type`, `event_id` and `deliveries`, and the line that closes it
its `duration_ms` and `outcome`. Standard-library loggers (ours, uvicorn's, FastStream's) go
through the same renderer. `LOG_FORMAT=json|console` overrides the terminal check.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TextIO

import structlog

from shared.events import Event
from shared.http import request_id_var

deliveries_var: contextvars.ContextVar[int] = contextvars.ContextVar("deliveries", default=1)
events_log = logging.getLogger("akhbar.events")


def _context(service: str) -> structlog.types.Processor:
    def add(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event_dict.setdefault("service", service)
        event_dict.setdefault("request_id", request_id_var.get())
        event_dict.setdefault("correlation_id", event_dict.get("request_id"))
        return event_dict

    return add


def _drop_color_message(
    _: Any, __: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    event_dict.pop("color_message", None)  # uvicorn's ANSI copy of the message
    return event_dict


def _renderer(fmt: str, stream: TextIO) -> structlog.types.Processor:
    console = fmt == "console" or (fmt == "auto" and stream.isatty())
    if console:
        return structlog.dev.ConsoleRenderer(colors=stream.isatty())
    return structlog.processors.JSONRenderer(ensure_ascii=False)


def configure(
    service: str, level: str = "INFO", fmt: str = "auto", stream: TextIO | None = None
) -> None:
    """Route all logging of this process through one structlog formatter on `stream`."""
    stream = stream or sys.stderr
    renderer = _renderer(fmt.lower(), stream)
    before: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _drop_color_message,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _context(service),
    ]
    after: list[structlog.types.Processor] = [
        structlog.stdlib.ProcessorFormatter.remove_processors_meta
    ]
    if isinstance(renderer, structlog.processors.JSONRenderer):
        after.append(structlog.processors.dict_tracebacks)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(foreign_pre_chain=before, processors=[*after, renderer])
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # FastStream's own "Received"/"Processed" lines say less than ours (see observed()); its
    # errors still come through.
    logging.getLogger("akhbar.faststream").setLevel(max(logging.WARNING, root.level))
    structlog.configure(
        processors=[*before, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


Handler = Callable[[Event], Awaitable[None]]


def observed(handler: Handler, *, stream: str, group: str) -> Handler:
    """Wrap an event handler: its log lines carry the event's fields; one line closes it."""

    async def handle(event: Event) -> None:
        fields = {
            "stream": stream,
            "group": group,
            "event_type": event.type,
            "event_id": event.event_id,
            "correlation_id": event.correlation_id or event.event_id,
            "deliveries": deliveries_var.get(),
        }
        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(**fields):
            try:
                await handler(event)
            except Exception as exc:
                events_log.warning(
                    "event failed",
                    extra=_closing(started, "failed", error=type(exc).__name__),
                )
                raise
            events_log.info("event handled", extra=_closing(started, "handled"))

    return handle


def _closing(started: float, outcome: str, **more: str) -> dict[str, Any]:
    return {
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "outcome": outcome,
        **more,
    }
