"""Inbox: a consumer's state change and its processed-event record commit together."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from shared import failpoints, mongo
from shared.events import Event, utcnow

COLLECTION = "processed_events"
TTL_INDEX = "processed_at_1"

Apply = Callable[[mongo.Session], Awaitable[None]]


async def ensure_indexes(db: mongo.Database, *, keep_s: float = 14 * 86400) -> None:
    """`_id` is the event id (unique by construction); a TTL index on processed_at drops a
    record once no redelivery can be that old (keep_s exceeds the outbox's retention)."""
    expire = int(keep_s)
    info = await db[COLLECTION].index_information()
    current = info.get(TTL_INDEX)
    if current is not None and current.get("expireAfterSeconds") != expire:
        await db[COLLECTION].drop_index(TTL_INDEX)  # created without (or with another) TTL
    await db[COLLECTION].create_indexes(
        [mongo.IndexModel([("processed_at", mongo.ASCENDING)], name=TTL_INDEX,
                          expireAfterSeconds=expire)]
    )  # fmt: skip


async def handle_once(client: mongo.Client, db: mongo.Database, event: Event, apply: Apply) -> bool:
    """Apply `event` at most once; returns False when it had already been processed."""

    async def run(session: mongo.Session) -> bool:
        # No look-up first: the insert itself refuses a processed event (unique _id), which
        # aborts the transaction before `apply` runs; one round trip fewer per event.
        await db[COLLECTION].insert_one(
            {
                "_id": event.event_id,
                "type": event.type,
                "aggregate_id": event.aggregate_id,
                "processed_at": utcnow(),
            },
            session=session,
        )
        await apply(session)
        return True

    try:
        applied = await mongo.transaction(client, run)
    except mongo.DuplicateKeyError:
        return False  # a concurrent delivery of the same event committed first
    failpoints.hit("inbox.after_commit")  # fault tests: die between commit and XACK
    return applied
