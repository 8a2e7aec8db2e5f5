"""Keyset pagination shared by every list endpoint: the index-served page query, and opaque
cursors (base64url of the JSON sort key).

A page after a position `(value, id)` is two ranges read one after the other: the rest of the
tie at `value` (`id` beyond the cursor's), then every `value` beyond the cursor's. Each is a
plain range on the list's index. One `$or` of the two would say the same, but the MongoDB-wire
server answers `$or` with a collection scan and an in-memory sort.

A cursor comes back from the client, so decoding checks everything the service relies on:
the arity, the type of each part, a timestamp inside the sane window and a bounded id.
Anything else is 400 `invalid_cursor`, never a 500 further down.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from shared import mongo
from shared.errors import invalid_cursor
from shared.moments import in_window

MAX_CURSOR = 512
MAX_PART = 200  # longest string part (ids, slugs, tags)
_INT64 = 2**63

Doc = dict[str, Any]
# (sort field, direction), (tie-breaker, direction): e.g. newest first, ties by id descending.
Order = tuple[tuple[str, int], tuple[str, int]]


def keyset_ranges(
    base: Mapping[str, Any], order: Order, after: tuple[Any, Any] | None
) -> list[Doc]:
    """The filters a page after `after` reads, in order (one filter for the first page).

    A bound `base` already puts on the sort field (a date span) is kept on the second range.
    """
    if after is None:
        return [dict(base)]
    (field, direction), (tie, tie_direction) = order
    value, last = after
    bound = base.get(field)
    span = (
        dict(bound) if isinstance(bound, Mapping) else {} if field not in base else {"$eq": bound}
    )
    return [
        {**base, field: value, tie: {_beyond(tie_direction): last}},
        {**base, field: {**span, _beyond(direction): value}},
    ]


def _beyond(direction: int) -> str:
    return "$lt" if direction < 0 else "$gt"


async def keyset_page(
    collection: mongo.Collection,
    base: Mapping[str, Any],
    order: Order,
    after: tuple[Any, Any] | None,
    limit: int,
    *,
    projection: Mapping[str, Any] | None = None,
) -> list[Doc]:
    """Up to `limit` documents matching `base` in `order`, strictly after the position `after`."""
    docs: list[Doc] = []
    if limit <= 0:  # limit(0) would mean no limit at all
        return docs
    for query in keyset_ranges(base, order, after):
        wanted = limit - len(docs)
        cursor = collection.find(query, projection).sort(list(order)).limit(wanted)
        docs += await cursor.to_list(wanted)
        if len(docs) >= limit:
            break
    return docs


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
