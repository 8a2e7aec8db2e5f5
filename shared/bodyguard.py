"""The JSON body guard: write bodies are checked before any route parses them."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import error_body

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
