"""The whole system as `make up` runs it, for the site's end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from shared.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class System:
    base: str  # the gateway, e.g. http://127.0.0.1:PORT
    state: Path
    tokens: dict[str, str]

    @property
    def api(self) -> str:
        return f"{self.base}/api"

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def wait_for(check: Callable[[], Any], timeout: float = 30, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} not met in {timeout}s"
        time.sleep(0.3)


@contextlib.contextmanager
def launched(tmp: Path, extra_env: dict[str, str]) -> Iterator[System]:
    """scripts/up.py on free ports with its own state; Ctrl-C (SIGINT) at the end."""
    ports = {name: free_port() for name in ("articles", "comments", "related", "gateway")}
    dropped = ("MONGO_URL", "REDIS_URL", "AKHBAR_TOKENS", "COMMENTS_TRUST_PROXY")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({f"{n.upper()}_PORT": str(p) for n, p in ports.items() if n != "gateway"})
    env.update(extra_env)
    log = tmp / "up.log"
    command = [sys.executable, "-m", "scripts.up", "--state", str(tmp / "state")]
    proc = subprocess.Popen(
        [*command, "--gateway-port", str(ports["gateway"])],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 240
        while "running; Ctrl-C to stop" not in log.read_text():
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "launcher did not come up"
            time.sleep(0.5)
        spec = (tmp / "state" / "tokens").read_text().strip()
        tokens = {item.split(":")[1]: item.split(":")[0] for item in spec.split(",")}
        yield System(f"http://127.0.0.1:{ports['gateway']}", tmp / "state", tokens)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(90)


def reader_client(system: System, ip: str) -> httpx.Client:
    """A reader on another machine: connects to the gateway from another loopback address."""
    transport = httpx.HTTPTransport(local_address=ip)
    return httpx.Client(base_url=system.api, transport=transport, timeout=20)


# An article of ours: inflected words for search, a tag, a lead image the gateway serves.
ECONOMY = {
    "title": "تقرير عن اقتصاد المنطقة بعد موسم الحصاد",
    "summary": "ملخص قصير عن اقتصاد المنطقة.",
    "body": [
        {"type": "paragraph", "text": "يواجه اقتصاد المنطقة تحديات جديدة بعد موسم الحصاد."},
        {"type": "heading", "text": "الأسواق المحلية"},
        {"type": "paragraph", "text": "ارتفعت أسعار القمح في الأسواق المحلية هذا الأسبوع."},
        {"type": "paragraph", "text": "ويتوقع خبراء أن تستقر الأسعار قبل نهاية الشهر."},
    ],
    "tags": ["حصاد"],
    "lead_image": {
        "src": "/assets/icon.svg",
        "caption": "حقل قمح عند الحصاد",
        "credit": "أرشيف أخبار",
        "alt": "حقل قمح",
    },
}


def publish(http: httpx.Client, system: System, draft: dict[str, Any]) -> dict[str, Any]:
    editor = system.auth("editor")
    created = http.post("/articles", json=draft, headers=editor)
    assert created.status_code == 201, created.text
    published = http.post(f"/articles/{created.json()['id']}/publish", headers=editor)
    assert published.status_code == 200, published.text
    return published.json()  # type: ignore[no-any-return]


def lead_images_supported(http: httpx.Client, system: System) -> bool:
    """Whether the articles API takes a lead image: an invalid draft tells, writing nothing
    (an unknown field is reported as `lead_image`, a known one as `lead_image.src`)."""
    probe = http.post("/articles", json={"lead_image": {}}, headers=system.auth("editor"))
    return "lead_image" not in probe.json()["error"]["fields"]


@contextlib.contextmanager
def page_of(browser: Any, width: int = 360) -> Iterator[Any]:
    page = browser.new_page(locale="ar", viewport={"width": width, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def console(message: Any) -> None:
        # An API answering 4xx/5xx is logged by Chromium as a failed load; the page shows it.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    page.on("console", console)
    try:
        yield page
        assert errors == []
    finally:
        page.close()


def open_page(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-ready]", timeout=20_000)


def article_url(system: System, item: dict[str, Any]) -> str:
    return f"{system.base}/article/{urllib.parse.quote(item['slug'])}"
