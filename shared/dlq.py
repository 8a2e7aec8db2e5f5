"""Ops tool for dead-letter streams: list what failed and why, replay after a fix.

    python -m shared.dlq list articles.events
    python -m shared.dlq replay articles.events [--id ENTRY_ID]

Replayed events go back onto their stream; consumers' inboxes make the replay harmless to
groups that had already processed them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from typing import Any

from redis.asyncio import Redis

from shared.events import dlq_stream


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
        event = json.loads(entry["event"])
        async with redis.pipeline(transaction=True) as pipe:
            pipe.xadd(
                stream,
                {"__data__": json.dumps(event, ensure_ascii=False)},
                maxlen=maxlen,
                approximate=True,
            )
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
