"""The JSON body guard: write bodies are checked before any route parses them."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import ApiError, error_response, invalid_json

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


WRITES = ("POST", "PUT", "PATCH")


def _too_large() -> ApiError:
    return ApiError(413, "payload_too_large", "The request body is too large.",
                    "جسم الطلب كبير جداً.")  # fmt: skip


def _refused(offence: str) -> ApiError:
    """The error of a body refused for `offence` (see `_offence` and `JsonBodyGuard.check`)."""
    status, message, message_ar = _REFUSED[offence]
    return ApiError(status, offence, message, message_ar)


_REFUSED = {
    "unsupported_media_type": (
        415,
        "Send JSON (Content-Type: application/json).",
        "أرسل JSON (Content-Type: application/json).",
    ),
    "nesting_too_deep": (
        400,
        f"The request body nests deeper than {MAX_DEPTH} levels.",
        f"جسم الطلب متداخل بأكثر من {MAX_DEPTH} مستوى.",
    ),
    "forbidden_key": (
        422,
        "Keys starting with '$' are not allowed.",
        "المفاتيح التي تبدأ بـ '$' غير مسموحة.",
    ),
    "invalid_text": (
        400,
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
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        try:
            body = await self.read(headers, receive)
            if body is None:
                return  # the client went away
            if body.strip():
                self.check(body, headers.get(b"content-type", b""))
        except ApiError as refused:
            await _reject(send, refused)
            return
        await self.app(scope, _replaying(body, receive), send)

    async def read(self, headers: dict[bytes, bytes], receive: Receive) -> bytes | None:
        """The whole body (None if the client disconnected); 413 as soon as it is too large."""
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            raise _too_large()
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _too_large()
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    @staticmethod
    def check(body: bytes, content_type: bytes) -> None:
        """Refuse (ApiError) a body that is not JSON, nests too deep or carries an offence."""
        if content_type.split(b";")[0].strip().lower() != b"application/json":
            raise _refused("unsupported_media_type")
        if nesting_depth(body) > MAX_DEPTH:
            raise _refused("nesting_too_deep")
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise invalid_json() from None
        offence = _offence(parsed)
        if offence:
            raise _refused(offence)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the route the body already read, then the client's messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _reject(send: Send, error: ApiError) -> None:
    response = error_response(error)
    await send({"type": "http.response.start", "status": error.status,
                "headers": response.raw_headers})  # fmt: skip
    await send({"type": "http.response.body", "body": response.body})
