"""Commit errors labelled by MongoDB are retried inside shared/mongo.py (defect 6)."""

from __future__ import annotations

import pytest
from motor.motor_asyncio import AsyncIOMotorClientSession as Session
from pymongo.errors import OperationFailure

from shared import mongo


def _failure(code: int, label: str) -> OperationFailure:
    return OperationFailure(
        f"injected {label}", code=code, details={"code": code, "errorLabels": [label]}
    )


@pytest.fixture
def db(mongo_server, isolation):  # type: ignore[no-untyped-def]
    client = mongo.connect(mongo_server.url)
    yield client, client[f"commit_{isolation}"]
    client.close()


def inject(monkeypatch: pytest.MonkeyPatch, failures: list[tuple[OperationFailure, bool]]) -> list:
    """Make the next commits fail: (error, whether the commit really happened first)."""
    real = Session.commit_transaction
    calls: list[str] = []

    async def commit(self: Session) -> None:
        if failures:
            error, applied = failures.pop(0)
            if applied:
                await real(self)
            calls.append((error.details or {}).get("errorLabels", ["other"])[0])
            raise error
        await real(self)
        calls.append("ok")

    monkeypatch.setattr(Session, "commit_transaction", commit)
    return calls


async def write(client, db, key: str) -> str:  # type: ignore[no-untyped-def]
    async def work(session: mongo.Session) -> str:
        await db.entities.insert_one({"_id": key}, session=session)
        await db.outbox.insert_one({"_id": f"ev-{key}"}, session=session)
        return key

    return await mongo.transaction(client, work)


async def test_transient_error_at_commit_reruns_the_transaction(db, monkeypatch):
    client, database = db
    # NoSuchTransaction after a server restart: nothing was committed.
    calls = inject(monkeypatch, [(_failure(251, mongo.TRANSIENT), False)])
    assert await write(client, database, "c1") == "c1"
    assert calls == [mongo.TRANSIENT, "ok"]
    assert await database.entities.count_documents({}) == 1
    assert await database.outbox.count_documents({}) == 1


async def test_unknown_commit_result_retries_the_commit_only(db, monkeypatch):
    client, database = db
    # The commit happened but its answer was lost: retrying the commit must not write twice.
    calls = inject(
        monkeypatch,
        [(_failure(91, mongo.UNKNOWN_COMMIT), True), (_failure(91, mongo.UNKNOWN_COMMIT), True)],
    )
    assert await write(client, database, "c2") == "c2"
    assert calls == [mongo.UNKNOWN_COMMIT, mongo.UNKNOWN_COMMIT, "ok"]
    assert await database.entities.count_documents({"_id": "c2"}) == 1
    assert await database.outbox.count_documents({}) == 1


async def test_unknown_commit_result_before_the_commit_reached_the_server(db, monkeypatch):
    client, database = db
    calls = inject(monkeypatch, [(_failure(91, mongo.UNKNOWN_COMMIT), False)])
    assert await write(client, database, "c3") == "c3"
    assert calls[-1] == "ok"
    assert await database.entities.count_documents({"_id": "c3"}) == 1


async def test_other_errors_are_not_retried(db, monkeypatch):
    client, database = db
    inject(monkeypatch, [(OperationFailure("bad", code=2, details={"code": 2}), False)])
    with pytest.raises(OperationFailure):
        await write(client, database, "c4")
    assert await database.entities.count_documents({"_id": "c4"}) == 0
