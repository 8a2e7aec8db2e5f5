"""The articles HTTP API end to end against real servers: reads, writes, slugs, concurrency."""

from __future__ import annotations

from urllib.parse import quote

from tests.conftest import ADMIN, EDITOR, MODERATOR
from tests.integration.articles.conftest import Svc

BODY = [
    {"type": "heading", "text": "التعاون الأمني المشترك"},
    {"type": "paragraph", "text": "ناقش المسؤولون الأمنيون تعزيز التنسيق."},
]


async def test_create_returns_a_draft_with_derived_arabic_slug_and_etag(svc: Svc):
    response = await svc.client.post(
        "/articles",
        json={
            "title": "الأردن وسوريا يتعهدان بتعزيز التعاون الأمني!",
            "body": BODY,
            "summary": "ملخص",
            "tags": ["أمن", "أمن", "Syria"],
            "author": "مراسل",
        },
        headers=EDITOR,
    )
    assert response.status_code == 201, response.text
    article = response.json()
    assert article["slug"] == "الأردن-وسوريا-يتعهدان-بتعزيز-التعاون-الأمني"
    assert article["status"] == "draft" and article["version"] == 1
    assert article["language"] == "ar" and article["comments_open"] is True
    assert article["comment_count"] == 0 and article["published_at"] is None
    assert article["tags"] == ["أمن", "syria"]
    assert article["body"] == BODY and article["author"] == {"name": "مراسل", "slug": "مراسل"}
    assert response.headers["etag"] == '"1"'


async def test_drafts_are_404_to_the_public_and_visible_to_editors(svc: Svc):
    article = await svc.create()
    for key in (article["id"], article["slug"]):
        assert (await svc.client.get(f"/articles/{key}")).status_code == 404
        response = await svc.client.get(f"/articles/{key}", headers=MODERATOR)
        assert response.status_code == 404  # a token without the editor role is the public
        response = await svc.client.get(f"/articles/{key}", headers=EDITOR)
        assert response.status_code == 200 and response.json()["status"] == "draft"
    assert (await svc.client.get(f"/articles/{article['id']}", headers=ADMIN)).status_code == 200


