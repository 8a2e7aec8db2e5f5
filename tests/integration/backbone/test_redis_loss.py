"""Redis restarts empty mid-workload: the services notice, republish and rebuild (defect 8).

Consumers lag (paused) while events pile up in Redis, then Redis loses everything. Each
service sees its marker gone, replays its outbox and rebuilds its read models from their
owners; afterwards every read model equals its owner's truth.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx
from redis.asyncio import Redis

from services.articles.config import Settings as ArticlesSettings
from services.articles.main import create_app as articles_app
from services.comments.config import Settings as CommentsSettings
from services.comments.main import create_app as comments_app
from services.related.config import Settings as RelatedSettings
from services.related.main import create_app as related_app
from shared.embedded import free_port, start_redis
from shared.runtime import Runtime
from tests.conftest import ADMIN, EDITOR, MODERATOR, settings_for
from tests.helpers import app_client, eventually

FAST = {"monitor_interval_s": 0.3}
_ips = itertools.count(1)
TEXTS = [
    "الحكومة تعلن خطة جديدة لدعم الزراعة في المناطق الريفية",
    "المنتخب الوطني يفوز في مباراة كرة القدم الودية",
    "ارتفاع أسعار النفط في الأسواق العالمية هذا الأسبوع",
    "افتتاح معرض الكتاب الدولي بمشاركة واسعة من دور النشر",
]


@contextlib.asynccontextmanager
async def stack(infra: dict[str, Any], isolation: str) -> AsyncIterator[dict[str, Any]]:
    port = free_port()
    redis = start_redis(port=port)
    base = {**infra, "redis_url": f"redis://127.0.0.1:{port}/0", **FAST}
    apps = {
        "articles": articles_app(
            settings_for(ArticlesSettings, base, isolation, scheduler_enabled=False)
        ),
        "comments": comments_app(settings_for(CommentsSettings, base, isolation, trust_proxy=True)),
    }
    apps["articles"].state.peer_transport = httpx.ASGITransport(app=apps["comments"])
    apps["comments"].state.peer_transport = httpx.ASGITransport(app=apps["articles"])
    apps["related"] = related_app(
        settings_for(RelatedSettings, base, isolation, auto_rebuild_growth=None),
        articles_transport=httpx.ASGITransport(app=apps["articles"]),
    )
    try:
        async with (
            app_client(apps["articles"]) as articles,
            app_client(apps["comments"]) as comments,
            app_client(apps["related"]) as related,
        ):
            yield {"articles": articles, "comments": comments, "related": related,
                   "apps": apps, "redis_url": base["redis_url"]}  # fmt: skip
    finally:
        redis.stop()


def runtime(app: Any) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt


async def pause(rt: Runtime) -> None:
    """The service's consumers fall behind (stop reading) while the others go on."""
    for consumer, claimer in zip(rt.consumers, rt.claimers, strict=True):
        await claimer.stop()
        await consumer.subscriber.stop()


async def resume(rt: Runtime) -> None:
    for consumer, claimer in zip(rt.consumers, rt.claimers, strict=True):
        await consumer.recover()
        claimer.start()


async def new_article(s: dict[str, Any], index: int) -> str:
    http = s["articles"]
    text = TEXTS[index % len(TEXTS)]
    body = {"title": f"{text} {index}", "body": [{"type": "paragraph", "text": text * 3}]}
    created = await http.post("/articles", json=body, headers=EDITOR)
    assert created.status_code == 201, created.text
    article = created.json()
    published = await http.post(
        f"/articles/{article['id']}/publish",
        headers={**EDITOR, "If-Match": f'"{article["version"]}"'},
    )
    assert published.status_code == 200, published.text
    return str(article["id"])


