"""Rebuild while serving, events during a rebuild, the command, replicas, a failed write."""

from __future__ import annotations

import asyncio

from services.related import rebuild_command
from services.related.repository import IndexRepository
from services.related.scoring import Stats
from tests.conftest import ADMIN
from tests.helpers import eventually
from tests.integration.related import support


async def test_old_lists_serve_during_rebuild_and_events_meanwhile_are_kept(start_related):
    history = support.History(support.ant_articles(16), seed=3)
    store: dict = {}
    gate = asyncio.Event()
    async with start_related(store, gate, articles_page_size=5) as related:
        client = related.client
        await related.send(*(history.step() for _ in range(40)))
        await related.processed(40)
        store.update(history.snapshots())
        before = await related.lists()
        job = (await client.post("/admin/rebuild", headers=ADMIN)).json()
        assert job["status"] in ("queued", "running")
        again = (await client.post("/admin/rebuild", headers=ADMIN)).json()
        assert again["job_id"] == job["job_id"]  # one rebuild at a time

        async def fetching() -> bool:
            state = (await client.get(f"/admin/rebuild/{job['job_id']}", headers=ADMIN)).json()
            return bool(state["phase"] == "fetching" and state["processed"] == 5)

        await eventually(fetching)
        for aid in before:  # the old lists keep serving
            response = await client.get(f"/articles/{aid}/related")
            assert response.status_code == 200
            # served items carry the card's optional fields (None when absent) and `source`
            served = [
                {k: v for k, v in i.items() if k != "source" and v is not None}
                for i in response.json()["items"]
            ]
            stored = [
                {k: v for k, v in i.items() if k != "source" and v is not None} for i in before[aid]
            ]
            assert served == stored
        await related.send(*(history.step() for _ in range(10)))  # not in the listing
        await related.processed(50)
        gate.set()

        async def finished() -> bool:
            state = (await client.get(f"/admin/rebuild/{job['job_id']}", headers=ADMIN)).json()
            assert state["status"] != "failed", state
            return bool(state["status"] == "succeeded")

        await eventually(finished, timeout=60)
        state = (await client.get(f"/admin/rebuild/{job['job_id']}", headers=ADMIN)).json()
        assert state["finished_at"] and state["processed"] == state["total"]
        stats = await support.index_stats(related.app)
        expected = support.expected_lists(related.settings, history.published(), stats)
        assert await related.lists() == expected


async def test_command_rebuilds_and_a_running_service_follows(start_related):
    history = support.History(support.ant_articles(14), seed=8)
    async with start_related() as related:
        settings = related.settings
        await related.send(*(history.step() for _ in range(30)))
        await related.processed(30)
        listing = support.transport(history.snapshots())
        job = await rebuild_command.run(settings, transport=listing, quiet=True)
        assert job["status"] == "succeeded"
        assert job["result"]["articles"] == len(history.published())
        stats = await support.index_stats(related.app)
        assert stats.n_docs == len(history.published())
        assert await related.lists() == support.expected_lists(settings, history.published(), None)
        await related.send(*(history.step() for _ in range(15)))  # service reloads the epoch
        await related.processed(45)
        assert await related.lists() == support.expected_lists(settings, history.published(), stats)


async def test_two_replicas_on_one_group_produce_the_lists_of_one(infra, isolation):
    history = support.History(support.ant_articles(16), seed=17)
    one = support.related_settings(infra, isolation, consumer_name="replica-1")
    two = support.related_settings(infra, isolation, consumer_name="replica-2")
    first, second = support.create_app(one), support.create_app(two)
    async with (
        support.producer(infra, isolation) as articles_rt,
        support.app_client(first),
        support.app_client(second),
    ):
        await support.send(articles_rt, *(history.step() for _ in range(80)))
        await support.processed(first, 80)
        shares = await first.state.related.runtime.redis.xinfo_consumers(
            one.stream("articles.events"), "related"
        )
        assert len(shares) == 2  # both replicas read from the group
        assert await support.stored_lists(first) == support.expected_lists(
            one, history.published(), Stats()
        )


async def test_failed_write_after_engine_change_is_retried_to_the_right_state(
    start_related, monkeypatch
):
    history = support.History(support.ant_articles(10), seed=4)
    real = IndexRepository.write_lists
    failures = {"left": 3}

    async def flaky(store, upserts, deletes, session=None):  # type: ignore[no-untyped-def]
        if session is not None and failures["left"] > 0:
            failures["left"] -= 1
            raise RuntimeError("MongoDB went away mid-transaction")
        await real(store, upserts, deletes, session)

    monkeypatch.setattr(IndexRepository, "write_lists", flaky)
    async with start_related() as related:
        await related.send(*(history.step() for _ in range(25)))
        await related.processed(25)
        assert failures["left"] == 0
        expected = support.expected_lists(related.settings, history.published(), Stats())
        assert await related.lists() == expected
        engine = related.ctx.index.engine
        assert set(engine.lists()) == set(history.published())  # memory matches MongoDB


async def test_first_event_after_restart_uses_the_stored_index(infra, isolation):
    history = support.History(support.ant_articles(12), seed=9)
    settings = support.related_settings(infra, isolation)
    async with support.producer(infra, isolation) as articles_rt:
        app = support.create_app(settings)
        async with support.app_client(app):
            await support.send(articles_rt, *(history.step() for _ in range(25)))
            await support.processed(app, 25)
        restarted = support.create_app(settings)
        async with support.app_client(restarted):
            await support.send(articles_rt, *(history.step() for _ in range(10)))
            await support.processed(restarted, 35)
            expected = support.expected_lists(settings, history.published(), Stats())
            assert await support.stored_lists(restarted) == expected
            index = restarted.state.related.index
            assert {a: len(x) for a, x in index.engine.lists().items()} == {
                a: len(x) for a, x in expected.items()
            }


async def test_statistics_are_refreshed_automatically_when_the_corpus_grows(start_related):
    """Idf frozen on an empty corpus would score every term alike: growth triggers a rebuild."""
    articles = support.ant_articles(24)
    store = {a["id"]: support.snapshot(a, version=1) for a in articles}
    async with start_related(store, auto_rebuild_growth=1.3, auto_rebuild_min_docs=20) as related:
        await related.send(*(support.event("published", a, 1) for a in articles))
        await related.processed(len(articles))

        async def refreshed() -> bool:
            return (await support.index_stats(related.app)).n_docs >= 20

        await eventually(refreshed, timeout=30)
        jobs = await related.ctx.runtime.db.rebuild_jobs.find({}).to_list(None)
        assert [job["requested_by"] for job in jobs] == ["auto:corpus-grew"]
        assert (
            await support.index_stats(related.app)
        ).df  # real frequencies, not an empty snapshot
