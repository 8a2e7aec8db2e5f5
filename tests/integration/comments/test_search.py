"""The moderators' search: every filter server-side, combined, paged, and index-served."""

from __future__ import annotations

from datetime import timedelta

from services.comments.queries import created_order
from services.comments.search import Filters
from shared.events import ARTICLES_STREAM, ArticleSnapshot, ArticleUpdated
from shared.pagination import keyset_ranges
from tests.conftest import MODERATOR
from tests.helpers import eventually


async def _ids(comments, **params):
    response = await comments.client.get("/moderation/queue", params=params, headers=MODERATOR)
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()["items"]]


async def _post(comments, article="a1", **fields):
    response = await comments.submit(article, **fields)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def test_search_by_text_author_email_article_reason_and_dates(comments):
    await comments.publish("a2")
    sara = await _post(comments, body="والمقالة ممتازة جداً")
    omar = await _post(
        comments, author_name="عمر الفاروق", author_email="Omar@Example.com", body="رأي آخر"
    )
    links = await _post(comments, "a2", body="انظر https://x.example و https://y.example")
    assert await _ids(comments, q="مقالة") == [sara]  # clitics and ة/ه folded
    assert await _ids(comments, q="المقاله") == [sara]
    assert await _ids(comments, author="الفاروق") == [omar]
    assert await _ids(comments, email="omar@example.com") == [omar]  # matched by its hash
    assert await _ids(comments, email="nobody@example.com") == []
    assert await _ids(comments, article_id="a2") == [links]
    assert await _ids(comments, reason="too_many_links") == [links]
    assert await _ids(comments, reason="too_many_links", article_id="a1") == []
    assert await _ids(comments, q="ممتازه", email="sara@example.com") == [sara]
    stored = await comments.comment(omar)
    start = stored["created_at"]
    assert await _ids(comments, since=start.isoformat()) == [omar, links]
    assert await _ids(comments, until=start.isoformat()) == [sara]
    later = (start + timedelta(milliseconds=1)).isoformat()
    assert await _ids(comments, since=start.isoformat(), until=later) == [omar]
    assert await _ids(comments, sort="newest") == [links, omar, sara]
    # The email is a key only as its HMAC hash; the address itself is in no key.
    assert not [k for k in stored["keys"] if "omar" in k.lower()]
    assert f"e:{stored['email_hash']}" in stored["keys"]


async def retitle(comments, article_id, *, title, slug, version):
    """An article.updated event through the stream, as the articles service sends it."""
    snapshot = ArticleSnapshot(
        id=article_id, slug=slug, title=title, status="published", version=version
    )
    event = ArticleUpdated(
        producer="articles", aggregate_id=article_id, aggregate_version=version, data=snapshot
    )
    await comments.ctx.runtime.publish(ARTICLES_STREAM, event)
    await eventually(lambda: comments._processed(event.event_id))


async def test_article_filter_takes_a_slug_too(comments):
    comment_id = await _post(comments)
    await retitle(comments, "a1", title="ت", slug="my-slug", version=9)
    assert await _ids(comments, article_id="my-slug") == [comment_id]
    assert await _ids(comments, article_id="a1") == [comment_id]


async def test_bad_filters_are_422_naming_the_field(comments):
    cases = [
        ({"email": "not-an-email"}, "email"),
        ({"reason": "Robert'); drop"}, "reason"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until"),
        ({"q": "!!!"}, "q"),
        ({"status": "deleted"}, "status"),
        ({"limit": 0}, "limit"),
        ({"unknown": "x"}, "unknown"),
    ]
    for params, field in cases:
        response = await comments.client.get("/moderation/queue", params=params, headers=MODERATOR)
        assert response.status_code == 422, (params, response.text)
        assert field in response.json()["error"]["fields"], (params, response.json())


async def test_filtered_search_pages_through_every_match_once(comments):
    ids = []
    for index in range(7):
        body = f"خبر عاجل رقم {index}" if index % 2 == 0 else f"تعليق عادي {index}"
        ids.append(await _post(comments, body=body, author_email=f"u{index % 3}@example.com"))
    wanted = [i for n, i in enumerate(ids) if n % 2 == 0]
    for params in ({"q": "عاجل"}, {"q": "خبر عاجل", "author": "سارة"}):
        seen, cursor = [], None
        while True:
            page = (
                await comments.client.get(
                    "/moderation/queue",
                    params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})},
                    headers=MODERATOR,
                )
            ).json()
            seen += [i["id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == wanted, params


def page_queries(collection, base, after, newest):  # type: ignore[no-untyped-def]
    order = created_order(newest)
    return [(collection, q, list(order)) for q in keyset_ranges(base, order, after)]


async def test_every_page_query_is_served_by_an_index(comments):
    """explain() of each query the page makes: an index scan, never a collection scan."""
    first = await _post(comments, body="نص للبحث")
    await _post(comments, body="https://a.example https://b.example")
    await comments.act(first, "reject", reason="abusive")
    db = comments.ctx.runtime.db
    doc = await comments.comment(first)
    at = (doc["created_at"], doc["_id"])
    span = {"$gte": doc["created_at"], "$lt": doc["created_at"] + timedelta(days=1)}
    searches = []
    for filters in (
        Filters(),
        Filters(text="نص للبحث", email_hash=doc["email_hash"]),
        Filters(reason="abusive"),
        Filters(article_id="a1", since=doc["created_at"]),
    ):
        keys = filters.keys()
        base = {"status": "pending", **({"keys": keys[0]} if keys else {})}
        for after in (None, at):
            for newest in (False, True):
                searches += page_queries(db.comments, base, after, newest)
    base = {"status": "rejected", "keys": "r:abusive", "created_at": span}
    searches += page_queries(db.comments, base, at, False)
    others = [
        (db.status_counters, {"_id": {"$in": ["pending:0", "pending:base"]}}, None),  # tabs
        (db.comments, {"updated_at": {"$gte": doc["updated_at"]}}, [("updated_at", 1), ("_id", 1)]),
        (db.articles, {"_id": {"$in": ["a1"]}}, None),
        (db.articles, {"slug": "a1"}, None),
        (db.reports, {"comment_id": {"$in": [first]}}, None),
        (db.bans, {"email_hash": {"$in": [doc["email_hash"]]}}, None),
        (db.bans, {}, [("created_at", -1), ("_id", -1)]),
        (db.bans, {"created_at": doc["created_at"], "_id": {"$lt": "z"}}, None),
        (db.bans, {"created_at": {"$lt": doc["created_at"]}}, [("created_at", -1), ("_id", -1)]),
    ]
    for collection, query, sort in searches + others:
        cursor = collection.find(query)
        if sort:
            cursor = cursor.sort(sort)
        plan = str((await cursor.explain())["queryPlanner"]["winningPlan"])
        ok = "IXSCAN" in plan and "COLLSCAN" not in plan
        assert ok, f"not index-served: {query} on {collection.name}"


async def test_comments_stored_before_search_get_their_keys_once(comments):
    comment_id = await _post(comments, body="تعليق قديم")
    repo, store = comments.ctx.repo, comments.ctx.store
    await repo.comments.update_one({"_id": comment_id}, {"$unset": {"keys": ""}})
    assert await _ids(comments, q="قديم") == []
    await repo.settings.delete_one({"_id": "search_keys"})
    assert await store.backfill_keys(repo.settings) == 1
    assert await _ids(comments, q="قديم") == [comment_id]
    assert await store.backfill_keys(repo.settings) == 0  # marked done
