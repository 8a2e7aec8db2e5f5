"""The outbox's positions: a scalar `seq` per event, from counters spread over SHARDS documents.

One counter document for the whole database made every two concurrent emitting transactions
conflict (two service processes' group commits retried each other most of the time). Here a
transaction reads every shard (a read: it conflicts with nobody), picks one shard at random
and writes only that one:

    block = max(every seq taken so far, as its snapshot sees them) // SHARDS + 1
    seq_i = (block + i) * SHARDS + shard           for its i-th event

Guarantees (all the relay needs, which publishes pending events in `seq` order):
- Unique: two shards never give the same number (different remainders); two transactions on
  one shard write the same document, so one retries after the other committed.
- Commit order between transactions that do not overlap: a transaction that starts after
  another committed sees that one's shard, so every number it takes is larger. In particular
  each aggregate's events keep their order: two transactions that write one aggregate
  conflict on its document, so the later one started after the earlier one committed.
- Two transactions that overlap in time and use different shards may be numbered in either
  order (they are concurrent: neither saw the other's writes).
A shard-less document written by earlier versions (`{_id: "outbox", n}`) counts in the max,
so numbers keep growing across the upgrade.
"""

from __future__ import annotations

import logging
import random

from shared import mongo

log = logging.getLogger("akhbar.outbox")

COUNTER = "outbox_seq"
LEGACY = "outbox"  # the single counter document of earlier versions
SHARDS = 32
_IDS = [f"{LEGACY}:{shard}" for shard in range(SHARDS)]


async def ensure_shards(db: mongo.Database) -> None:
    """Create the shard documents that are missing, outside any transaction (two transactions
    upserting one new document would not both see it)."""
    docs = await db[COUNTER].find({"_id": {"$in": _IDS}}, {"_id": 1}).to_list(None)
    held = {d["_id"] for d in docs}
    for shard_id in _IDS:
        if shard_id not in held:
            try:
                await db[COUNTER].insert_one({"_id": shard_id, "seq": 0})
            except mongo.DuplicateKeyError:
                log.info("outbox counter %s was created by another process", shard_id)


def numbers(high: int, n: int, shard: int) -> list[int]:
    """n numbers above `high` that only `shard` gives, in increasing order."""
    block = high // SHARDS + 1
    return [(block + i) * SHARDS + shard for i in range(n)]


def highest(docs: list[dict[str, object]]) -> int:
    """The largest number any shard (or the legacy counter) gave."""
    values = [d.get("seq") if d["_id"] != LEGACY else d.get("n") for d in docs]
    return max((int(v) for v in values if isinstance(v, int)), default=0)


async def take(
    db: mongo.Database, session: mongo.Session, n: int, *, shard: int | None = None
) -> list[int]:
    """The next n numbers for the caller's transaction (see the module's guarantees)."""
    docs = await db[COUNTER].find({}, session=session).to_list(None)
    shard = random.randrange(SHARDS) if shard is None else shard
    taken = numbers(highest(docs), n, shard)
    await db[COUNTER].update_one(
        {"_id": _IDS[shard]}, {"$max": {"seq": taken[-1]}}, upsert=True, session=session
    )
    return taken
