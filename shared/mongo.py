"""The only module that imports the MongoDB driver (motor), so a driver switch touches one file."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from motor.motor_asyncio import (
    AsyncIOMotorClient,
    AsyncIOMotorClientSession,
    AsyncIOMotorCollection,
    AsyncIOMotorDatabase,
)
from pymongo import (
    ASCENDING,
    DESCENDING,
    DeleteOne,
    IndexModel,
    ReplaceOne,
    ReturnDocument,
    UpdateOne,
)
from pymongo.errors import (
    BulkWriteError,
    ConnectionFailure,
    DuplicateKeyError,
    OperationFailure,
    PyMongoError,
)

Client = AsyncIOMotorClient
Database = AsyncIOMotorDatabase
Collection = AsyncIOMotorCollection
Session = AsyncIOMotorClientSession

__all__ = [
    "ASCENDING",
    "DESCENDING",
    "DUPLICATE_KEY",
    "BulkWriteError",
    "Client",
    "Collection",
    "ConnectionFailure",
    "Database",
    "DeleteOne",
    "DuplicateKeyError",
    "IndexModel",
    "OperationFailure",
    "PyMongoError",
    "ReplaceOne",
    "ReturnDocument",
    "Session",
    "UpdateOne",
    "connect",
    "ensure_collections",
    "ping",
    "transaction",
]

T = TypeVar("T")
log = logging.getLogger("akhbar.mongo")

TRANSIENT = "TransientTransactionError"
UNKNOWN_COMMIT = "UnknownTransactionCommitResult"
NAMESPACE_EXISTS = 48
DUPLICATE_KEY = 11000
RETRY_LIMIT_S = 120.0  # as the drivers' convenient API: retry while within two minutes


def connect(url: str, *, timeout_ms: int = 5000) -> AsyncIOMotorClient:
    """A client with short timeouts and UTC-aware datetimes."""
    return AsyncIOMotorClient(
        url,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        uuidRepresentation="standard",
    )


async def ensure_collections(db: AsyncIOMotorDatabase, *names: str) -> None:
    """Create the collections that are missing. Collections that only transactions write
    must exist before one does: SecantusDB hangs when a collection is created outside a
    transaction while an open one creates it by writing to it."""
    held = set(await db.list_collection_names())
    for name in names:
        if name not in held:
            try:
                await db.create_collection(name, check_exists=False)
            except OperationFailure as exc:
                if exc.code != NAMESPACE_EXISTS:
                    raise


async def update_and_read(
    collection: AsyncIOMotorCollection,
    query: dict[str, Any],
    update: dict[str, Any],
    *,
    session: AsyncIOMotorClientSession | None,
    upsert: bool = False,
    key: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The document after `update`, None when `query` matched nothing (and no upsert): what
    `find_one_and_update(..., return_document=AFTER)` answers, as an update and a read of the
    document by `key` (default: `query`'s `_id`; the fields that find it again after the
    update, on an index).

    SecantusDB runs findAndModify's write as a scan of the whole collection (its profile:
    `_scan_docs` under `_update_matching_single_txn`; 12-30 ms at 2,000-3,000 documents against
    ~1 ms for an update by `_id`), while `update` and `find` on an index do not. Inside a
    transaction the pair is as atomic as the one command: the update holds the document's
    write until commit and the read sees the transaction's own write. Outside one, the single
    command is kept (nothing else would be atomic).
    """
    if session is None or not _in_transaction(session):
        found: dict[str, Any] | None = await collection.find_one_and_update(
            query, update, upsert=upsert, return_document=ReturnDocument.AFTER, session=session
        )
        return found
    result = await collection.update_one(query, update, upsert=upsert, session=session)
    if not result.matched_count and result.upserted_id is None:
        return None
    again = key if key is not None else {"_id": query["_id"]}
    doc: dict[str, Any] | None = await collection.find_one(again, session=session)
    return doc


async def delete_and_read(
    collection: AsyncIOMotorCollection,
    query: dict[str, Any],
    *,
    session: AsyncIOMotorClientSession | None,
) -> dict[str, Any] | None:
    """The document `query` finds, deleted (None: there was none): `find_one_and_delete` as a
    read and a delete by `_id` inside a transaction, for the reason `update_and_read` gives."""
    if session is None or not _in_transaction(session):
        found: dict[str, Any] | None = await collection.find_one_and_delete(query, session=session)
        return found
    doc: dict[str, Any] | None = await collection.find_one(query, session=session)
    if doc is not None:
        await collection.delete_one({"_id": doc["_id"]}, session=session)
    return doc


async def ping(client: AsyncIOMotorClient) -> bool:
    """True when the server answers."""
    try:
        await client.admin.command("ping")
    except PyMongoError:
        return False
    return True


async def transaction(
    client: AsyncIOMotorClient,
    callback: Callable[[AsyncIOMotorClientSession], Coroutine[Any, Any, T]],
    *,
    limit_s: float = RETRY_LIMIT_S,
) -> T:
    """Run `callback(session)` in a transaction with the retries MongoDB's labels call for.

    A `TransientTransactionError` (a WriteConflict, a NoSuchTransaction after a server restart)
    from the callback or from the commit runs the whole transaction again; an
    `UnknownTransactionCommitResult` retries only the commit (committing twice is safe: the
    server answers the same transaction number). motor 3.7's `with_transaction` cannot do the
    latter: its `async with` commits on exit, before its own commit-retry loop.
    """
    started = time.monotonic()
    attempt = 0
    async with await client.start_session() as session:
        while True:
            attempt += 1
            session.start_transaction()
            try:
                result = await callback(session)
            except Exception as exc:
                await _abort(session)
                if _labelled(exc, TRANSIENT) and _within(started, limit_s):
                    await _pause(attempt)
                    continue
                raise
            if not _in_transaction(session):
                return result  # the callback ended the transaction itself
            try:
                await _commit(session, started, limit_s)
            except PyMongoError as exc:
                await _abort(session)
                if _labelled(exc, TRANSIENT) and _within(started, limit_s):
                    log.info("transaction retried after a transient commit error: %s", exc)
                    await _pause(attempt)
                    continue
                raise
            return result


async def _commit(session: AsyncIOMotorClientSession, started: float, limit_s: float) -> None:
    attempt = 0
    while True:
        attempt += 1
        try:
            await session.commit_transaction()
            return
        except PyMongoError as exc:
            if not (_labelled(exc, UNKNOWN_COMMIT) and _within(started, limit_s)):
                raise
            if isinstance(exc, OperationFailure) and exc.code == 50:  # MaxTimeMSExpired
                raise
            log.info("commit retried after an unknown commit result: %s", exc)
            await _pause(attempt)


def _in_transaction(session: AsyncIOMotorClientSession) -> bool:
    # motor's stub declares `in_transaction` a method; it is a property (of pymongo's session).
    return bool(session.delegate.in_transaction)


async def _abort(session: AsyncIOMotorClientSession) -> None:
    if _in_transaction(session):
        try:
            await session.abort_transaction()
        except PyMongoError as exc:  # the server may have dropped it already
            log.debug("abort of a failed transaction failed too: %s", exc)


def _labelled(exc: BaseException, label: str) -> bool:
    return isinstance(exc, PyMongoError) and exc.has_error_label(label)


def _within(started: float, limit_s: float) -> bool:
    return time.monotonic() - started < limit_s


async def _pause(attempt: int) -> None:
    """Jittered backoff so writers that conflicted do not collide again in lockstep."""
    await asyncio.sleep(random.uniform(0, min(0.005 * 2**attempt, 0.5)))
