"""What an article page needs: images, reading time, a summary always, author, tags, caching."""

from __future__ import annotations

from shared.events import ARTICLES_STREAM
from tests.conftest import EDITOR
from tests.integration.articles.conftest import Svc

LEAD = {
    "src": "https://cdn.example.com/a.jpg",
    "caption": "عمّان",
    "credit": "رويترز",
    "alt": "صورة",
}
LONG = "كلمة " * 450  # 450 words: three minutes at 200 words a minute


async def test_images_reading_time_author_and_lead_image(svc: Svc):
    body = [
        {"type": "heading", "text": "عنوان فرعي"},
        {"type": "paragraph", "text": LONG},
        {"type": "image", "src": "/media/b.png", "caption": "تعليق", "credit": "أ ف ب", "alt": "ب"},
    ]
    article = await svc.published(body=body, lead_image=LEAD, author="سارة العلي")
    got = (await svc.client.get(f"/articles/{article['id']}")).json()
    assert got["lead_image"] == LEAD
    assert got["body"][2] == {
        "type": "image", "src": "/media/b.png", "caption": "تعليق", "credit": "أ ف ب", "alt": "ب",
    }  # fmt: skip
    assert got["reading_time_minutes"] == 3
    assert got["author"] == {"name": "سارة العلي", "slug": "سارة-العلي"}
    listed = (await svc.client.get("/articles")).json()["items"][0]
    assert listed["lead_image"] == LEAD and listed["reading_time_minutes"] == 3
    assert "body" not in listed
    short = await svc.published(author=None)
    assert (await svc.client.get(f"/articles/{short['id']}")).json()["reading_time_minutes"] == 1
    assert short["author"] == {"name": "edith", "slug": "edith"}  # the editor who wrote it


async def test_bad_image_sources_are_refused_and_change_nothing(svc: Svc):
    bad = ["javascript:alert(1)", "//evil.example/x.jpg", "data:image/png;base64,AAA", "ftp://h/x",
           "https://", "/a b.jpg", "relative/x.jpg"]  # fmt: skip
    for src in bad:
        response = await svc.client.post(
            "/articles",
            json={"title": "ع", "body": [{"type": "image", "src": src}]},
            headers=EDITOR,
        )
        assert response.status_code == 422, src
        assert "body.0.src" in response.json()["error"]["fields"]
        response = await svc.client.post(
            "/articles",
            json={
                "title": "ع",
                "body": [{"type": "paragraph", "text": "ن"}],
                "lead_image": {"src": src},
            },
            headers=EDITOR,
        )
        assert response.status_code == 422, src
    mixed = [
        {"type": "image", "src": "/a.jpg", "text": "x"},
        {"type": "paragraph", "text": "x", "src": "/a.jpg"},
    ]
    for block in mixed:
        response = await svc.client.post(
            "/articles", json={"title": "ع", "body": [block]}, headers=EDITOR
        )
        assert response.status_code == 422 and "body.0" in response.json()["error"]["fields"]
    assert await svc.article_count() == 0


async def test_summary_is_never_empty_and_says_when_it_is_an_excerpt(svc: Svc):
    first = "الفقرة الأولى " * 40
    written = await svc.published(summary="ملخص المحرر")
    fallback = await svc.published(
        body=[{"type": "heading", "text": "عنوان"}, {"type": "paragraph", "text": first}]
    )
    got = (await svc.client.get(f"/articles/{fallback['id']}")).json()
    assert got["summary_is_excerpt"] is True
    assert got["summary"].endswith("…") and len(got["summary"]) <= 201
    assert first.startswith(got["summary"][:-1].strip())
    items = {i["id"]: i for i in (await svc.client.get("/articles")).json()["items"]}
    assert items[fallback["id"]]["summary"] == got["summary"]
    assert items[written["id"]]["summary"] == "ملخص المحرر"
    assert items[written["id"]]["summary_is_excerpt"] is False
    # an article stored before excerpts were kept still shows one in lists
    await svc.runtime.db.articles.update_one(
        {"_id": fallback["id"]}, {"$unset": {"excerpt": "", "reading_time_minutes": ""}}
    )
    items = {i["id"]: i for i in (await svc.client.get("/articles")).json()["items"]}
    assert items[fallback["id"]]["summary"] == got["summary"]
    events = await svc.events()
    assert events[-1]["data"]["excerpt"] == got["summary"]


