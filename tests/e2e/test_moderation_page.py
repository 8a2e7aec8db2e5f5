"""The moderators' page in a real headless Chromium against the real comments app."""

from __future__ import annotations

import asyncio
import contextlib
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
from tests.conftest import MODERATOR, settings_for

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path("/tmp/akhbar-moderation-page.png")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

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


@pytest.fixture
def live(infra: dict[str, object], isolation: str) -> Iterator[LiveServer]:
    with LiveServer(settings_for(Settings, infra, isolation, trust_proxy=True)) as server:
        yield server


def _wait(check: Any, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def _seed(live: LiveServer, http: httpx.Client) -> list[str]:
    snapshot = ArticleSnapshot(id="a1", slug="a1", title="عنوان", status="published", version=1)
    event = ArticlePublished(
        producer="articles", aggregate_id="a1", aggregate_version=1, data=snapshot
    )
    live.run(live.app.state.runtime.publish(ARTICLES_STREAM, event))
    _wait(lambda: live.run(live.app.state.comments.repo.article("a1")) is not None)
    ids = []
    bodies = [
        ("سارة", "sara@example.com", "مقال رائع، شكراً للكاتب على هذا التحليل.", "10.0.0.1"),
        (
            "أحمد",
            "ahmad@example.com",
            "راجعوا المصدر: https://a.example و https://b.example",
            "10.0.0.2",
        ),
    ]
    for name, email, body, ip in bodies:
        response = http.post(
            "/articles/a1/comments",
            headers={"X-Forwarded-For": ip},
            json={"author_name": name, "author_email": email, "body": body},
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def test_moderator_approves_a_pending_comment_by_clicking(live: LiveServer) -> None:
    from playwright.sync_api import expect, sync_playwright

    with httpx.Client(base_url=live.url, timeout=10) as http:
        first, second = _seed(live, http)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            with contextlib.closing(browser):
                page = browser.new_page(locale="ar", viewport={"width": 1100, "height": 800})
                errors: list[str] = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(f"{live.url}/moderation")
                assert page.locator("html").get_attribute("dir") == "rtl"
                assert page.locator("html").get_attribute("lang") == "ar"
                page.fill("#token", MODERATOR["Authorization"].removeprefix("Bearer "))
                page.click("#login-form button[type=submit]")
                items = page.locator("#queue .item")
                expect(items).to_have_count(2)
                held = page.locator(f'.item[data-id="{second}"]')
                expect(held.locator(".email")).to_have_text("ahmad@example.com")
                expect(held.locator(".reasons")).to_contain_text("روابط كثيرة")
                target = page.locator(f'.item[data-id="{first}"]')
                expect(target.locator(".body")).to_have_text(
                    "مقال رائع، شكراً للكاتب على هذا التحليل."
                )
                target.locator(".actions .link[data-action=history]").click()
                expect(target.locator(".audit li")).to_have_count(1)
                page.screenshot(path=str(SCREENSHOT), full_page=True)
                target.locator("[data-action=approve]").click()
                expect(page.locator(f'.item[data-id="{first}"]')).to_have_count(0)
                expect(items).to_have_count(1)
                expect(page.locator("#status")).to_contain_text("منشور")
                assert (
                    page.evaluate("sessionStorage.getItem('akhbar.moderatorToken')") == "mod-token"
                )
                assert errors == []
        stored = live.run(live.app.state.comments.repo.comment(first))
        assert stored["status"] == "approved"
        listing = http.get("/articles/a1/comments").json()
        assert [c["id"] for c in listing["items"]] == [first]
        history = http.get(f"/moderation/comments/{first}/history", headers=MODERATOR).json()
        assert [(r["to_status"], r["actor"]) for r in history["items"]][-1] == ("approved", "mona")


def test_page_and_assets_are_served_without_a_token(live: LiveServer) -> None:
    with httpx.Client(base_url=live.url, timeout=10) as http:
        page = http.get("/moderation")
        assert page.status_code == 200
        assert '<html lang="ar" dir="rtl">' in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert http.get("/moderation/assets/moderation.js").status_code == 200
        assert http.get("/moderation/assets/moderation.css").status_code == 200
        assert http.get("/moderation/assets/..%2Fapi.py").status_code == 404
        assert http.get("/moderation/queue").status_code == 401