async def comment(s: dict[str, Any], article_id: str) -> str:
    n = next(_ips)
    response = await s["comments"].post(
        f"/articles/{article_id}/comments",
        json={"author_name": "سارة", "author_email": f"r{n}@example.com",
              "body": f"تعليق مفيد رقم {n} على الخبر"},
        headers={"X-Forwarded-For": f"10.9.{n // 256 % 256}.{n % 256}"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def approve(s: dict[str, Any], comment_id: str) -> None:
    response = await s["comments"].post(
        f"/moderation/comments/{comment_id}/approve", headers=MODERATOR
    )
    assert response.status_code == 200, response.text


async def truth_matches(s: dict[str, Any]) -> bool:
    """Every read model equals its owner's data."""
    apps = s["apps"]
    adb, cdb, rdb = (runtime(apps[n]).db for n in ("articles", "comments", "related"))
    articles = {d["_id"]: d async for d in adb.articles.find({})}
    approved: dict[str, int] = {}
    async for c in cdb.comments.find({"status": "approved"}):
        approved[c["article_id"]] = approved.get(c["article_id"], 0) + 1
    model = {d["_id"]: d async for d in cdb.articles.find({})}
    docs = {d["_id"]: d async for d in rdb.docs.find({})}
    lists = {d["_id"] async for d in rdb.lists.find({}, {"_id": 1})}
    for article_id, article in articles.items():
        if int(article.get("comment_count", 0)) != approved.get(article_id, 0):
            return False
        published = article["status"] == "published"
        held = model.get(article_id) or {}
        if (held.get("status") == "published") != published:
            return False
        doc = docs.get(article_id) or {}
        if (doc.get("status") == "published") != published:
            return False
        if published and (held["version"], doc["version"]) != (article["version"],) * 2:
            return False
        if published != (article_id in lists):
            return False
    return True


async def test_redis_restarted_empty_mid_workload_every_read_model_recovers(infra, isolation):
    async with stack(infra, isolation) as s:
        ids = [await new_article(s, i) for i in range(4)]

        async def accepting() -> bool:
            db = runtime(s["apps"]["comments"]).db
            return await db.articles.count_documents({"status": "published"}) == 4

        await eventually(accepting, timeout=20)
        first = [await comment(s, a) for a in ids]
        for comment_id in first:
            await approve(s, comment_id)
        await eventually(lambda: truth_matches(s), timeout=30)

        # Consumers lag; more writes pile up in Redis; then Redis loses everything.
        for name in ("articles", "comments", "related"):
            await pause(runtime(s["apps"][name]))
        later = [await comment(s, a) for a in ids]
        for comment_id in later[:3]:
            await approve(s, comment_id)
        ids.append(await new_article(s, 4))
        unpublished = await s["articles"].post(
            f"/articles/{ids[0]}/unpublish", headers={**EDITOR, "If-Match": '"2"'}
        )
        assert unpublished.status_code == 200, unpublished.text
        for app in s["apps"].values():  # everything was published to Redis...
            await eventually(lambda app=app: _drained(runtime(app)), timeout=20)
        redis = Redis.from_url(s["redis_url"])
        await redis.flushall()  # ...and is gone
        await redis.aclose()
        for name in ("articles", "comments", "related"):
            await resume(runtime(s["apps"][name]))
        ids.append(await new_article(s, 5))  # the workload goes on

        await eventually(lambda: truth_matches(s), timeout=60)

        async def each_recovered() -> bool:  # each noticed the loss by itself and recovered
            # (the truth can match through the others' replays before a recovery has ended)
            apps = s["apps"].values()
            return all(runtime(app).recovery.count >= 1 for app in apps)

        await eventually(each_recovered, timeout=30)
        ready = await s["related"].get("/health/ready")
        assert ready.status_code == 200, ready.text


async def _drained(rt: Runtime) -> bool:
    return await rt.relay.pending_count() == 0


async def test_recovery_endpoints_answer_counts(infra, isolation):
    async with stack(infra, isolation) as s:
        article_id = await new_article(s, 0)

        async def accepting() -> bool:
            db = runtime(s["apps"]["comments"]).db
            return await db.articles.count_documents({"status": "published"}) == 1

        await eventually(accepting, timeout=20)
        await approve(s, await comment(s, article_id))
        await eventually(lambda: truth_matches(s), timeout=30)
        # the articles' counts drift (as if events were lost); the rebuild restores them
        adb = runtime(s["apps"]["articles"]).db
        await adb.articles.update_one({"_id": article_id}, {"$set": {"comment_count": 7}})
        await adb.comment_states.delete_many({})
        drifted = await s["articles"].get(f"/articles/{article_id}")
        assert drifted.json()["comment_count"] == 7  # now in the read cache
        counts = await s["articles"].post("/admin/rebuild/comment-counts", headers=ADMIN)
        assert counts.status_code == 200, counts.text
        assert counts.json() == {"comments": 1, "articles_changed": 1}
        fixed = await s["articles"].get(f"/articles/{article_id}")
        assert fixed.json()["comment_count"] == 1  # the cache did not keep the drifted count
        cdb = runtime(s["apps"]["comments"]).db
        await cdb.articles.delete_many({})
        model = await s["comments"].post("/admin/rebuild/articles", headers=ADMIN)
        assert model.json() == {"articles": 1, "unpublished": 0}
        assert await truth_matches(s)
        since = {"since": "2000-01-01T00:00:00+00:00"}
        replay = await s["articles"].post("/admin/outbox/replay", json=since, headers=ADMIN)
        assert replay.status_code == 200 and replay.json()["republished"] == 1
        reemit = await s["articles"].post(
            "/admin/reemit", json={"ids": [article_id]}, headers=ADMIN
        )
        assert reemit.json() == {"emitted": 1}
        bad = await s["articles"].post("/admin/reemit", json={}, headers=ADMIN)
        assert bad.status_code == 422
        assert (await s["comments"].post("/admin/recover")).status_code == 401
        recovered = await s["comments"].post("/admin/recover", headers=ADMIN)
        assert recovered.status_code == 200 and "article_model" in recovered.json()
        await eventually(lambda: truth_matches(s), timeout=30)
