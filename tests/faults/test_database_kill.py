"""The embedded MongoDB-wire server keeps every commit it acknowledged when it is killed.

A consumer acks its stream entry right after its inbox transaction commits: a commit that a
SIGKILL then takes back is an event lost for good (the fault suite saw it as "articles never
applied comments event …" after `kill -9` of the database).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from shared.embedded import MONGO_TRANSACTION_LIFETIME_S, start_mongo

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
        server.cleanup.append(data)  # the folder goes with the last server
        server.stop()


ORPHAN = """
import os, signal, sys
from pymongo import MongoClient
client = MongoClient(sys.argv[1])
session = client.start_session()
session.start_transaction()
client.t.meta.update_one({"_id": "index"}, {"$inc": {"seq": 1}}, upsert=True, session=session)
os.kill(os.getpid(), signal.SIGKILL)  # dies holding the document in an open transaction
"""


def test_a_transaction_left_open_by_a_killed_process_stops_blocking_soon() -> None:
    """A service killed mid-transaction leaves it open on the server, holding what it wrote:
    every writer of the same document (the related index's sequence, say) conflicts until the
    server reaps it. mongod's default reaps after 60 s (the related service stalled that long
    after a kill); Akhbar runs the server with a short transaction lifetime."""
    server = start_mongo()
    try:
        client: MongoClient = MongoClient(server.url)
        client.t.meta.insert_one({"_id": "index", "seq": 0})
        orphan = subprocess.run([sys.executable, "-c", ORPHAN, server.url], check=False)
        assert orphan.returncode == -signal.SIGKILL
        began = time.monotonic()
        while True:
            try:
                with client.start_session() as session, session.start_transaction():
                    client.t.meta.update_one(
                        {"_id": "index"}, {"$inc": {"seq": 1}}, session=session
                    )
                break
            except OperationFailure as exc:
                assert exc.has_error_label("TransientTransactionError"), exc
                assert time.monotonic() - began < 30, "still blocked by the dead transaction"
                time.sleep(0.2)
        waited = time.monotonic() - began
        assert waited < MONGO_TRANSACTION_LIFETIME_S + 5, f"blocked {waited:.1f}s"
        assert client.t.meta.find_one({"_id": "index"})["seq"] == 1  # the orphan's write is gone
        client.close()
    finally:
        server.stop()
