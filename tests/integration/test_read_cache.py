"""The read cache: tag invalidation, no stale store after a race, events from a real Redis."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis

from shared.broker import create_broker
from shared.cache import EventTail, ReadCache, cached_json
from shared.embedded import start_redis
from shared.events import ArticleUpdated, CommentModerated, stream_for
from tests.helpers import eventually


def article_updated(article_id: str) -> ArticleUpdated:
    snapshot = {
        "id": article_id,
        "slug": article_id,
        "title": "عنوان",
        "status": "published",
        "category": None,
        "version": 2,
    }
    return ArticleUpdated.model_validate(
        {
            "producer": "articles",
            "aggregate_id": article_id,
            "aggregate_version": 2,
            "data": snapshot,
        }
    )


def fresh_cache() -> ReadCache:
    cache = ReadCache("t", registry=CollectorRegistry())
    cache.enabled = True
    return cache


def test_invalidating_a_tag_drops_every_entry_that_depends_on_it():
    cache = fresh_cache()
    cache.put("a", b"1", tags={"x"}, since=cache.begin())
    cache.put("b", b"2", tags={"x", "y"}, since=cache.begin())
    cache.put("c", b"3", tags={"y"}, since=cache.begin())
    cache.invalidate("x")
    assert cache.get("a") is None and cache.get("b") is None
    assert cache.get("c") is not None


def test_a_read_that_raced_an_invalidation_is_not_stored():
    cache = fresh_cache()
    since = cache.begin()  # the read starts, then the event arrives before it finishes
    cache.invalidate("x")
    cache.put("a", b"old", tags={"x"}, since=since)
    assert cache.get("a") is None
    cache.put("a", b"new", tags={"x"}, since=cache.begin())
    assert cache.get("a").body == b"new"


def test_a_read_that_raced_a_clear_is_not_stored_and_disabled_cache_serves_nothing():
    cache = fresh_cache()
    since = cache.begin()
    cache.clear()
    cache.put("a", b"old", tags={"x"}, since=since)
    assert cache.get("a") is None
    cache.enabled = False
    cache.put("a", b"new", tags={"x"}, since=cache.begin())
    assert cache.get("a") is None


async def test_events_on_the_stream_invalidate_and_a_redis_outage_bypasses(isolation):
    redis_server = start_redis()
    redis = Redis.from_url(redis_server.url)
    broker = create_broker(redis_server.url, graceful_timeout=1, registry=CollectorRegistry())
    cache = ReadCache("t", registry=CollectorRegistry())
    streams = [f"t{isolation}:articles.events", f"t{isolation}:comments.events"]
    tail = EventTail(redis, streams, cache, block_ms=100)
    try:
        await broker.connect()
        tail.start()
        await eventually(lambda: asyncio.sleep(0, cache.enabled))
        cache.put("article", b"v1", tags={"a1"}, since=cache.begin())
        cache.put("comments", b"c1", tags={"a2"}, since=cache.begin())
        event = article_updated("a1")
        await broker.publish(event.model_dump(mode="json"), stream=streams[0])
        await eventually(lambda: asyncio.sleep(0, cache.get("article") is None))
        assert cache.get("comments") is not None
        moderated = CommentModerated.model_validate(
            {
                "producer": "comments",
                "aggregate_id": "c9",
                "aggregate_version": 2,
                "data": {
                    "comment_id": "c9",
                    "article_id": "a2",
                    "from_status": "pending",
                    "to_status": "approved",
                },
            }
        )
        assert stream_for(moderated).endswith("comments.events")
        await broker.publish(moderated.model_dump(mode="json"), stream=streams[1])
        await eventually(lambda: asyncio.sleep(0, cache.get("comments") is None))
        redis_server.stop()
        await eventually(lambda: asyncio.sleep(0, not cache.enabled), timeout=15)
        cache.put("article", b"v2", tags={"a1"}, since=cache.begin())
        assert cache.get("article") is None  # nothing is served while events can't be seen
    finally:
        await tail.stop()
        await broker.stop()
        await redis.aclose()
        redis_server.stop()


async def test_cached_json_answers_304_and_never_caches_credentialed_requests():
    import httpx

    calls = {"n": 0}
    cache = fresh_cache()
    app = FastAPI()

    @app.get("/thing")
    async def thing(request: Request):
        async def produce():
            calls["n"] += 1
            return {"n": calls["n"], "text": "مرحبا"}, {"x"}

        return await cached_json(request, cache, "thing", produce)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        first = await http.get("/thing")
        again = await http.get("/thing")
        assert first.json() == again.json() == {"n": 1, "text": "مرحبا"}
        etag = first.headers["etag"]
        assert first.headers["cache-control"].startswith("public")
        assert (await http.get("/thing", headers={"If-None-Match": etag})).status_code == 304
        private = await http.get("/thing", headers={"Authorization": "Bearer x"})
        assert private.json()["n"] == 2
        cache.invalidate("x")
        assert (await http.get("/thing")).json()["n"] == 3
        assert (await http.get("/thing", headers={"If-None-Match": etag})).status_code == 200


async def test_cache_front_answers_hits_before_routing_with_the_same_headers():
    import httpx

    from shared.cache import CacheFront
    from shared.caching import ConditionalGet
    from shared.http import MetricsMiddleware

    entered = {"n": 0}
    version = {"n": 1}
    cache = fresh_cache()
    app = FastAPI()

    @app.get("/things/{name}")
    async def thing(name: str, request: Request):
        entered["n"] += 1

        async def produce():
            return {"name": name, "v": version["n"], "text": "مرحبا"}, {name}

        return await cached_json(request, cache, f"thing:{name}", produce, max_age_s=12)

    app.add_middleware(ConditionalGet, max_age_s=10)
    app.add_middleware(CacheFront, cache=cache)
    registry = CollectorRegistry()
    app.add_middleware(MetricsMiddleware, registry=registry)  # outside, as in every service
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        miss = await http.get("/things/a?x=1")
        hit = await http.get("/things/a?x=1")
        assert entered["n"] == 1  # the hit never reached the route
        labels = {"method": "GET", "route": "/things/{name}", "status": "200"}
        assert registry.get_sample_value("akhbar_http_requests_total", labels) == 2
        assert hit.content == miss.content and hit.json()["text"] == "مرحبا"
        assert dict(hit.headers) == dict(miss.headers)
        assert hit.headers["cache-control"] == "public, max-age=12"
        etag = hit.headers["etag"]
        not_modified = await http.get("/things/a?x=1", headers={"If-None-Match": etag})
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert entered["n"] == 1
        # another query string is another request; credentials and CORS requests go through
        await http.get("/things/a?x=2")
        await http.get("/things/a?x=1", headers={"Authorization": "Bearer x"})
        await http.get("/things/a?x=1", headers={"Origin": "https://site.example"})
        assert entered["n"] == 4
        version["n"] = 2
        cache.invalidate("a")  # the event that changed it: the next read shows the change
        assert (await http.get("/things/a?x=1")).json()["v"] == 2
        assert entered["n"] == 5
        cache.enabled = False  # the event tail is not reading: everything goes to the app
        await http.get("/things/a?x=1")
        assert entered["n"] == 6
