"""Dead letters of one stream: list, show, replay onto the stream, drop."""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis

from akhbar_cli.context import CliError, Exit
from shared import dlq
from shared.events import dlq_stream


def summary(entry: dict[str, Any]) -> dict[str, Any]:
    """The fields an operator scans: which event, which group, how often, why."""
    try:
        event = json.loads(entry.get("event", "{}"))
    except ValueError:
        event = {}
    return {
        "dlq_id": entry["dlq_id"],
        "reason": entry.get("reason") or "failed",
        "group": entry.get("group"),
        "event_type": event.get("type"),
        "event_id": event.get("event_id"),
        "deliveries": entry.get("deliveries"),
        "failed_at": entry.get("failed_at"),
        "error": (entry.get("error") or "").strip().splitlines()[-1:] or [""],
    }


async def entries(redis: Redis, stream: str, count: int) -> list[dict[str, Any]]:
    return await dlq.list_entries(redis, stream, count)


async def get(redis: Redis, stream: str, dlq_id: str) -> dict[str, Any]:
    found = await redis.xrange(dlq_stream(stream), min=dlq_id, max=dlq_id, count=1)
    if not found:
        raise CliError(f"no dead letter {dlq_id} in {dlq_stream(stream)}", Exit.NOT_FOUND)
    entry_id, fields = found[0]
    entry: dict[str, Any] = {"dlq_id": _text(entry_id)}
    entry |= {_text(k): _text(v) for k, v in (fields or {}).items()}
    if "event" in entry:
        try:
            entry["event"] = json.loads(entry["event"])
        except ValueError:
            pass
    return entry


async def _require(redis: Redis, stream: str, ids: list[str]) -> None:
    for dlq_id in ids:
        await get(redis, stream, dlq_id)


async def replay(redis: Redis, stream: str, ids: list[str] | None, maxlen: int) -> int:
    """Put dead letters (all, or `ids`) back on their stream; unknown ids fail before any."""
    if ids:
        await _require(redis, stream, ids)
    return await dlq.replay(redis, stream, ids or None, maxlen=maxlen)


async def drop(redis: Redis, stream: str, ids: list[str] | None) -> int:
    """Delete dead letters (all, or `ids`) for good; unknown ids fail before any is deleted."""
    if ids:
        await _require(redis, stream, ids)
        return int(await redis.xdel(dlq_stream(stream), *ids))
    dropped = 0
    while batch := await redis.xrange(dlq_stream(stream), count=500):
        ids_found = [_text(entry_id) for entry_id, _ in batch]
        dropped += int(await redis.xdel(dlq_stream(stream), *ids_found))
    return dropped


def _text(value: bytes | str | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")
