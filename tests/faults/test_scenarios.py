"""Faults injected into the running system; after each, every read model equals its owner.

Each test runs its own MongoDB-wire server, Redis (AOF) and services as real processes, drives
the workload, injects the fault, waits for quiet and runs the one checker, which prints
`lost=… applied_twice=… stuck_pending=…`. A longer randomized soak runs when
AKHBAR_SOAK_SECONDS is set.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.faults.checker import check, wait_quiet
from tests.faults.cluster import Cluster, Replica
from tests.faults.workload import Workload

pytestmark = pytest.mark.faults


@pytest.fixture
async def cluster(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Cluster]:
    replicas = getattr(request, "param", None) or {"articles": 1, "comments": 1, "related": 1}
    made = Cluster(tmp_path, replicas=dict(replicas))
    made.start_mongo()
    made.start_redis()
    try:
        yield made
    finally:
        made.stop()


async def started(
    cluster: Cluster, names: tuple[str, ...] = ("articles", "comments", "related")
) -> None:
    await asyncio.to_thread(cluster.start, names)


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=httpx.Timeout(15.0))


async def wait_exit(replica: Replica, timeout: float = 60) -> int:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while replica.alive:
        assert time.monotonic() < deadline, f"{replica.name} did not exit"
        await asyncio.sleep(0.1)
    assert replica.proc is not None
    return int(replica.proc.returncode)


async def assert_clean(cluster: Cluster, workload: Workload) -> None:
    report = await asyncio.to_thread(check, cluster, workload)
    report.assert_clean()
    assert report.counts["approved"] > 0  # the workload did reach the counts it checks


@pytest.mark.parametrize(
    "victim",
    [
        "articles",  # consumes comment events (comment counts)
        "comments",  # consumes article events (its article model)
        "related",  # consumes article events (the index)
    ],
)
async def test_consumer_killed_between_commit_and_ack(cluster, victim):
    """kill -9 right after the inbox commit, before XACK: the redelivery is not applied twice."""
    await started(cluster)
    async with client() as http:
        workload = Workload(cluster)
        await workload.setup(http)
        await workload.run(http, rounds=2)
        # Quiet first: the restart (to arm the failpoint) must not find events waiting for it,
        # or its 3rd commit comes before it is seen ready (the relays publish whole batches).
        assert not await asyncio.to_thread(wait_quiet, cluster)
        replica = cluster.services[victim][0]
        cluster.signal(replica, signal.SIGKILL)
        cluster.start_replica(replica, failpoints="inbox.after_commit=3")
        await asyncio.to_thread(cluster.wait_ready, replica)
        await workload.run(http, rounds=3)
        assert await wait_exit(replica) == -signal.SIGKILL, f"{victim}: failpoint not hit"
        await asyncio.to_thread(cluster.restart, replica)
        await workload.run(http, rounds=2)
    await assert_clean(cluster, workload)


async def test_related_killed_while_handling_its_first_events(cluster):
    """The same kill, right after the service's first events: it must still recover.

    The first kill lands mid-transaction: the server keeps that transaction open, holding the
    index's sequence, so the restarted service's changes conflicted until it was reaped (60 s
    by default, past this test's waits; 10 s now, tests/faults/test_database_kill.py)."""
    await started(cluster)
    async with client() as http:
        workload = Workload(cluster)
        await workload.setup(http)
        await workload.run(http, rounds=1)
        replica = cluster.services["related"][0]
        cluster.signal(replica, signal.SIGKILL)
        cluster.start_replica(replica, failpoints="inbox.after_commit=3")
        await asyncio.to_thread(cluster.wait_ready, replica)
        await workload.run(http, rounds=3)
        assert await wait_exit(replica) == -signal.SIGKILL, "related: failpoint not hit"
        await asyncio.to_thread(cluster.restart, replica)
        await workload.run(http, rounds=2)
    await assert_clean(cluster, workload)


async def test_relay_killed_between_xadd_and_mark_sent(cluster):
    """The relay dies after publishing, before marking sent: republished, applied once.

    The failpoint counts batches (one pipeline of XADDs each): the restarted relay waits for
    the dead one's lease, so the workload's events may all go in its first batch."""
    await started(cluster)
    articles = cluster.services["articles"][0]
    cluster.signal(articles, signal.SIGKILL)
    cluster.start_replica(articles, failpoints="outbox.after_publish=1")
    await asyncio.to_thread(cluster.wait_ready, articles)
    async with client() as http:
        workload = Workload(cluster)
        await workload.setup(http)
        await workload.run(http, rounds=3)
        assert await wait_exit(articles) == -signal.SIGKILL
        await asyncio.to_thread(cluster.restart, articles)
        await workload.run(http, rounds=3)
    await assert_clean(cluster, workload)


@pytest.mark.parametrize(
    "cluster", [{"articles": 2, "comments": 2, "related": 2}], indirect=True, ids=["replicas"]
)
async def test_two_replicas_each_one_stopped_past_claim_time(cluster):
    """Two replicas of everything; one consumer SIGSTOPped past the claim time, then resumed."""
    await started(cluster)
    async with client() as http:
        workload = Workload(cluster)
        await workload.setup(http)
        await workload.run(http, rounds=2)
        frozen = [cluster.services["comments"][0], cluster.services["related"][1]]
        for replica in frozen:
            cluster.signal(replica, signal.SIGSTOP)
        await workload.run(http, rounds=3)
        await asyncio.sleep(3)  # past CLAIM_MIN_IDLE_MS (2 s): the other replicas claim
        for replica in frozen:
            cluster.signal(replica, signal.SIGCONT)
        await workload.run(http, rounds=2)
    await assert_clean(cluster, workload)


async def test_sigterm_while_handling(cluster):
    """SIGTERM mid-workload: the service drains, stops cleanly and picks up after a restart."""
    await started(cluster)
    async with client() as http:
        workload = Workload(cluster)
        await workload.setup(http)
        busy = asyncio.create_task(workload.run(http, rounds=5))
        await asyncio.sleep(1.5)
        for name in ("related", "comments"):
            replica = cluster.services[name][0]
            cluster.signal(replica, signal.SIGTERM)
            assert await wait_exit(replica, 40) in (0, -signal.SIGTERM), cluster.tail(replica)
        await busy
        for name in ("related", "comments"):
            await asyncio.to_thread(cluster.restart, cluster.services[name][0])
        await workload.run(http, rounds=2)
    await assert_clean(cluster, workload)


async def test_redis_stopped_paused_and_killed_on_aof(cluster):
    """Redis stopped, paused and killed -9, each time back on its AOF: nothing lost."""
    await started(cluster)
    async with client() as http:
        workload = Workload(cluster)
        await workload.setup(http)
        await workload.run(http, rounds=2)
        for fault in ("stop", "pause", "kill"):
            if fault == "pause":
                cluster.signal_server(cluster.redis, signal.SIGSTOP)
                await workload.run(http, rounds=1)
                await asyncio.sleep(3)
                cluster.signal_server(cluster.redis, signal.SIGCONT)
            else:
                sig = signal.SIGTERM if fault == "stop" else signal.SIGKILL
                cluster.signal_server(cluster.redis, sig)
                await workload.run(http, rounds=1)  # writes go on: the outbox holds the events
                await asyncio.to_thread(cluster.start_redis)
            await workload.run(http, rounds=1)
    await assert_clean(cluster, workload)


async def test_redis_restarted_empty_mid_workload(cluster):
    """Redis loses everything while events are in flight: the services notice the lost
    streams and recover (outboxes republished, read models rebuilt from their owners)."""
    await started(cluster)
    async with client() as http:
        workload = Workload(cluster)
        await workload.setup(http)
        await workload.run(http, rounds=2)
        busy = asyncio.create_task(workload.run(http, rounds=3))
        await asyncio.sleep(1.0)
        cluster.signal_server(cluster.redis, signal.SIGKILL)
        await asyncio.to_thread(cluster.start_redis, empty=True)
        await busy
        await workload.run(http, rounds=2)
    await assert_clean(cluster, workload)


async def test_mongo_killed_and_restarted(cluster):
    """While the database is down the API answers 503 in the error shape, fast; then recovers."""
    await started(cluster)
    async with client() as http:
        workload = Workload(cluster)
        await workload.setup(http)
        await workload.run(http, rounds=2)
        some_article = next(iter(workload.articles))
        cluster.signal_server(cluster.mongo, signal.SIGKILL)
        probes = [
            ("GET", f"{cluster.url('articles')}/articles/{some_article}", None),
            ("GET", f"{cluster.url('comments')}/articles/{some_article}/comments", None),
            ("GET", f"{cluster.url('related')}/articles/{some_article}/related", None),
            (
                "POST",
                f"{cluster.url('comments')}/articles/{some_article}/comments",
                {"author_name": "قارئ", "author_email": "down@example.com", "body": "هل يعمل؟"},
            ),
        ]
        for method, url, body in probes:
            began = time.monotonic()
            response = await http.request(method, url, json=body, timeout=20)
            took = time.monotonic() - began
            assert response.status_code == 503, (url, response.status_code, response.text[:300])
            assert response.json()["error"]["code"] == "unavailable"
            assert response.headers.get("x-request-id")
            assert took < 12, f"{url} took {took:.1f}s"
        await asyncio.to_thread(cluster.start_mongo)
        await asyncio.sleep(1)
        await workload.run(http, rounds=3)
    await assert_clean(cluster, workload)


async def test_related_first_started_after_500_publishes(cluster):
    """A consumer that starts late reads the whole stream from its beginning."""
    await started(cluster, ("articles", "comments"))
    async with client() as http:
        workload = Workload(cluster)
        await workload.setup(http)
        gate = asyncio.Semaphore(8)

        async def publish() -> None:
            async with gate:
                await workload.publish(http)

        await asyncio.gather(*(publish() for _ in range(500)))
        assert len(workload.articles) >= 500
        await started(cluster, ("related",))
        await workload.run(http, rounds=1)
    report = await asyncio.to_thread(check, cluster, workload, timeout=240)
    report.assert_clean()


FAULTS = ("kill_consumer", "stop_consumer", "term_consumer", "redis_stop", "redis_pause")


@pytest.mark.skipif(not os.environ.get("AKHBAR_SOAK_SECONDS"), reason="opt-in: AKHBAR_SOAK_SECONDS")
@pytest.mark.parametrize(
    "cluster", [{"articles": 2, "comments": 2, "related": 2}], indirect=True, ids=["replicas"]
)
async def test_randomized_soak(cluster):
    """Random faults from the list above, bounded in time, with the workload running."""
    seconds = float(os.environ["AKHBAR_SOAK_SECONDS"])
    rng = random.Random(int(os.environ.get("AKHBAR_SOAK_SEED", "1")))
    await started(cluster)
    async with client() as http:
        workload = Workload(cluster, rng=random.Random(rng.random()))
        await workload.setup(http)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            busy = asyncio.create_task(workload.run(http, rounds=2))
            fault = rng.choice(FAULTS)
            replica = rng.choice(cluster.services[rng.choice(("articles", "comments", "related"))])
            print(f"soak: {fault} {replica.name}-{replica.index}")
            if fault == "kill_consumer":
                cluster.signal(replica, signal.SIGKILL)
                await busy
                await asyncio.to_thread(cluster.restart, replica)
            elif fault == "stop_consumer":
                cluster.signal(replica, signal.SIGSTOP)
                await asyncio.sleep(rng.uniform(0.5, 4))
                cluster.signal(replica, signal.SIGCONT)
            elif fault == "term_consumer":
                cluster.signal(replica, signal.SIGTERM)
                await wait_exit(replica, 40)
                await busy
                await asyncio.to_thread(cluster.restart, replica)
            elif fault == "redis_stop":
                cluster.signal_server(cluster.redis, signal.SIGTERM)
                await asyncio.sleep(rng.uniform(0.5, 3))
                await asyncio.to_thread(cluster.start_redis)
            else:
                cluster.signal_server(cluster.redis, signal.SIGSTOP)
                await asyncio.sleep(rng.uniform(0.5, 3))
                cluster.signal_server(cluster.redis, signal.SIGCONT)
            await busy
    await assert_clean(cluster, workload)
