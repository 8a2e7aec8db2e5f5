"""Scheduled publication: on time, once, even with two replicas' schedulers racing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from services.articles.main import create_app
from services.articles.repository import ArticleRepository
from services.articles.scheduler import publish_due
from shared.events import utcnow
from shared.runtime import Runtime
from tests.helpers import app_client, eventually
from tests.integration.articles.conftest import Svc


async def test_two_replicas_publish_each_scheduled_article_once(svc: Svc, settings):
    other = create_app(settings.model_copy(update={"consumer_name": "replica-2"}))
    async with app_client(other) as second:
        articles = [await svc.create(title=f"مجدول {n}") for n in range(6)]
        publish_at = (utcnow() + timedelta(seconds=1)).isoformat()
        for index, article in enumerate(articles):
            client = svc.client if index % 2 else second  # scheduled through either replica
            response = await client.post(
                f"/articles/{article['id']}/schedule",
                json={"publish_at": publish_at},
                headers={"Authorization": "Bearer ed-token"},
            )
            assert response.status_code == 200, response.text
        assert (await svc.client.get("/articles")).json()["items"] == []  # not before its time

        async def all_published() -> bool:
            items = (await svc.client.get("/articles")).json()["items"]
            return len(items) == len(articles)

        await eventually(all_published)
        await asyncio.sleep(1.0)  # several more scheduler rounds on both replicas
    events = await svc.events()
    assert sorted(e["aggregate_id"] for e in events) == sorted(a["id"] for a in articles)
    assert {e["type"] for e in events} == {"article.published"}
    assert {e["aggregate_version"] for e in events} == {3}  # create 1, schedule 2, publish 3
    for article in articles:
        stored = (await svc.client.get(f"/articles/{article['id']}")).json()
        assert stored["status"] == "published" and stored["version"] == 3
        assert stored["publish_at"] is None and stored["published_at"] >= publish_at[:19]


async def test_racing_publish_rounds_split_the_work_without_overlap(settings):
    """Four publish rounds on two runtimes run at once: together they publish each article once."""
    quiet = settings.model_copy(update={"scheduler_enabled": False})
    app = create_app(quiet)
    async with app_client(app) as client:
        svc = Svc(client=client, runtime=app.state.runtime)
        articles = [await svc.create(title=f"سباق {n}") for n in range(12)]
        due = utcnow() - timedelta(seconds=1)  # already due: set through storage
        await svc.runtime.db.articles.update_many(
            {}, {"$set": {"status": "scheduled", "publish_at": due}}
        )
        replica = Runtime(quiet)
        try:
            rounds = (svc.runtime, replica) * 2
            counts = await asyncio.gather(
                *(publish_due(repo=ArticleRepository(r.db), uow=r) for r in rounds)
            )
        finally:
            replica.client.close()
            await replica.redis.aclose()
        assert sum(counts) == len(articles)
        events = await svc.events()
        assert sorted(e["aggregate_id"] for e in events) == sorted(a["id"] for a in articles)
        assert all(e["aggregate_version"] == 2 for e in events)
