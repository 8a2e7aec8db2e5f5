"""Opaque keyset cursors shared by every list endpoint: base64url of the JSON sort key.

A cursor comes back from the client, so decoding checks everything the service relies on:
the arity, the type of each part, a timestamp inside the sane window and a bounded id.
Anything else is 400 `invalid_cursor`, never a 500 further down.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from shared.errors import invalid_cursor
from shared.moments import in_window

MAX_CURSOR = 512
MAX_PART = 200  # longest string part (ids, slugs, tags)
_INT64 = 2**63


class InvalidCursor(ValueError):
    """The cursor was not made by encode_cursor (or was tampered with)."""


def encode_cursor(key: list[Any]) -> str:
    """The cursor for a sort key (JSON-serialisable values)."""
    return (
        base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode().rstrip("=")
    )


def _scalar_ok(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return -_INT64 <= value < _INT64
    if isinstance(value, float):
        return value == value and abs(value) != float("inf")
    if isinstance(value, str):
        return 0 < len(value) <= MAX_PART and value.isprintable()
    return False


def decode_cursor(cursor: str, *, arity: int) -> list[Any]:
    """The sort key inside a cursor: a flat list of `arity` bounded scalars; else InvalidCursor."""
    if not cursor or len(cursor) > MAX_CURSOR:
        raise InvalidCursor("invalid cursor")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError, RecursionError) as exc:
        raise InvalidCursor("invalid cursor") from exc
    if not isinstance(key, list) or len(key) != arity or not all(map(_scalar_ok, key)):
        raise InvalidCursor("invalid cursor")
    return key


def encode_keyset(moment: datetime, key: str) -> str:
    """Cursor of a (timestamp, id) keyset position."""
    return encode_cursor([moment.isoformat(), key])


def decode_keyset(cursor: str) -> tuple[datetime, str]:
    """The (aware timestamp inside the sane window, string id) of a keyset cursor."""
    stamp, key = decode_cursor(cursor, arity=2)
    if not isinstance(stamp, str) or not isinstance(key, str):
        raise InvalidCursor("invalid cursor")
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError as exc:
        raise InvalidCursor("invalid cursor") from exc
    if not in_window(moment):
        raise InvalidCursor("invalid cursor")
    return moment, key


def keyset_or_400(cursor: str | None) -> tuple[datetime, str] | None:
    """The keyset position of a list request's cursor (None for the first page); 400 if forged."""
    if cursor is None or cursor == "":
        return None
    try:
        return decode_keyset(cursor)
    except InvalidCursor:
        raise invalid_cursor() from None
