"""HTTP plumbing every service shares: request ids, the JSON body guard, metrics, health."""

from __future__ import annotations

import contextvars
import json
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

from shared.errors import error_body, internal_error_response

log = logging.getLogger("akhbar.http")
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        return True


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


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


MAX_DEPTH = 20  # no request body of ours nests deeper; hostile ones reach thousands
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def nesting_depth(body: bytes, limit: int = MAX_DEPTH) -> int:
    """How deep a JSON text nests (strings skipped), counted up to limit+1 in one C-speed pass.

    Runs before json.loads, so a '[' * 100_000 body never reaches a recursive parser.
    """
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKET)
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def _offence(value: Any) -> str | None:
    """Why a parsed body is refused: a `$` key (MongoDB operator) or a lone surrogate."""
    if isinstance(value, dict):
        for k, v in value.items():
            if str(k).startswith("$"):
                return "forbidden_key"
            found = _offence(k) or _offence(v)
            if found:
                return found
    elif isinstance(value, list):
        return next(filter(None, map(_offence, value)), None)
    elif isinstance(value, str) and _has_surrogate(value):
        return "invalid_text"
    return None


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_TOO_LARGE = (413, "payload_too_large", "The request body is too large.", "جسم الطلب كبير جداً.")
_REFUSED = {
    "nesting_too_deep": (
        400,
        "nesting_too_deep",
        f"The request body nests deeper than {MAX_DEPTH} levels.",
        f"جسم الطلب متداخل بأكثر من {MAX_DEPTH} مستوى.",
    ),
    "forbidden_key": (
        422,
        "forbidden_key",
        "Keys starting with '$' are not allowed.",
        "المفاتيح التي تبدأ بـ '$' غير مسموحة.",
    ),
    "invalid_text": (
        400,
        "invalid_text",
        "The request body holds text that is not valid Unicode (a lone surrogate).",
        "جسم الطلب يحتوي نصاً غير صالح في يونيكود.",
    ),
}


class JsonBodyGuard:
    """Rejects oversized (413), non-JSON (415), malformed or too deep (400), `$`-keyed (422)
    and lone-surrogate (400) write bodies before any route parses them."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _reject(send, *_TOO_LARGE)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _reject(send, *_TOO_LARGE)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if body.strip():
            ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if ctype != b"application/json":
                await _reject(
                    send,
                    415,
                    "unsupported_media_type",
                    "Send JSON (Content-Type: application/json).",
                    "أرسل JSON (Content-Type: application/json).",
                )
                return
            if nesting_depth(body) > MAX_DEPTH:
                await _reject(send, *_REFUSED["nesting_too_deep"])
                return
            try:
                parsed = json.loads(body)
            except (ValueError, UnicodeDecodeError, RecursionError):
                await _reject(
                    send,
                    400,
                    "invalid_json",
                    "The request body is not valid JSON.",
                    "جسم الطلب ليس JSON صالحاً.",
                )
                return
            offence = _offence(parsed)
            if offence:
                await _reject(send, *_REFUSED[offence])
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _reject(send: Send, status: int, code: str, message: str, message_ar: str) -> None:
    response = JSONResponse(error_body(code, message, message_ar), status_code=status)
    await send({"type": "http.response.start", "status": status, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})


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


ReadyCheck = Callable[[], Awaitable[dict[str, bool]]]


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
        ok = all(checks.values())
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