async def test_tags_are_counted_over_published_articles_and_paged(svc: Svc):
    a = await svc.published(tags=["تونس", "اقتصاد"])
    await svc.published(tags=["تونس"])
    draft = await svc.create(tags=["تونس", "مسودة"])
    await svc.published(tags=["رياضة"])
    page = (await svc.client.get("/tags", params={"limit": 2})).json()
    assert page["items"] == [{"tag": "تونس", "count": 2}, {"tag": "اقتصاد", "count": 1}]
    rest = (await svc.client.get("/tags", params={"cursor": page["next_cursor"]})).json()
    assert rest == {"items": [{"tag": "رياضة", "count": 1}], "next_cursor": None}
    await svc.act(a["id"], "unpublish")
    await svc.client.patch(f"/articles/{draft['id']}", json={"tags": ["x"]}, headers=EDITOR)
    counts = {i["tag"]: i["count"] for i in (await svc.client.get("/tags")).json()["items"]}
    assert counts == {"تونس": 1, "رياضة": 1}
    tagged = (await svc.client.get("/articles", params={"tag": "تونس"})).json()["items"]
    assert len(tagged) == 1
    bad = await svc.client.get("/tags", params={"cursor": "nope"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"


async def test_public_reads_revalidate_with_etag_and_304(svc: Svc):
    article = await svc.published()
    for url in (f"/articles/{article['id']}", "/articles", "/tags", "/categories"):
        first = await svc.client.get(url)
        etag = first.headers["etag"]
        assert "max-age" in first.headers["cache-control"], url
        assert "authorization" in first.headers.get("vary", "").lower(), url
        again = await svc.client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"", url
        assert again.headers["etag"] == etag
    url = f"/articles/{article['id']}"
    etag = (await svc.client.get(url)).headers["etag"]
    await svc.client.patch(url, json={"summary": "جديد"}, headers=EDITOR)
    changed = await svc.client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["summary"] == "جديد"
    private = await svc.client.get(url, headers=EDITOR)
    assert private.headers["etag"] == '"3"'  # editors get the version, for If-Match
    assert private.headers["cache-control"] == "private, no-cache"


async def test_cors_is_closed_by_default(svc: Svc):
    preflight = await svc.client.options(
        "/articles",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    error = preflight.json()["error"]  # the one error shape, not Starlette's plain text
    assert error["code"] == "cors_refused" and "origin" in error["message"]
    assert error["message_ar"] and preflight.headers["x-request-id"]
    plain = await svc.client.get("/articles", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in plain.headers


async def test_events_carry_what_consumers_show(svc: Svc):
    await svc.published(lead_image=LEAD, summary="")
    data = (await svc.events())[-1]["data"]
    assert data["lead_image"] == LEAD and data["excerpt"] == "نص الفقرة."
    assert ARTICLES_STREAM == "articles.events"


async def test_cors_allows_the_configured_origins_and_answers_preflight(settings):
    from services.articles.main import create_app
    from tests.helpers import app_client

    app = create_app(
        settings.model_copy(update={"cors_origins": "https://site.example, https://b.example/"})
    )
    async with app_client(app) as client:
        preflight = await client.options(
            "/articles",
            headers={
                "Origin": "https://site.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, if-match",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://site.example"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        read = await client.get("/articles", headers={"Origin": "https://b.example"})
        assert read.headers["access-control-allow-origin"] == "https://b.example"
        assert "etag" in read.headers["access-control-expose-headers"].lower()
        other = await client.get("/articles", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
