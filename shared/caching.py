"""HTTP caching and cross-origin reads for the public API: ETag / 304, Cache-Control, CORS.

Public GETs (JSON, 200) get an `ETag` (the route's own, e.g. an article's version, else a weak
one hashed from the body), `Cache-Control` and `Vary`; a matching `If-None-Match` answers 304
with no body. CORS is closed unless `CORS_ORIGINS` names the sites allowed to call the API.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import error_body

PRIVATE_PREFIXES = ("/admin", "/internal", "/moderation", "/health", "/metrics", "/docs")
CORS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CORS_HEADERS = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "X-Request-ID",
    "Accept-Language",
]
CORS_EXPOSED = ["ETag", "X-Request-ID", "Retry-After", "Location"]


def weak_etag(body: bytes) -> str:
    return 'W/"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison of an If-None-Match list (or `*`) against an ETag."""
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def is_public_read(scope: Scope) -> bool:
    return scope["method"] in ("GET", "HEAD") and not str(scope["path"]).startswith(
        PRIVATE_PREFIXES
    )


class ConditionalGet:
    """ETag, Cache-Control and Vary on public JSON reads; 304 when If-None-Match matches."""

    def __init__(self, app: ASGIApp, *, max_age_s: int) -> None:
        self.app, self.max_age_s = app, max_age_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_public_read(scope):
            await self.app(scope, receive, send)
            return
        request = Headers(scope=scope)
        start: Message | None = None
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = Headers(raw=message.get("headers", []))
                json_ok = message["status"] == 200 and headers.get("content-type", "").startswith(
                    "application/json"
                )
                if not json_ok:
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                await self._finish(start, b"".join(chunks), request, send)

        await self.app(scope, receive, hold)

    async def _finish(self, start: Message, body: bytes, request: Headers, send: Send) -> None:
        headers = MutableHeaders(raw=list(start.get("headers", [])))
        etag = headers.get("etag") or weak_etag(body)
        headers["etag"] = etag
        if "cache-control" not in headers:
            private = "authorization" in request
            headers["cache-control"] = (
                "private, no-cache" if private else f"public, max-age={self.max_age_s}"
            )
        headers.add_vary_header("Authorization")
        if etag_matches(request.get("if-none-match", ""), etag):
            del headers["content-length"]
            del headers["content-type"]
            await send({"type": "http.response.start", "status": 304, "headers": headers.raw})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body})


def parse_origins(value: str | Iterable[str]) -> list[str]:
    """`CORS_ORIGINS`: comma-separated origins (`https://site.example`), or `*`; empty: closed."""
    items = value.split(",") if isinstance(value, str) else list(value)
    return [o.strip().rstrip("/") for o in items if o.strip()]


class _Cors(CORSMiddleware):
    """Starlette's CORS, with a refused preflight in the error shape (it answers plain text)."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ").split(", ")
        body = error_body(
            "cors_refused",
            f"This site may not call the API: cross-origin {' and '.join(refused)} not allowed.",
            "لا يُسمح لهذا الموقع باستدعاء الواجهة البرمجية من أصل آخر.",
            {"cors": ", ".join(refused)},
        )
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return JSONResponse(body, status_code=400, headers=headers)


def cors(app: ASGIApp, origins: list[str]) -> ASGIApp:
    """The CORS layer: preflights answered, only the configured origins allowed."""
    return _Cors(
        app,
        allow_origins=origins,
        allow_methods=CORS_METHODS,
        allow_headers=CORS_HEADERS,
        expose_headers=CORS_EXPOSED,
        max_age=600,
    )
