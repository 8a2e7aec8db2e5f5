"""Incremental maintenance equals a full build; duplicates and out-of-order events are harmless."""

from __future__ import annotations

import random

from services.related.scoring import Stats
from tests.conftest import ADMIN
from tests.helpers import eventually
from tests.integration.related import support


async def test_random_events_then_rebuild_then_more_events_match_full_builds(infra, isolation):
    history = support.History(support.ant_articles(18), seed=11)
    store: dict = {}
    # A small basis so that the rebuild fits one on 18 articles: the semantic side is live.
    settings = support.related_settings(infra, isolation, semantic_min_docs=5, semantic_dims=6)
    app = support.create_app(settings, articles_transport=support.transport(store))
    async with support.producer(infra, isolation) as articles_rt:
        async with support.app_client(app) as client:
            await support.send(articles_rt, *(history.step() for _ in range(70)))
            await support.processed(app, 70, wait_s=180)
            expected = support.expected_lists(settings, history.published(), Stats())
            assert await support.stored_lists(app) == expected

            store.update(history.snapshots())
            job = (await client.post("/admin/rebuild", headers=ADMIN)).json()
            await _succeeded(client, job["job_id"])
            stats, basis = await support.index_stats(app), await support.index_basis(app)
            assert stats.n_docs == len(history.published())  # fresh statistics of the corpus
            assert basis is not None and basis.dims == 6  # and a fresh basis, stored
            assert await support.stored_lists(app) == support.expected_lists(
                settings, history.published(), None
            )

            await support.send(articles_rt, *(history.step() for _ in range(40)))
            await support.processed(app, 110, wait_s=180)
            expected = support.expected_lists(settings, history.published(), stats, basis)
            assert await support.stored_lists(app) == expected
            sources = {i["source"] for items in expected.values() for i in items}
            assert "semantic" in sources or "both" in sources

        # A restart loads the stored basis: further events rank exactly as before the restart.
        restarted = support.create_app(settings, articles_transport=support.transport(store))
        async with support.app_client(restarted):
            await support.send(articles_rt, *(history.step() for _ in range(30)))
            await support.processed(restarted, 140, wait_s=180)
            expected = support.expected_lists(settings, history.published(), stats, basis)
            assert await support.stored_lists(restarted) == expected


async def test_duplicates_and_late_older_versions_change_nothing(start_related):
    history = support.History(support.ant_articles(14), seed=23)
    for _ in range(50):
        history.step()
    rng = random.Random(5)
    noisy = list(history.sent)
    noisy += rng.sample(history.sent, 15)  # redelivered with the same event ids
    rng.shuffle(noisy)  # and out of order: an older version arriving late is ignored
    async with start_related() as related:
        await related.send(*noisy)
        await related.processed(50)
        await _quiet(related.app, len(noisy))
        expected = support.expected_lists(related.settings, history.published(), Stats())
        assert await related.lists() == expected
        docs = related.ctx.runtime.db.docs
        for aid, version in history.version.items():
            if version:
                assert (await docs.find_one({"_id": aid}))["version"] == version


async def test_late_published_cannot_resurrect_a_deleted_article(start_related):
    first, second = support.ant_articles(2)
    async with start_related() as related:
        client = related.client
        await related.send(
            support.event("published", second, 1), support.event("deleted", first, 3)
        )
        await related.send(support.event("published", first, 2))
        await related.processed(3)
        assert (await client.get(f"/articles/{first['id']}/related")).status_code == 404
        items = (await client.get(f"/articles/{second['id']}/related")).json()["items"]
        assert first["id"] not in [i["id"] for i in items]


async def _succeeded(client, job_id: str) -> None:  # type: ignore[no-untyped-def]
    async def done() -> bool:
        job = (await client.get(f"/admin/rebuild/{job_id}", headers=ADMIN)).json()
        assert job["status"] != "failed", job
        return bool(job["status"] == "succeeded")

    await eventually(done, timeout=60)


async def _quiet(app, sent: int) -> None:  # type: ignore[no-untyped-def]
    """Every sent entry was acknowledged by the related group (duplicates included)."""
    ctx = app.state.related
    stream = ctx.settings.stream("articles.events")

    async def acked() -> bool:
        groups = await ctx.runtime.redis.xinfo_groups(stream)
        group = next(g for g in groups if g["name"] in (b"related", "related"))
        return bool(group["pending"] == 0 and group.get("entries-read", sent) >= sent)

    await eventually(acked, timeout=30)
