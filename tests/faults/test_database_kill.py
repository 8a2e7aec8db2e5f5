"""The embedded MongoDB-wire server keeps every commit it acknowledged when it is killed.

A consumer acks its stream entry right after its inbox transaction commits: a commit that a
SIGKILL then takes back is an event lost for good (the fault suite saw it as "articles never
applied comments event …" after `kill -9` of the database).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from pymongo import MongoClient

from shared.embedded import start_mongo

pytestmark = pytest.mark.faults


def test_acknowledged_transactions_survive_sigkill() -> None:
    data = Path(tempfile.mkdtemp(prefix="akhbar-durable-"))
    server = start_mongo(data)
    try:
        client: MongoClient = MongoClient(server.url)
        for index in range(200):  # an inbox record and its effect, committed together
            with client.start_session() as session, session.start_transaction():
                client.t.inbox.insert_one({"_id": index}, session=session)
                client.t.effects.update_one(
                    {"_id": "count"}, {"$inc": {"n": 1}}, upsert=True, session=session
                )
        client.close()
        server.proc.kill()  # SIGKILL right after the last acknowledgement
        server.proc.wait()
        server = start_mongo(data)
        client = MongoClient(server.url)
        assert client.t.inbox.count_documents({}) == 200
        assert client.t.effects.find_one({"_id": "count"})["n"] == 200
        client.close()
    finally:
        server.stop()
        server.cleanup.append(data)
        server.stop()
