"""Opaque keyset cursors shared by every list endpoint: base64url of the JSON sort key."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any


def encode_cursor(key: list[Any]) -> str:
    """The cursor for a sort key (JSON-serialisable values)."""
    return (
        base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode().rstrip("=")
    )


def decode_cursor(cursor: str, *, arity: int) -> list[Any]:
    """The sort key inside a cursor; ValueError when it was not made by encode_cursor."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("invalid cursor") from exc
    if not isinstance(key, list) or len(key) != arity:
        raise ValueError("invalid cursor")
    return key
