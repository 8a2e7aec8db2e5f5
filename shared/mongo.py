"""The only module that imports the MongoDB driver (motor), so a driver switch touches one file."""

from __future__ import annotations

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
from pymongo.errors import BulkWriteError, ConnectionFailure, DuplicateKeyError, PyMongoError

Client = AsyncIOMotorClient
Database = AsyncIOMotorDatabase
Collection = AsyncIOMotorCollection
Session = AsyncIOMotorClientSession

__all__ = [
    "ASCENDING",
    "DESCENDING",
    "BulkWriteError",
    "Client",
    "Collection",
    "ConnectionFailure",
    "Database",
    "DeleteOne",
    "DuplicateKeyError",
    "IndexModel",
    "PyMongoError",
    "ReplaceOne",
    "ReturnDocument",
    "Session",
    "UpdateOne",
    "connect",
    "ping",
    "transaction",
]

T = TypeVar("T")


def connect(url: str, *, timeout_ms: int = 5000) -> AsyncIOMotorClient:
    """A client with short timeouts and UTC-aware datetimes."""
    return AsyncIOMotorClient(
        url,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        uuidRepresentation="standard",
    )


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
) -> T:
    """Run `callback(session)` in a transaction, retried on transient errors (WriteConflict)."""
    async with await client.start_session() as session:
        result: Any = await session.with_transaction(callback)
        return result  # type: ignore[no-any-return]
