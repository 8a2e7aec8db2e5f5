"""Related lists through the service: scoring invariants, reasons, 404s, auth, related.updated."""

from __future__ import annotations

from redis.asyncio import Redis

from shared.broker import decode_entry
from shared.events import RELATED_STREAM
from tests.conftest import ADMIN, EDITOR
from tests.helpers import eventually
from tests.integration.related.support import ant_articles, event


async def test_lists_hold_published_others_with_reasons_and_follow_unpublish(start_related):
    articles = ant_articles(24)
    twin = {**articles[0], "id": "twin", "slug": "توأم"}  # a near-duplicate of art-000
    async with start_related() as related:
        client, settings = related.client, related.settings
        await related.send(*(event("published", a, 1) for a in [*articles, twin]))
        await related.processed(25)

        for article in articles:
            body = (await client.get(f"/articles/{article['id']}/related")).json()
            ids = [item["id"] for item in body["items"]]
            assert article["id"] not in ids
            assert len(ids) == len(set(ids)) <= settings.list_size
            scores = [item["score"] for item in body["items"]]
            assert scores == sorted(scores, reverse=True)
            assert all(s >= settings.min_score for s in scores)
        first = (await client.get("/articles/art-000/related")).json()["items"]
        assert "twin" not in [i["id"] for i in first]  # near-duplicates do not fill lists
        by_id = {a["id"]: a for a in articles}
        for item in first:
            other = by_id[item["id"]]
            assert item["slug"] == other["slug"] and item["title"] == other["title"]
            reasons = item["reasons"]
            assert reasons["terms"] or reasons["tags"], "every item shares something"
            text = " ".join(
                [
                    other["title"],
                    *other["paragraphs"],
                    articles[0]["title"],
                    *articles[0]["paragraphs"],
                ]
            )
            assert all(term in text for term in reasons["terms"])  # surface forms, as written
            assert reasons["tags"] == sorted(set(articles[0]["tags"]) & set(other["tags"]))
            category = articles[0]["category"]
            same = category is not None and category == other["category"]
            assert reasons["same_category"] is same
        assert len((await client.get("/articles/art-000/related?limit=2")).json()["items"]) <= 2

        gone = first[0]["id"]
        await related.send(event("unpublished", by_id[gone], 2))
        await related.processed(26)
        missing = await client.get(f"/articles/{gone}/related", headers={"Accept-Language": "en"})
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        for article in articles:
            response = await client.get(f"/articles/{article['id']}/related")
            if article["id"] != gone:
                assert gone not in [i["id"] for i in response.json()["items"]]


async def test_unknown_article_bad_limit_and_admin_only_rebuild(start_related):
    async with start_related() as related:
        client = related.client
        unknown = await client.get("/articles/nope/related")
        assert unknown.status_code == 404
        assert set(unknown.json()["error"]) == {"code", "message", "message_ar", "fields"}
        assert (await client.get("/articles/nope/related?limit=0")).status_code == 422
        assert (await client.get("/articles/nope/related?limit=101")).status_code == 422
        assert (await client.post("/admin/rebuild")).status_code == 401
        assert (await client.post("/admin/rebuild", headers=EDITOR)).status_code == 403
        missing = await client.get("/admin/rebuild/none", headers=ADMIN)
        assert missing.status_code == 404


async def test_changed_lists_are_announced_with_related_updated(start_related):
    articles = ant_articles(6)
    async with start_related() as related:
        client = related.client
        await related.send(*(event("published", a, 1) for a in articles))
        await related.processed(6)
        stream = related.settings.stream(RELATED_STREAM)
        redis = Redis.from_url(related.settings.redis_url.get_secret_value())
        try:

            async def announced() -> set[str]:
                return {
                    aid
                    for _, fields in await redis.xrange(stream)
                    for aid in decode_entry(fields)["data"]["article_ids"]
                }

            lists = {
                a["id"]: (await client.get(f"/articles/{a['id']}/related")).json()["items"]
                for a in articles
            }
            await eventually(lambda: _has(announced(), set(lists)))
            (_, fields), *_ = await redis.xrange(stream)
            assert decode_entry(fields)["type"] == "related.updated"
            assert decode_entry(fields)["producer"] == "related"
        finally:
            await redis.aclose()


async def _has(found, wanted: set[str]) -> bool:  # type: ignore[no-untyped-def]
    return wanted <= await found
