"""The reference site and the public API through the gateway, as `make up` runs them.

One launched system (scripts/up.py: embedded servers, three services, nginx, demo content) and
one headless Chromium for the whole module.
"""

from __future__ import annotations

import contextlib
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.site_system import (
    ECONOMY,
    System,
    article_url,
    launched,
    lead_images_supported,
    open_page,
    page_of,
    publish,
    reader_client,
    wait_for,
)
from tests.e2e.test_gateway import NGINX
from tests.e2e.test_moderation_page import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
SEED_CANDIDATES = (
    ROOT.parent / "shared" / "samples" / "seed-article-ar.txt",
    Path("/work/shared/samples/seed-article-ar.txt"),
)
SEED = next((p for p in SEED_CANDIDATES if p.exists()), None)
SEED_TITLE = "الأردن وسوريا يتعهدان بتعزيز التعاون الأمني لمنع عودة تنظيم “داعش” إلى المنطقة"
SITE_ORIGIN = "https://site.example"
SHOTS = Path("/tmp")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
    pytest.mark.skipif(NGINX is None, reason="needs nginx (apt-get install nginx-light)"),
    pytest.mark.skipif(SEED is None, reason="needs the seed article sample"),
]


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    env = {"AKHBAR_DEMO_LIMIT": "20", "AKHBAR_SEED": str(SEED), "CORS_ORIGINS": SITE_ORIGIN}
    with launched(tmp_path_factory.mktemp("site"), env) as running:
        yield running


@pytest.fixture(scope="module")
def http(system: System) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=system.api, timeout=20) as client:
        yield client


@pytest.fixture(scope="module")
def seed(system: System, http: httpx.Client) -> dict[str, Any]:
    listing = http.get("/articles", params={"limit": 50}).json()["items"]
    item = next(i for i in listing if i["title"] == SEED_TITLE)
    # The related index and the comments read model follow the articles' events.
    wait_for(
        lambda: http.get(f"/articles/{item['id']}/related").json().get("items"),
        what="related items of the seed",
    )
    return item


@pytest.fixture(scope="module")
def economy(system: System, http: httpx.Client) -> dict[str, Any]:
    """An article of ours: inflected words for search, a tag, a lead image the gateway serves."""
    draft = dict(ECONOMY)
    if not lead_images_supported(http, system):
        draft.pop("lead_image")  # an API without lead images: the rest still holds
    return publish(http, system, draft)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        with contextlib.closing(chromium):
            yield chromium


# --- the reader's journey ---------------------------------------------------------------------


