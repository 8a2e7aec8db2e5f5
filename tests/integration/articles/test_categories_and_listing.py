"""Categories (hierarchy, breadcrumb, refused deletes) and the public list (filters, cursor)."""

from __future__ import annotations

from tests.conftest import EDITOR
from tests.integration.articles.conftest import Svc


async def test_categories_are_hierarchical_with_path_and_breadcrumb(svc: Svc):
    world = await svc.category("أخبار العالم")
    mideast = await svc.category("الشرق الأوسط", parent=world["slug"])
    assert (
        mideast["path"] == ["أخبار-العالم", "الشرق-الأوسط"] and mideast["parent"] == world["slug"]
    )
    sport = await svc.category("رياضة", slug="sport")
    assert sport["slug"] == "sport"
    listed = (await svc.client.get("/categories")).json()
    slugs = [c["slug"] for c in listed["items"]]
    assert sorted(slugs) == sorted(["أخبار-العالم", "الشرق-الأوسط", "sport"])
    assert slugs.index("أخبار-العالم") < slugs.index("الشرق-الأوسط")  # parents first
    child = listed["items"][slugs.index("الشرق-الأوسط")]
    assert child["breadcrumb"][0] == {"slug": "أخبار-العالم", "name": "أخبار العالم"}


async def test_category_bad_input_and_duplicates(svc: Svc):
    await svc.category("اقتصاد")
    cases = [
        ({"name": "اقتصاد"}, 409),
        ({"name": "آخر", "slug": "اقتصاد"}, 409),
        ({"name": "فرعي", "parent": "missing"}, 422),
        ({"name": ""}, 422),
        ({"name": "x", "extra": 1}, 422),
        ({"name": "!!!"}, 422),
    ]
    for body, status in cases:
        response = await svc.client.post("/categories", json=body, headers=EDITOR)
        assert response.status_code == status, (body, response.text)
    assert len((await svc.client.get("/categories")).json()["items"]) == 1


async def test_deleting_a_category_with_articles_or_children_is_409(svc: Svc):
    world = await svc.category("أخبار العالم")
    mideast = await svc.category("الشرق الأوسط", parent=world["slug"])
    article = await svc.create(category=mideast["slug"])
    for slug, code in (
        (world["slug"], "category_has_children"),
        (mideast["slug"], "category_not_empty"),
    ):
        response = await svc.client.delete(f"/categories/{slug}", headers=EDITOR)
        assert response.status_code == 409 and response.json()["error"]["code"] == code
    assert (
        await svc.client.delete(f"/articles/{article['id']}", headers=EDITOR)
    ).status_code == 204
    assert (
        await svc.client.delete(f"/categories/{mideast['slug']}", headers=EDITOR)
    ).status_code == 204
    assert (
        await svc.client.delete(f"/categories/{world['slug']}", headers=EDITOR)
    ).status_code == 204
    assert (
        await svc.client.delete(f"/categories/{world['slug']}", headers=EDITOR)
    ).status_code == 404
    assert (await svc.client.get("/categories")).json()["items"] == []


async def test_list_shows_published_only_newest_first(svc: Svc):
    first = await svc.published(title="الأول")
    await svc.create(title="مسودة")
    second = await svc.published(title="الثاني")
    gone = await svc.published(title="محذوف")
    await svc.client.delete(f"/articles/{gone['id']}", headers=EDITOR)
    items = (await svc.client.get("/articles")).json()["items"]
    assert [i["id"] for i in items] == [second["id"], first["id"]]
    assert "body" not in items[0] and items[0]["slug"] == "الثاني"


async def test_filter_by_category_includes_subcategories_and_by_tag(svc: Svc):
    world = await svc.category("أخبار العالم")
    mideast = await svc.category("الشرق الأوسط", parent=world["slug"])
    sport = await svc.category("رياضة")
    in_root = await svc.published(category=world["slug"], tags=["سوريا"])
    in_child = await svc.published(category=mideast["slug"], tags=["الأردن", "سوريا"])
    await svc.published(category=sport["slug"], tags=["كرة"])

    async def ids(**params: str) -> list[str]:
        response = await svc.client.get("/articles", params=params)
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["items"]]

    assert await ids(category=world["slug"]) == [in_child["id"], in_root["id"]]
    assert await ids(category=mideast["slug"]) == [in_child["id"]]
    assert await ids(tag="سوريا") == [in_child["id"], in_root["id"]]
    assert await ids(tag="الأردن", category=world["slug"]) == [in_child["id"]]
    assert await ids(tag="كرة", category=world["slug"]) == []
    assert (await svc.client.get("/articles", params={"category": "missing"})).status_code == 404


async def test_cursor_pages_are_stable_under_concurrent_inserts(svc: Svc):
    made = [(await svc.published(title=f"مقال {n}"))["id"] for n in range(5)]
    newest_first = made[::-1]
    page1 = (await svc.client.get("/articles", params={"limit": 2})).json()
    assert [i["id"] for i in page1["items"]] == newest_first[:2] and page1["next_cursor"]
    await svc.published(title="خبر جديد أثناء التصفح")  # lands before the cursor, shifts nothing
    page2 = (
        await svc.client.get("/articles", params={"limit": 2, "cursor": page1["next_cursor"]})
    ).json()
    assert [i["id"] for i in page2["items"]] == newest_first[2:4]
    page3 = (
        await svc.client.get("/articles", params={"limit": 2, "cursor": page2["next_cursor"]})
    ).json()
    assert [i["id"] for i in page3["items"]] == newest_first[4:] and page3["next_cursor"] is None


async def test_list_rejects_bad_limit_and_cursor(svc: Svc):
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "x"}):
        assert (await svc.client.get("/articles", params=params)).status_code == 422
    response = await svc.client.get("/articles", params={"cursor": "not-a-cursor"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor"


async def test_every_query_is_served_by_an_index(svc: Svc):
    """explain() of each query the service runs shows an index scan, never a collection scan."""
    await svc.published(tags=["x"])
    db = svc.runtime.db
    stamp = (await db.articles.find_one({}))["published_at"]
    newest = [("published_at", -1), ("_id", -1)]
    queries = [
        (db.articles, {"status": "published"}, newest),
        (db.articles, {"status": "published", "published_at": stamp, "_id": {"$lt": "z"}}, newest),
        (db.articles, {"status": "published", "published_at": {"$lt": stamp}}, newest),
        (db.articles, {"status": "published", "category_path": "c"}, newest),
        (db.articles, {"status": "published", "tags": "x"}, newest),
        (db.articles, {"status": "scheduled", "publish_at": {"$lte": stamp}}, None),
        (db.articles, {"slug": "s"}, None),
        (db.articles, {"source_ref": "r"}, None),
        (db.articles, {"category_path": "c", "status": {"$in": ["draft", "published"]}}, None),
        (db.articles, {"status": "draft"}, [("updated_at", -1), ("_id", -1)]),
        (
            db.articles,
            {"status": "draft", "updated_at": {"$lt": stamp}},
            [("updated_at", -1), ("_id", -1)],
        ),
        (db.articles, {"status": "published", "_id": {"$gt": "a"}}, [("_id", 1)]),
        (db.categories, {"parent": None, "name": "n"}, None),
        (db.categories, {"parent": "c"}, None),
    ]
    for collection, query, sort in queries:
        cursor = collection.find(query)
        if sort:
            cursor = cursor.sort(sort)
        plan = str((await cursor.explain())["queryPlanner"]["winningPlan"])
        ok = "IXSCAN" in plan and "COLLSCAN" not in plan
        assert ok, f"not index-served: {list(query)} on {collection.name}"
