"""Ops tool for dead-letter streams: list what failed and why, replay after a fix.

    python -m shared.dlq list articles.events
    python -m shared.dlq replay articles.events [--id ENTRY_ID]

Replayed events go back onto their stream; consumers' inboxes make the replay harmless to
groups that had already processed them.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
from typing import Any

from redis.asyncio import Redis

from shared.events import dlq_stream, utcnow

REASON_FAILED = "failed"  # the handler failed max_deliveries times
REASON_INVALID = "invalid"  # the entry cannot be decoded or validated as an event
REASON_TRIMMED = "trimmed"  # MAXLEN trimmed the entry away while it was pending


def record(
    *,
    stream: str,
    group: str,
    entry_id: bytes | str,
    deliveries: int,
    error: str,
    reason: str,
    payload: dict[str, Any] | None,
    fields: dict[bytes, bytes] | None,
) -> dict[str, str]:
    """The dead-letter record: where it came from, why, and the original entry's fields."""
    original = {
        k.decode(errors="replace"): base64.b64encode(v).decode() for k, v in (fields or {}).items()
    }
    return {
        "reason": reason,
        "stream": stream,
        "group": group,
        "entry_id": entry_id.decode() if isinstance(entry_id, bytes) else entry_id,
        "deliveries": str(deliveries),
        "error": error,
        "event": json.dumps(payload, ensure_ascii=False, default=str) if payload else "",
        "fields_b64": json.dumps(original),
        "failed_at": utcnow().isoformat(),
    }


async def dead_letter(
    redis: Redis,
    rec: dict[str, str],
    *,
    ack: bool,
    errors_key: str,
    maxlen: int,
) -> None:
    """Write the record and ack the entry in one MULTI/EXEC: both happen or neither does."""
    async with redis.pipeline(transaction=True) as pipe:
        pipe.xadd(dlq_stream(rec["stream"]), rec, maxlen=maxlen, approximate=True)  # type: ignore[arg-type]
        if ack:
            pipe.xack(rec["stream"], rec["group"], rec["entry_id"])
        pipe.hdel(errors_key, rec["entry_id"])
        await pipe.execute()


def original_fields(entry: dict[str, Any]) -> dict[bytes, bytes]:
    """The dead-lettered entry's fields as they were on the stream."""
    raw = json.loads(entry.get("fields_b64") or "{}")
    return {k.encode(): base64.b64decode(v) for k, v in raw.items()}


async def list_entries(redis: Redis, stream: str, count: int = 100) -> list[dict[str, Any]]:
    """The oldest `count` dead letters of a stream, decoded."""
    entries: list[tuple[bytes, dict[bytes, bytes]]] = await redis.xrange(
        dlq_stream(stream), count=count
    )  # type: ignore[assignment]
    return [
        {"dlq_id": entry_id.decode(), **{k.decode(): v.decode() for k, v in fields.items()}}
        for entry_id, fields in entries
    ]


async def replay(
    redis: Redis, stream: str, entry_ids: list[str] | None = None, maxlen: int = 100_000
) -> int:
    """Put dead letters back on their stream and remove them from the DLQ; returns the count."""
    replayed = 0
    for entry in await list_entries(redis, stream, count=10_000):
        if entry_ids and entry["dlq_id"] not in entry_ids:
            continue
        if not entry.get("event"):
            continue  # trimmed away before anyone read it: nothing to put back
        fields = original_fields(entry) or {
            b"__data__": json.dumps(json.loads(entry["event"]), ensure_ascii=False).encode()
        }
        async with redis.pipeline(transaction=True) as pipe:
            pipe.xadd(stream, fields, maxlen=maxlen, approximate=True)  # type: ignore[arg-type]
            pipe.xdel(dlq_stream(stream), entry["dlq_id"])
            await pipe.execute()
        replayed += 1
    return replayed


async def _main(args: argparse.Namespace) -> None:
    redis = Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    try:
        if args.command == "list":
            for entry in await list_entries(redis, args.stream, args.count):
                print(json.dumps(entry, ensure_ascii=False))
        else:
            print(f"replayed {await replay(redis, args.stream, args.id or None)}")
    finally:
        await redis.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["list", "replay"])
    parser.add_argument("stream", help="the source stream, e.g. articles.events")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--id", action="append", help="replay only this DLQ entry id (repeatable)")
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