def test_reader_reads_the_seed_follows_a_related_article_and_comments(system, browser, http, seed):
    from playwright.sync_api import expect

    with page_of(browser) as page:
        open_page(page, article_url(system, seed))
        assert page.locator("html").get_attribute("dir") == "rtl"
        expect(page.locator("h1")).to_have_text(SEED_TITLE)
        expect(page.locator(".breadcrumb li")).to_have_text(
            ["الرئيسية", "أخبار العالم", "الشرق الأوسط"]
        )
        expect(page.locator(".article-section h2")).to_have_count(3)
        # A section shows its first paragraph; "اظهر المزيد" unfolds the rest.
        first = page.locator(".article-section").nth(1)
        folded = first.locator(".section-more p")
        expect(folded.first).to_be_hidden()
        first.get_by_role("button", name="اظهر المزيد").click()
        expect(folded.first).to_be_visible()
        expect(folded.first).to_contain_text("خلايا نائمة")
        page.screenshot(path=str(SHOTS / "akhbar-site-article-360.png"), full_page=True)

        # The comment form: email not published, required fields starred, honeypot hidden.
        form = page.locator("#comment-form")
        expect(form).to_contain_text("لن يتم نشر عنوان بريدك الإلكتروني")
        expect(form.locator("label .req")).to_have_count(3)
        expect(page.locator("#c-website")).to_be_hidden()
        form.locator("button[type=submit]").click()  # empty: told what is missing, nothing sent
        expect(page.locator("#c-author_name-error")).to_have_text("هذا الحقل مطلوب.")
        page.fill("#c-body", "شكراً على هذا التقرير الواضح عن التعاون الأمني.")
        page.fill("#c-author_name", "قارئة أولى")
        page.fill("#c-author_email", "not-an-email")
        form.locator("button[type=submit]").click()  # the API's reason, next to the field
        expect(page.locator("#c-author_email-error")).to_have_text(
            "عنوان البريد الإلكتروني غير صالح."
        )
        expect(page.locator(".form-status.error")).to_contain_text("بعض الحقول ناقصة")
        page.fill("#c-author_email", "first.reader@example.com")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            form.locator("button[type=submit]").click()
        assert posted.value.status == 201, posted.value.text()
        first_id = posted.value.json()["id"]
        expect(page.locator(".form-status.held")).to_have_text("تعليقك بانتظار المراجعة.")

        # A second reader (another machine) right after is not refused as a flood.
        with reader_client(system, "127.0.0.2") as reader:
            second = reader.post(
                f"/articles/{seed['id']}/comments",
                json={
                    "author_name": "قارئ ثان",
                    "author_email": "second.reader@example.com",
                    "body": "أتفق مع ما جاء في المقال.",
                },
            )
        assert second.status_code == 201, second.text

        # Approved comments show with their replies.
        moderator = system.auth("moderator")
        approved = http.post(f"/moderation/comments/{first_id}/approve", headers=moderator)
        assert approved.status_code == 200, approved.text
        with reader_client(system, "127.0.0.3") as reader:
            reply = reader.post(
                f"/articles/{seed['id']}/comments",
                json={
                    "author_name": "قارئ ثالث",
                    "author_email": "third.reader@example.com",
                    "body": "رد: وأنا كذلك.",
                    "parent_id": first_id,
                },
            )
        assert reply.status_code == 201, reply.text
        http.post(f"/moderation/comments/{reply.json()['id']}/approve", headers=moderator)
        open_page(page, article_url(system, seed))
        thread = page.locator(f'.comments > li[data-id="{first_id}"]')
        expect(thread.locator(".comment-body").first).to_have_text(
            "شكراً على هذا التقرير الواضح عن التعاون الأمني."
        )
        expect(thread.locator(".replies .comment-author")).to_have_text("قارئ ثالث")
        expect(page.locator("#comments-title")).to_have_text("التعليقات (2)")
        expect(page.locator("body")).not_to_contain_text("first.reader@example.com")
        reply_el = thread.locator(".replies .comment").first
        reply_el.locator("button.report").click()  # a reader flags a comment
        expect(reply_el.locator(".report-note")).to_have_text("شكراً، سنراجع التعليق.")
        page.locator("#comments-title").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "akhbar-site-comments-360.png"))

        # Follow a related article: the page renders that (ANT) article.
        link = page.locator(".related-list h3 a").first
        title = link.inner_text()
        link.click()
        page.wait_for_url("**/article/**")
        page.wait_for_selector("html[data-ready]")
        expect(page.locator("h1")).to_have_text(title)
        assert "/article/" in page.url and urllib.parse.unquote(page.url) != article_url(
            system, seed
        )


def test_home_category_and_tag_pages_list_articles(system, browser, seed, economy):
    from playwright.sync_api import expect

    with page_of(browser, width=1280) as page:
        open_page(page, system.base + "/")
        cards = page.locator(".cards .card")
        expect(cards).to_have_count(12)
        page.screenshot(path=str(SHOTS / "akhbar-site-home-1280.png"), full_page=True)
        page.get_by_role("button", name="اظهر المزيد").click()  # the next_cursor page
        expect(cards).not_to_have_count(12)
        assert cards.count() > 12
        category = seed["category"]
        open_page(page, f"{system.base}/category/{urllib.parse.quote(category['slug'])}")
        expect(page.locator("h1")).to_have_text(category["name"])
        expect(page.locator(".card-title", has_text=SEED_TITLE)).to_have_count(1)
        open_page(page, f"{system.base}/tag/{urllib.parse.quote('حصاد')}")
        expect(page.locator(".card-title")).to_have_text([economy["title"]])
        open_page(page, article_url(system, seed))
        page.screenshot(path=str(SHOTS / "akhbar-site-article-1280.png"), full_page=True)
        open_page(page, f"{system.base}/article/no-such-article")
        expect(page.locator("h1")).to_have_text("المقال غير موجود")


