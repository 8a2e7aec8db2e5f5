"""Related items carry what the box shows (date, category, breadcrumb, summary, lead image)."""

from __future__ import annotations

from shared.events import CategoryRef, Image
from tests.integration.related.support import ant_articles, event

PHOTO = Image(src="https://cdn.example.com/p.jpg", caption="ملعب", credit="وكالة", alt="صورة")


def _with_page_fields(ev, **changes):  # type: ignore[no-untyped-def]
    return ev.model_copy(update={"data": ev.data.model_copy(update=changes)})


async def test_items_are_cards_found_by_slug_and_old_slug_and_follow_changes(start_related):
    articles = ant_articles(12)
    sport = CategoryRef(slug="رياضة", name="رياضة")
    crumbs = [CategoryRef(slug="أخبار", name="أخبار"), sport]
    events = [
        _with_page_fields(
            event("published", a, 1),
            summary="",
            excerpt=f"مقتطف {a['id']}",
            category=sport,
            breadcrumb=crumbs,
            lead_image=PHOTO,
        )
        for a in articles
    ]
    async with start_related() as related:
        client = related.client
        await related.send(*events)
        await related.processed(12)
        source = articles[0]
        by_slug = await client.get(f"/articles/{source['slug']}/related")
        assert by_slug.status_code == 200, by_slug.text
        body = by_slug.json()
        assert body["article_id"] == source["id"] and body["items"]
        by_id = {a["id"]: a for a in articles}
        for item in body["items"]:
            other = by_id[item["id"]]
            assert "article_id" not in item
            assert item["slug"] == other["slug"] and item["title"] == other["title"]
            assert item["summary"] == f"مقتطف {other['id']}"  # the excerpt, never empty
            assert item["published_at"].startswith(other["published_at"].strftime("%Y-%m-%dT%H"))
            assert item["category"] == {"slug": "رياضة", "name": "رياضة"}
            assert [c["name"] for c in item["breadcrumb"]] == ["أخبار", "رياضة"]
            assert item["lead_image"] == PHOTO.model_dump()
            assert item["source"] == "lexical"

        # a new slug and a new picture: old links keep working, other lists show the new card
        shown = body["items"][0]
        moved = {**by_id[shown["id"]], "slug": "رابط-جديد"}
        update = _with_page_fields(
            event("updated", moved, 2),
            summary="ملخص جديد",
            category=sport,
            breadcrumb=crumbs,
            lead_image=None,
        )
        await related.send(update)
        await related.processed(13)
        old = await client.get(f"/articles/{by_id[shown['id']]['slug']}/related")
        new = await client.get("/articles/رابط-جديد/related")
        assert old.status_code == new.status_code == 200
        assert old.json()["article_id"] == new.json()["article_id"] == shown["id"]
        again = (await client.get(f"/articles/{source['id']}/related")).json()["items"]
        card = next(i for i in again if i["id"] == shown["id"])
        assert card["slug"] == "رابط-جديد" and card["summary"] == "ملخص جديد"
        assert card["lead_image"] is None
        missing = await client.get("/articles/لا-يوجد/related")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
