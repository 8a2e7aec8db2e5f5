"""HTTP plumbing every service shares: request ids, metrics, health (body guard: bodyguard)."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.bodyguard import JsonBodyGuard
from shared.errors import internal_error_response

log = logging.getLogger("akhbar.http")
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Outermost: accepts a sane X-Request-ID or makes one, before anything else can fail.

    Echoes the id on every response and turns any exception escaping the app into the error
    shape (500 `internal_error`), logged once with the id. Nothing reaches uvicorn or
    Starlette's ServerErrorMiddleware, so the keep-alive connection survives a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _VALID_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(rid)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            log.exception("unhandled error %s in request %s", type(exc).__name__, rid)
            if not started:
                response = internal_error_response()
                await send_with_id(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": response.raw_headers,
                    }
                )
                await send({"type": "http.response.body", "body": response.body})
        finally:
            request_id_var.reset(token)


class MetricsMiddleware:
    """Request count and latency per route template, for Prometheus."""

    def __init__(self, app: ASGIApp, *, registry: CollectorRegistry) -> None:
        self.app = app
        self.requests = Counter(
            "akhbar_http_requests_total",
            "HTTP requests",
            ("method", "route", "status"),
            registry=registry,
        )
        self.latency = Histogram(
            "akhbar_http_request_seconds", "HTTP latency", ("method", "route"), registry=registry
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [500]
        started = time.perf_counter()

        async def record(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], route, str(status[0])).inc()
            self.latency.labels(scope["method"], route).observe(time.perf_counter() - started)


ReadyCheck = Callable[[], Awaitable[dict[str, Any]]]


def ops_router(
    *, ready: ReadyCheck, registry: CollectorRegistry, asyncapi: Callable[[], Any]
) -> APIRouter:
    """`/health/live`, `/health/ready`, `/metrics` and `/asyncapi.json`."""
    router = APIRouter(tags=["ops"])

    @router.get("/health/live")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/health/ready",
        responses={503: {"description": "A dependency is down (see `checks`)"}},
    )
    async def readiness() -> JSONResponse:
        checks = await ready()
        ok = all(v for v in checks.values() if isinstance(v, bool))  # non-bool: details
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks},
            status_code=200 if ok else 503,
        )

    @router.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}}},
    )
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @router.get("/asyncapi.json")
    async def asyncapi_document() -> JSONResponse:
        return JSONResponse(asyncapi())

    return router


def install(app: FastAPI, *, max_body_bytes: int, registry: CollectorRegistry) -> None:
    """Middleware in order: request id (outermost), metrics, body guard."""
    app.add_middleware(JsonBodyGuard, max_bytes=max_body_bytes)
    app.add_middleware(MetricsMiddleware, registry=registry)
    app.add_middleware(RequestIdMiddleware)