def test_article_page_renders_with_only_the_required_fields(system, browser):
    """Optional fields absent, related and comments failing: the article still reads."""
    from playwright.sync_api import expect

    minimal = {
        "id": "m1",
        "slug": "m1",
        "title": "<b>عنوان</b> بلا زخارف",
        "body": [{"type": "paragraph", "text": "فقرة <img src=x onerror=alert(1)> وحيدة."}],
    }

    def fulfil(route: Any) -> None:
        url = route.request.url
        if url.endswith("/api/articles/m1"):
            route.fulfill(json=minimal)
        elif "/related" in url:
            route.fulfill(status=502, json={"error": {"code": "bad_gateway"}})
        else:
            route.fulfill(status=404, json={"error": {"code": "not_found"}})

    with page_of(browser) as page:
        page.route("**/api/**", fulfil)
        open_page(page, f"{system.base}/article/m1")
        expect(page.locator("h1")).to_have_text("<b>عنوان</b> بلا زخارف")  # text, not HTML
        expect(page.locator(".article-body p")).to_have_text(
            "فقرة <img src=x onerror=alert(1)> وحيدة."
        )
        assert page.locator(".article-body img, h1 b").count() == 0
        expect(page.locator(".breadcrumb li")).to_have_text(["الرئيسية"])
        expect(page.locator(".related")).to_have_count(0)
        expect(page.locator("#comment-form")).to_be_visible()


# --- the gateway in front of the real services ------------------------------------------------


def test_redirects_keep_host_port_and_the_api_prefix(system, browser, http, economy):
    for path in ("/articles/", "/categories/", "/moderation/"):
        response = http.get(path)
        assert response.status_code == 307, path
        assert response.headers["location"] == f"{system.api}{path.rstrip('/')}"
    old = economy["slug"]
    renamed = http.patch(
        f"/articles/{economy['id']}",
        json={"slug": "economy-report-renamed"},
        headers={**system.auth("editor"), "If-Match": f'"{economy["version"]}"'},
    )
    assert renamed.status_code == 200, renamed.text
    moved = http.get(f"/articles/{urllib.parse.quote(old)}")
    assert moved.status_code == 301
    target = moved.url.join(moved.headers["location"])
    assert str(target) == f"{system.api}/articles/economy-report-renamed"
    followed = http.get(f"/articles/{urllib.parse.quote(old)}", follow_redirects=True)
    assert followed.status_code == 200 and followed.json()["id"] == economy["id"]
    with page_of(browser) as page:  # an old link to the page lands on the current slug
        open_page(page, article_url(system, economy))
        assert page.url == f"{system.base}/article/economy-report-renamed"
        assert page.locator("h1").inner_text() == economy["title"]


def test_one_request_id_per_response_and_in_the_logs(system, http, seed):
    for method, path in (
        ("GET", "/articles?limit=1"),
        ("GET", f"/articles/{seed['id']}/comments"),
        ("GET", f"/articles/{seed['id']}/related"),
        ("POST", f"/articles/{seed['id']}/comments"),  # 422 from the service
        ("GET", "/articles/no-such-article"),
    ):
        response = http.request(method, path, headers={"X-Request-ID": "rid-check-7"}, json={})
        assert response.headers.get_list("x-request-id") == ["rid-check-7"], path
        bad = http.request(method, path, headers={"X-Request-ID": "bad id <x>"}, json={})
        assert len(bad.headers.get_list("x-request-id")) == 1
        assert bad.headers["x-request-id"] != "bad id <x>"
    lines = (system.state / "logs" / "gateway.log").read_text().splitlines()
    logged = [json.loads(x) for x in lines if "rid-check-7" in x]
    assert len(logged) == 5 and all(x["upstream_status"] for x in logged)


def test_a_client_cannot_pass_for_another_reader_with_its_own_forwarded_for(system, seed):
    """The gateway replaces X-Forwarded-For with the real peer: one machine is one reader."""
    with reader_client(system, "127.0.0.4") as reader:
        codes = [
            reader.post(
                f"/articles/{seed['id']}/comments",
                headers={"X-Forwarded-For": f"10.0.0.{n}"},
                json={
                    "author_name": f"زائر {n}",
                    "author_email": f"visitor{n}@example.com",
                    "body": f"تعليق رقم {n} من الجهاز نفسه.",
                },
            )
            for n in (1, 2)
        ]
    assert codes[0].status_code == 201, codes[0].text
    assert codes[1].status_code == 429 and codes[1].json()["error"]["code"] == "flood"