async def test_published_article_reads_by_id_and_slug_with_breadcrumb(svc: Svc):
    world = await svc.category("أخبار العالم")
    mideast = await svc.category("الشرق الأوسط", parent=world["slug"])
    article = await svc.published(category=mideast["slug"])
    response = await svc.client.get(f"/articles/{quote(article['slug'])}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == article["id"]
    # the public read's ETag follows the body (comment_count moves without a new version);
    # editors' reads carry the version, which their writes send back in If-Match
    public_etag = response.headers["etag"]
    again = await svc.client.get(
        f"/articles/{article['id']}", headers={"If-None-Match": public_etag}
    )
    assert again.status_code == 304
    as_editor = await svc.client.get(f"/articles/{article['id']}", headers=EDITOR)
    assert as_editor.headers["etag"] == '"2"'
    assert body["breadcrumb"] == [
        {"slug": "أخبار-العالم", "name": "أخبار العالم"},
        {"slug": "الشرق-الأوسط", "name": "الشرق الأوسط"},
    ]
    assert body["category"] == {"slug": "الشرق-الأوسط", "name": "الشرق الأوسط"}
    assert (await svc.client.get(f"/articles/{article['id']}")).json()["slug"] == article["slug"]


async def test_slug_collisions_get_numeric_suffixes(svc: Svc):
    slugs = [(await svc.create(title="خبر عاجل"))["slug"] for _ in range(3)]
    assert slugs == ["خبر-عاجل", "خبر-عاجل-2", "خبر-عاجل-3"]


async def test_slug_drops_tashkeel_tatweel_and_punctuation_keeps_hamza(svc: Svc):
    article = await svc.create(title="«مُـؤتمرٌ» دوليّ: إنهاء الأزمة؟")
    assert article["slug"] == "مؤتمر-دولي-إنهاء-الأزمة"


async def test_explicit_slug_is_used_and_a_taken_one_is_409(svc: Svc):
    first = await svc.create(slug="my-slug")
    assert first["slug"] == "my-slug"
    response = await svc.client.post(
        "/articles", json={"title": "ب", "body": BODY, "slug": "my-slug"}, headers=EDITOR
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "slug_taken"
    assert await svc.article_count() == 1


async def test_old_slug_redirects_to_the_current_one_after_a_title_change(svc: Svc):
    article = await svc.published(title="العنوان الأول")
    response = await svc.client.patch(
        f"/articles/{article['id']}", json={"title": "العنوان الثاني"}, headers=EDITOR
    )
    assert response.status_code == 200 and response.json()["slug"] == "العنوان-الثاني"
    old = await svc.client.get(f"/articles/{quote('العنوان-الأول')}")
    assert old.status_code == 301
    assert old.headers["location"] == quote("العنوان-الثاني")  # relative: works behind /api
    followed = await svc.client.get(f"/articles/{quote('العنوان-الأول')}", follow_redirects=True)
    assert followed.status_code == 200 and followed.json()["id"] == article["id"]
    # the old slug stays reserved: a new article with the old title gets a suffix
    assert (await svc.create(title="العنوان الأول"))["slug"] == "العنوان-الأول-2"


async def test_patch_updates_only_given_fields_and_bumps_version(svc: Svc):
    article = await svc.create(summary="قديم", tags=["أ"])
    response = await svc.client.patch(
        f"/articles/{article['id']}",
        json={"summary": "جديد", "comments_open": False},
        headers=EDITOR,
    )
    assert response.status_code == 200
    updated = response.json()
    assert updated["summary"] == "جديد" and updated["comments_open"] is False
    assert updated["tags"] == ["أ"] and updated["title"] == article["title"]
    assert updated["slug"] == article["slug"] and updated["version"] == 2
    assert response.headers["etag"] == '"2"'


async def test_stale_if_match_is_412_and_changes_nothing(svc: Svc):
    article = await svc.create()
    url = f"/articles/{article['id']}"
    ok = await svc.client.patch(url, json={"summary": "1"}, headers={**EDITOR, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'
    stale = await svc.client.patch(
        url, json={"summary": "2"}, headers={**EDITOR, "If-Match": '"1"'}
    )
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "version_conflict"
    for action in ("publish", "archive"):
        response = await svc.client.post(f"{url}/{action}", headers={**EDITOR, "If-Match": '"1"'})
        assert response.status_code == 412
    response = await svc.client.delete(url, headers={**EDITOR, "If-Match": '"1"'})
    assert response.status_code == 412
    current = (await svc.client.get(url, headers=EDITOR)).json()
    assert current["summary"] == "1" and current["version"] == 2 and current["status"] == "draft"
    malformed = await svc.client.patch(
        url, json={"summary": "3"}, headers={**EDITOR, "If-Match": "abc"}
    )
    assert malformed.status_code == 400


async def test_workflow_transitions_and_invalid_ones_are_409(svc: Svc):
    article = await svc.create()
    aid = article["id"]
    conflict = await svc.act(aid, "unpublish", expect=409)
    assert conflict["error"]["code"] == "invalid_transition"
    published = await svc.act(aid, "publish")
    assert published["status"] == "published" and published["published_at"]
    await svc.act(aid, "publish", expect=409)
    assert (await svc.act(aid, "unpublish"))["status"] == "unpublished"
    assert (await svc.client.get(f"/articles/{aid}")).status_code == 404
    republished = await svc.act(aid, "publish")
    assert republished["published_at"] == published["published_at"]  # first publication date
    assert (await svc.act(aid, "archive"))["status"] == "archived"
    await svc.act(aid, "archive", expect=409)
    await svc.act(aid, "schedule", expect=409, json={"publish_at": "2999-01-01T00:00:00Z"})
    assert (await svc.client.get(f"/articles/{aid}")).status_code == 404


async def test_schedule_needs_a_future_aware_time(svc: Svc):
    aid = (await svc.create())["id"]
    past = await svc.act(aid, "schedule", expect=422, json={"publish_at": "2001-01-01T00:00:00Z"})
    assert "publish_at" in past["error"]["fields"]
    naive = await svc.act(aid, "schedule", expect=422, json={"publish_at": "2999-01-01T00:00:00"})
    assert "publish_at" in naive["error"]["fields"]
    scheduled = await svc.act(aid, "schedule", json={"publish_at": "2999-01-01T00:00:00+03:00"})
    assert scheduled["status"] == "scheduled"
    assert scheduled["publish_at"].startswith("2998-12-31T21:00:00")
    assert (await svc.act(aid, "unpublish"))["status"] == "unpublished"


async def test_soft_delete_hides_the_article_from_everyone(svc: Svc):
    article = await svc.published()
    response = await svc.client.delete(f"/articles/{article['id']}", headers=EDITOR)
    assert response.status_code == 204
    for headers in ({}, EDITOR):
        for key in (article["id"], quote(article["slug"])):
            assert (await svc.client.get(f"/articles/{key}", headers=headers)).status_code == 404
    assert (await svc.client.get("/articles")).json()["items"] == []
    assert (
        await svc.client.delete(f"/articles/{article['id']}", headers=EDITOR)
    ).status_code == 404
    stored = await svc.runtime.db.articles.find_one({"_id": article["id"]})
    assert stored is not None and stored["status"] == "deleted"  # soft: still in the database


async def test_writes_need_an_editor_token(svc: Svc):
    article = await svc.create()
    aid = article["id"]
    calls = [
        ("POST", "/articles", {"title": "ت", "body": BODY}),
        ("PATCH", f"/articles/{aid}", {"summary": "x"}),
        ("POST", f"/articles/{aid}/publish", None),
        ("POST", f"/articles/{aid}/unpublish", None),
        ("POST", f"/articles/{aid}/archive", None),
        ("POST", f"/articles/{aid}/schedule", {"publish_at": "2999-01-01T00:00:00Z"}),
        ("DELETE", f"/articles/{aid}", None),
        ("POST", "/categories", {"name": "ثقافة"}),
        ("DELETE", "/categories/x", None),
    ]
    for method, url, body in calls:
        for headers, status in (
            ({}, 401),
            ({"Authorization": "Bearer nope"}, 401),
            (MODERATOR, 403),
        ):
            response = await svc.client.request(method, url, json=body, headers=headers)
            assert response.status_code == status, (method, url, response.text)
            assert "error" in response.json()
    assert await svc.article_count() == 1
    assert (await svc.client.get(f"/articles/{aid}", headers=EDITOR)).json()["version"] == 1


async def test_unknown_article_is_404(svc: Svc):
    for method, url in (
        ("GET", "/articles/nope"),
        ("PATCH", "/articles/nope"),
        ("POST", "/articles/nope/publish"),
        ("DELETE", "/articles/nope"),
    ):
        body = {"summary": "x"} if method == "PATCH" else None
        response = await svc.client.request(method, url, json=body, headers=EDITOR)
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
