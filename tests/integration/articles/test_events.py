"""Each write emits exactly the expected event (snapshot + version) through the outbox."""

from __future__ import annotations

from typing import Any

from services.articles.presentation import excerpt
from shared.broker import decode_entry
from shared.events import ARTICLES_STREAM, ArticleSnapshot
from tests.conftest import EDITOR
from tests.helpers import eventually
from tests.integration.articles.conftest import Svc


def _public(article: dict[str, Any]) -> dict[str, Any]:
    """The snapshot an event must carry for an article as the API returned it."""
    fields = {
        **article,
        "author": (article["author"] or {}).get("name"),
        "summary": "" if article["summary_is_excerpt"] else article["summary"],
        "excerpt": excerpt(article["body"]),
    }
    return ArticleSnapshot.model_validate(fields).model_dump(mode="json")


async def _new_events(svc: Svc, before: int) -> list[dict[str, Any]]:
    return (await svc.events())[before:]


async def test_create_and_edit_of_a_draft_emit_nothing(svc: Svc):
    article = await svc.create()
    await svc.client.patch(f"/articles/{article['id']}", json={"summary": "س"}, headers=EDITOR)
    await svc.act(article["id"], "schedule", json={"publish_at": "2999-01-01T00:00:00Z"})
    await svc.act(article["id"], "unpublish")  # cancels the schedule: it was never public
    assert await svc.events() == []


async def test_publish_emits_article_published_with_full_snapshot(svc: Svc):
    world = await svc.category("أخبار العالم")
    draft = await svc.create(category=world["slug"], tags=["أمن"], summary="ملخص")
    response = await svc.client.post(
        f"/articles/{draft['id']}/publish", headers={**EDITOR, "X-Request-ID": "req-42"}
    )
    published = response.json()
    (event,) = await svc.events()
    assert event["type"] == "article.published" and event["producer"] == "articles"
    assert event["aggregate_id"] == draft["id"] and event["aggregate_version"] == 2
    assert event["correlation_id"] == "req-42"
    assert event["data"] == _public(published)
    assert event["data"]["breadcrumb"] == [{"slug": "أخبار-العالم", "name": "أخبار العالم"}]
    assert event["data"]["body"] == draft["body"] and event["data"]["status"] == "published"


async def test_each_write_on_a_published_article_emits_one_event(svc: Svc):
    article = await svc.published()
    url = f"/articles/{article['id']}"

    async def step(call, event_type: str | None) -> dict[str, Any]:
        before = len(await svc.events())
        response = await call
        assert response.status_code in (200, 204), response.text
        new = await _new_events(svc, before)
        if event_type is None:
            assert new == []
            return {}
        (event,) = new
        assert event["type"] == event_type
        return event

    updated = await step(
        svc.client.patch(url, json={"title": "عنوان جديد"}, headers=EDITOR), "article.updated"
    )
    assert updated["aggregate_version"] == 3 and updated["data"]["slug"] == "عنوان-جديد"
    current = (await svc.client.get(url)).json()
    assert updated["data"] == _public(current)
    unpublished = await step(
        svc.client.post(f"{url}/unpublish", headers=EDITOR), "article.unpublished"
    )
    assert unpublished["aggregate_version"] == 4 and unpublished["data"]["status"] == "unpublished"
    await step(svc.client.patch(url, json={"summary": "خاص"}, headers=EDITOR), None)  # not public
    republished = await step(svc.client.post(f"{url}/publish", headers=EDITOR), "article.published")
    assert republished["aggregate_version"] == 6 and republished["data"]["summary"] == "خاص"
    archived = await step(svc.client.post(f"{url}/archive", headers=EDITOR), "article.unpublished")
    assert archived["data"]["status"] == "archived"
    deleted = await step(svc.client.delete(url, headers=EDITOR), "article.deleted")
    assert deleted["aggregate_version"] == 8 and deleted["data"]["status"] == "deleted"
    versions = [e["aggregate_version"] for e in await svc.events()]
    assert versions == [2, 3, 4, 6, 7, 8]  # version 5 (a private edit) announced nothing


async def test_deleting_a_never_published_draft_emits_nothing(svc: Svc):
    article = await svc.create()
    assert (
        await svc.client.delete(f"/articles/{article['id']}", headers=EDITOR)
    ).status_code == 204
    assert await svc.events() == []


async def test_failed_writes_emit_nothing(svc: Svc):
    article = await svc.published()
    url = f"/articles/{article['id']}"
    before = await svc.events()
    failures = [
        svc.client.patch(url, json={"summary": "x"}, headers={**EDITOR, "If-Match": '"1"'}),  # 412
        svc.client.post(f"{url}/publish", headers=EDITOR),  # 409
        svc.client.patch(url, json={"category": "missing"}, headers=EDITOR),  # 422
        svc.client.patch(url, json={"summary": "x"}),  # 401
        svc.client.delete(url, headers={**EDITOR, "If-Match": '"7"'}),  # 412
    ]
    for call in failures:
        assert (await call).status_code >= 400
    assert await svc.events() == before
    assert (await svc.client.get(url)).json() == article


async def test_events_reach_the_articles_stream(svc: Svc):
    article = await svc.published()
    stream = svc.runtime.settings.stream(ARTICLES_STREAM)

    async def published() -> bool:
        return await svc.runtime.redis.xlen(stream) == 1

    await eventually(published)
    ((_, fields),) = await svc.runtime.redis.xrange(stream)
    event = decode_entry(fields)
    assert event["type"] == "article.published" and event["aggregate_id"] == article["id"]
    assert event["data"] == _public(article)