def test_internals_are_not_reachable_through_the_gateway(system, http, seed):
    for path in (
        "/metrics",
        "/related/metrics",
        "/docs",
        "/openapi.json",
        "/asyncapi.json",
        "/internal/articles",
        "/admin/rebuild",
        "/related/admin/rebuild",
        f"/articles/{seed['id']}/../../metrics",
    ):
        response = http.get(path, headers=system.auth("admin"))
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


# --- what the API half of issue 11 brings (frontend-api) -------------------------------------


def test_cors_preflight_is_answered_for_the_configured_origin_only(system, http, seed):
    path = f"/articles/{seed['id']}/comments"
    ask = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    allowed = http.options(path, headers={"Origin": SITE_ORIGIN, **ask})
    assert allowed.status_code in (200, 204), allowed.text
    assert allowed.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    other = http.options(path, headers={"Origin": "https://evil.example", **ask})
    assert "access-control-allow-origin" not in other.headers
    read = http.get("/articles?limit=1", headers={"Origin": SITE_ORIGIN})
    assert read.headers["access-control-allow-origin"] == SITE_ORIGIN
    assert "x-request-id" in read.headers["access-control-expose-headers"].lower()


def test_search_finds_an_article_by_an_inflected_form(system, browser, http, economy):
    from playwright.sync_api import expect

    def found() -> list[dict[str, Any]]:
        response = http.get("/search", params={"q": "والاقتصاد"})
        assert response.status_code == 200, response.text
        return [i for i in response.json()["items"] if i["id"] == economy["id"]]

    item = wait_for(found, what="search finds the new article")[0]
    start, end = item["highlights"][0]
    assert "اقتصاد" in item["snippet"][start:end]
    blank = http.get("/search", params={"q": "  "})
    assert blank.status_code == 422 and "q" in blank.json()["error"]["fields"]
    with page_of(browser) as page:
        open_page(page, system.base + "/")
        page.fill("#site-q", "والاقتصاد")  # the header's search box, as a reader uses it
        page.press("#site-q", "Enter")
        page.wait_for_url("**/search?q=*")
        page.wait_for_selector("html[data-ready]")
        assert urllib.parse.unquote_plus(page.url).endswith("/search?q=والاقتصاد")
        card = page.locator(".card", has_text=economy["title"])
        expect(card.locator("mark").first).to_contain_text("اقتصاد")
        page.screenshot(path=str(SHOTS / "akhbar-site-search-360.png"), full_page=True)


def test_related_box_and_lead_image_show_what_the_api_gives(system, browser, http, seed, economy):
    from playwright.sync_api import expect

    items = http.get(f"/articles/{seed['id']}/related").json()["items"]
    for item in items:
        assert {"id", "slug", "title", "summary", "published_at", "category", "breadcrumb"} <= set(
            item
        )
        assert "lead_image" in item and item["summary"]
    article = http.get(f"/articles/{economy['id']}").json()
    assert article["lead_image"]["caption"] == "حقل قمح عند الحصاد"
    with page_of(browser, width=1280) as page:
        open_page(page, article_url(system, seed))
        first = page.locator(".related-item").first
        expect(first.locator("time")).to_have_count(1)
        expect(first.locator(".kicker")).to_have_text(items[0]["category"]["name"])
        expect(first.locator(".summary")).not_to_be_empty()
        open_page(page, f"{system.base}/article/{economy['id']}")
        lead = page.locator("figure.lead-image")
        expect(lead.locator("figcaption")).to_have_text("حقل قمح عند الحصاد (أرشيف أخبار)")
        assert lead.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")


def test_tags_are_listed_through_the_gateway_and_on_the_home_page(system, browser, http, economy):
    from playwright.sync_api import expect

    tags = http.get("/tags", params={"limit": 100}).json()["items"]
    assert {"tag": "حصاد", "count": 1} in tags
    with page_of(browser) as page:
        open_page(page, system.base + "/")
        page.locator(".tags-box a", has_text="حصاد").click()
        page.wait_for_url("**/tag/**")
        page.wait_for_selector("html[data-ready]")
        expect(page.locator(".card-title")).to_have_text([economy["title"]])
