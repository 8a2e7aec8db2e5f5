"""The moderators' page in a real headless Chromium against the real comments app."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from services.comments.config import Settings
from services.comments.main import create_app
from shared.embedded import free_port
from shared.events import ARTICLES_STREAM, ArticlePublished, ArticleSnapshot
from tests.conftest import ADMIN, MODERATOR, settings_for

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("AKHBAR_TEST_ARTIFACTS", Path(__file__).parents[1] / "artifacts"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
XSS_TITLE = '<img src=x onerror="window.__xss=1">عنوان'
XSS_NAME = "<script>window.__xss=2</script>سارة"
XSS_BODY = '<b onmouseover="window.__xss=3">نص</b> مقال رائع'

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"
    ),
]


class LiveServer:
    """The comments app under uvicorn on a free port, in a thread with its own event loop."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_config=None, lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_until_complete, args=(self.server.serve(),), daemon=True
        )
        self._ip = 0

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("comments app did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)

    def run(self, coro: Any) -> Any:
        """Run a coroutine on the server's loop (where its clients live)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)

    def article(self, article_id: str, title: str) -> None:
        snapshot = ArticleSnapshot(
            id=article_id, slug=f"{article_id}-slug", title=title, status="published", version=1
        )
        event = ArticlePublished(
            producer="articles", aggregate_id=article_id, aggregate_version=1, data=snapshot
        )
        self.run(self.app.state.runtime.publish(ARTICLES_STREAM, event))
        repo = self.app.state.comments.repo
        _wait(lambda: self.run(repo.article(article_id)) is not None)

    def comment(self, http: httpx.Client, name: str, email: str, body: str) -> str:
        self._ip += 1
        response = http.post(
            "/articles/a1/comments",
            headers={"X-Forwarded-For": f"10.9.0.{self._ip}"},
            json={"author_name": name, "author_email": email, "body": body},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def stored(self, comment_id: str) -> dict[str, Any]:
        doc: dict[str, Any] = self.run(self.app.state.comments.repo.comment(comment_id))
        return doc


@pytest.fixture
def live(infra: dict[str, object], isolation: str) -> Iterator[LiveServer]:
    with LiveServer(settings_for(Settings, infra, isolation, trust_proxy=True)) as server:
        yield server


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        with contextlib.closing(chromium):
            yield chromium


def _wait(check: Any, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def _open(browser: Any, live: LiveServer, token: str, width: int = 1100) -> tuple[Any, list[str]]:
    page = browser.new_page(
        locale="ar", timezone_id="Asia/Riyadh", viewport={"width": width, "height": 800}
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{live.url}/moderation")
    page.fill("#token", token)
    page.click("#login-form button[type=submit]")
    return page, errors


async def _count(collection: Any) -> int:
    return int(await collection.count_documents({}))


def _arabic(page: Any, n: int) -> str:
    return str(page.evaluate(f"new Intl.NumberFormat('ar').format({n})"))


def test_moderator_works_the_queue_with_the_keyboard(live: LiveServer, browser: Any) -> None:
    from playwright.sync_api import expect

    live.article("a1", XSS_TITLE)
    with httpx.Client(base_url=live.url, timeout=10) as http:
        http.put("/moderation/settings", json={"flood_interval_seconds": 0}, headers=ADMIN)
        first = live.comment(http, XSS_NAME, "sara@example.com", XSS_BODY)
        second = live.comment(http, "أحمد", "ahmad@example.com", "رأي آخر في الموضوع")
        third = live.comment(http, "ليلى", "layla@example.com", "تعليق ثالث للرفض")
        page, errors = _open(browser, live, "mod-token")
        assert page.locator("html").get_attribute("dir") == "rtl"
        items = page.locator("#queue .item")
        expect(items).to_have_count(3)
        # Counts on the tabs, in Arabic digits with Arabic plural forms for people.
        pending_tab = page.locator('[role=tab][data-status="pending"]')
        expect(pending_tab.locator(".count")).to_have_text(_arabic(page, 3))
        assert pending_tab.get_attribute("aria-label").endswith(f"{_arabic(page, 3)} تعليقات")
        # User-written name, body and article title are text, never markup.
        xss = page.locator(f'.item[data-id="{first}"]')
        expect(xss.locator(".name")).to_have_text(XSS_NAME)
        expect(xss.locator(".body")).to_have_text(XSS_BODY)
        expect(xss.locator(".title")).to_have_text(XSS_TITLE)
        assert xss.locator(".title").get_attribute("href").endswith("/article/a1-slug")
        assert page.locator("#queue img, #queue script, #queue b").count() == 0
        # Only valid actions: nothing to restore on a fresh comment; dates carry the zone.
        expect(xss.locator('[data-action="restore"]')).to_be_hidden()
        expect(xss.locator(".when")).to_contain_text("غرينتش+3")
        # Every count goes through Intl.PluralRules("ar").
        forms = page.evaluate(
            """async () => {
                const { plural } = await import("./moderation/assets/format.js");
                return [0, 1, 2, 3, 11, 100].map((n) => plural("comment", n));
            }"""
        )
        assert forms == [
            "لا تعليقات",
            "تعليق واحد",
            "تعليقان",
            "3 تعليقات",
            "11 تعليقًا",
            "100 تعليق",
        ]
        # Keyboard: the first item is current; x selects it, a approves, u undoes.
        page.keyboard.press("x")
        expect(page.locator("#selected-count")).to_have_text("تعليق واحد محدد")
        page.keyboard.press("x")
        expect(xss).to_have_class("item current")
        page.keyboard.press("a")
        expect(xss).to_contain_class("done")
        _wait(lambda: live.stored(first)["status"] == "approved")
        expect(page.locator('[role=tab][data-status="approved"] .count')).to_have_text(
            _arabic(page, 1)
        )
        page.keyboard.press("u")
        expect(xss).not_to_contain_class("done")
        _wait(lambda: live.stored(first)["status"] == "pending")
        # j moves on; r asks the reason (keys pick it), and nothing happens without one.
        page.keyboard.press("j")
        expect(page.locator(f'.item[data-id="{second}"]')).to_contain_class("current")
        page.keyboard.press("j")
        page.keyboard.press("r")
        expect(page.locator("#reject-dialog")).to_be_visible()
        expect(page.locator("#reject-confirm")).to_be_disabled()
        page.keyboard.press("2")
        page.keyboard.press("Enter")
        _wait(lambda: live.stored(third)["status"] == "rejected")
        assert live.stored(third)["moderation_reason"] == "off_topic"
        # The last one handled, the cursor goes back to the nearest comment still to handle.
        expect(page.locator(f'.item[data-id="{second}"]')).to_contain_class("current")
        # ? opens the help overlay.
        page.keyboard.press("Escape")
        page.keyboard.press("?")
        expect(page.locator("#help-dialog")).to_be_visible()
        expect(page.locator("#help-dialog")).to_contain_text("التراجع")
        page.keyboard.press("Escape")
        # Live: a comment arriving while the page is open shows up, marked, at the end.
        arrived = live.comment(http, "زائر", "visitor@example.com", "تعليق وصل للتو")
        fresh = page.locator(f'.item[data-id="{arrived}"]')
        expect(fresh).to_have_class("item is-new", timeout=15_000)
        expect(page.locator("#new-banner")).to_contain_text("تعليق جديد واحد")
        assert items.last.get_attribute("data-id") == arrived
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "moderation-queue.png"), full_page=True)
        # Search by email (server-side, matched by its hash).
        page.click("#filters-box summary")
        page.fill('#filters [name="email"]', "AHMAD@example.com")
        page.click('#filters button[type="submit"]')
        expect(items).to_have_count(1)
        expect(items.first).to_have_attribute("data-id", second)
        assert errors == [], errors


def test_ban_from_a_comment_then_lift_it_at_phone_width(live: LiveServer, browser: Any) -> None:
    from playwright.sync_api import expect

    live.article("a1", "عنوان المقال")
    with httpx.Client(base_url=live.url, timeout=10) as http:
        troll = live.comment(http, "مزعج", "troll@example.com", "تعليق مسيء جداً")
        page, errors = _open(browser, live, "mod-token", width=360)
        item = page.locator(f'.item[data-id="{troll}"]')
        expect(item).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        tabs = page.locator("[role=tab]")
        for index in range(tabs.count()):
            box = tabs.nth(index).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / "moderation-360.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"360 px screenshot: {shot}")
        page.click("#filters-box summary")
        item.locator('[data-action="reject"]').click()
        expect(page.locator("#reject-dialog")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "moderation-reject-360.png"), full_page=True)
        page.keyboard.press("Escape")
        expect(page.locator("#reject-dialog")).to_be_hidden()
        assert live.stored(troll)["status"] == "pending"  # cancelled: nothing sent
        # A bulk action is undone the same way.
        item.locator(".pick").check()
        expect(page.locator("#selected-count")).to_have_text("تعليق واحد محدد")
        page.click('[data-bulk="spam"]')
        _wait(lambda: live.stored(troll)["status"] == "spam")
        page.click("#undo")
        _wait(lambda: live.stored(troll)["status"] == "pending")
        expect(item).not_to_contain_class("done")
        item.locator('[data-action="ban"]').click()
        page.fill('#ban-dialog [name="reason"]', "إساءة متكررة")
        page.select_option('#ban-dialog [name="days"]', "30")
        page.click('#ban-dialog button[value="ok"]')
        expect(item.locator(".banned")).to_be_visible()
        bans = http.get("/moderation/bans", headers=MODERATOR).json()["items"]
        assert [(b["email"], b["reason"]) for b in bans] == [("troll@example.com", "إساءة متكررة")]
        page.click('[data-view="bans"]')
        row = page.locator("#bans .ban")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("troll@example.com")
        page.screenshot(path=str(ARTIFACTS / "moderation-bans-360.png"), full_page=True)
        row.locator("[data-lift]").click()
        expect(row).to_have_count(0)
        assert http.get("/moderation/bans", headers=MODERATOR).json()["items"] == []
        assert not page.locator('[data-view="settings"]').is_visible()  # moderators only
        assert errors == [], errors


def test_admin_changes_a_word_list_and_the_next_comment_is_held(
    live: LiveServer, browser: Any
) -> None:
    from playwright.sync_api import expect

    live.article("a1", "عنوان")
    with httpx.Client(base_url=live.url, timeout=10) as http:
        http.put("/moderation/settings", json={"default_status": "approved"}, headers=ADMIN)
        page, errors = _open(browser, live, "adm-token")
        page.click('[data-view="settings"]')
        words = page.locator('[data-field="suspect_words"] textarea')
        expect(words).to_be_visible()
        words.fill("مشبوهة\nكلمة أخرى")
        # The dry run uses the unsaved draft and stores nothing.
        page.fill('#tester-form [name="body"]', "هذه عبارة مشبوهة")
        page.click('#tester-form button[type="submit"]')
        expect(page.locator("#tester-result .decision")).to_contain_text("بانتظار المراجعة")
        expect(page.locator("#tester-result")).to_contain_text("كلمة مشبوهة")
        assert live.run(_count(live.app.state.comments.repo.comments)) == 0
        page.click('#settings-form button[type="submit"]')
        expect(page.locator("#settings-state")).to_contain_text("حُفظت")
        page.screenshot(path=str(ARTIFACTS / "moderation-settings.png"), full_page=True)
        held = live.comment(http, "قارئ", "reader@example.com", "كلمة مشبوهة هنا")
        doc = live.stored(held)
        assert (doc["status"], doc["reasons"]) == ("pending", ["suspect_word"])
        # The browser refuses what the schema bounds; the server names what it refuses.
        page.locator('[data-field="link_limit"] input').fill("-5")
        assert page.eval_on_selector('[data-field="link_limit"] input', "e => !e.validity.valid")
        page.locator('[data-field="link_limit"] input').fill("3")
        page.locator('[data-field="banned_words"] textarea').fill("ك" * 101)
        page.click('#settings-form button[type="submit"]')
        expect(page.locator('[data-field="banned_words"] .field-error')).not_to_be_empty()
        assert http.get("/moderation/settings", headers=ADMIN).json()["link_limit"] == 2
        assert [e for e in errors if "422" not in e] == [], errors


def test_page_and_assets_are_served_without_a_token(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as http:
        page = http.get("/moderation")
        assert page.status_code == 200
        assert '<html lang="ar" dir="rtl">' in page.text
        csp = page.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "object-src 'none'" in csp
        for asset in ("moderation.js", "queue.js", "keys.js", "format.js", "moderation.css"):
            assert http.get(f"/moderation/assets/{asset}").status_code == 200, asset
        assert http.get("/moderation/assets/..%2Fapi.py").status_code == 404
        assert http.get("/moderation/queue").status_code == 401
