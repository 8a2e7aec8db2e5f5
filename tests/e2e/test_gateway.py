"""The gateway's own behaviour with the config the launcher writes, on a real nginx.

Nothing runs behind it here (the upstream ports are closed), which is exactly how nginx's own
errors arise; what needs the services is in test_site.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from scripts.up import gateway_config
from shared.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="needs nginx (apt-get install nginx-light)")
ERROR_KEYS = {"code", "message", "message_ar", "fields"}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    state = tmp_path_factory.mktemp("gateway")
    (state / "logs").mkdir()
    dead = {name: free_port() for name in ("articles", "comments", "related")}
    port = free_port()
    conf = gateway_config(state, dead, port)
    assert NGINX
    proc = subprocess.Popen(
        [NGINX, "-p", str(state), "-c", str(conf), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        try:
            if httpx.get(f"{base}/gateway/health").status_code == 200:
                break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
    try:
        yield base, state
    finally:
        proc.terminate()
        proc.wait(10)


def _error_shape(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    assert body["error"]["code"] == code and body["error"]["message_ar"]


def _one_request_id(response: httpx.Response) -> str:
    ids = response.headers.get_list("x-request-id")
    assert len(ids) == 1, ids
    return ids[0]


def test_nginx_errors_are_in_the_api_error_shape(gateway):
    base, _ = gateway
    with httpx.Client(base_url=base) as http:
        _error_shape(http.get("/api/articles"), 502, "bad_gateway")  # the service is down
        _error_shape(http.get("/api/no-such-thing"), 404, "not_found")
        _error_shape(http.get("/no-such-page.php"), 404, "not_found")
        _error_shape(http.get("/assets/missing.js"), 404, "not_found")
        _error_shape(http.post("/"), 405, "method_not_allowed")
        big = http.post(
            "/api/articles/a/comments",
            content=b"x" * (1024 * 1024 + 10),
            headers={"Content-Type": "application/json"},
        )
        _error_shape(big, 413, "payload_too_large")
        _one_request_id(big)


@pytest.mark.parametrize(
    "path",
    [
        "/api/metrics",
        "/api/related/metrics",
        "/api/related/admin/rebuild",
        "/api/admin/outbox/replay",
        "/api/internal/articles",
        "/api/openapi.json",
        "/api/docs",
        "/api/asyncapi.json",
        "/api/health/ready",
        "/api/articles/../metrics",
        "/api/articles%2F..%2Fmetrics",
    ],
)
def test_internals_are_not_routed(gateway, path):
    base, _ = gateway
    # Routed paths reach the (closed) upstream and give 502; unrouted ones stop at nginx.
    response = httpx.get(base + path)
    _error_shape(response, 404, "not_found")


def test_every_nginx_error_page_is_the_error_shape():
    text = (ROOT / "gateway" / "nginx.conf").read_text()
    pages = re.findall(r"error_page (\d+) (@e\d+);", text)
    assert {status for status, _ in pages} >= {"404", "413", "502", "503", "504"}
    for status, name in pages:
        body = re.search(rf"location {name} \{{.*?return {status} '(.*?)';", text, re.S)
        assert body, name
        assert set(json.loads(body.group(1))["error"]) == ERROR_KEYS


def test_request_id_is_kept_only_when_sane_and_sent_once(gateway):
    base, _ = gateway
    with httpx.Client(base_url=base) as http:
        kept = http.get("/", headers={"X-Request-ID": "client-id_1.2:3"})
        assert _one_request_id(kept) == "client-id_1.2:3"
        for bad in ("<script>alert(1)</script>", "a" * 200, "id with spaces", "ü-id"):
            response = http.get("/api/nowhere", headers={"X-Request-ID": bad.encode("utf-8")})
            fresh = _one_request_id(response)
            assert fresh != bad and re.fullmatch(r"[0-9a-f]{32}", fresh)
        assert _one_request_id(http.get("/api/articles")) != _one_request_id(
            http.get("/api/articles")
        )


def test_access_log_lines_are_json_with_the_request_id(gateway):
    base, state = gateway
    httpx.get(f"{base}/api/articles?limit=2", headers={"X-Request-ID": "log-check-42"})
    log = state / "logs" / "gateway.log"
    deadline = time.monotonic() + 5
    while "log-check-42" not in log.read_text():
        assert time.monotonic() < deadline, log.read_text()[-2000:]
        time.sleep(0.1)
    line = next(json.loads(x) for x in log.read_text().splitlines() if "log-check-42" in x)
    assert line["request_id"] == "log-check-42" and line["service"] == "gateway"
    assert line["uri"] == "/api/articles?limit=2" and line["status"] == 502
    assert line["method"] == "GET" and "time" in line and "duration_s" in line


def test_site_pages_are_served_rtl_with_a_strict_csp(gateway):
    base, _ = gateway
    with httpx.Client(base_url=base) as http:
        for path in ("/", "/article/%D8%B3%D9%84%D8%A7%D9%85", "/category/x", "/tag/y", "/search"):
            page = http.get(path)
            assert page.status_code == 200, path
            assert '<html lang="ar" dir="rtl">' in page.text
            csp = page.headers["content-security-policy"]
            assert "default-src 'none'" in csp and "script-src 'self'" in csp
            assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
            assert page.headers["x-content-type-options"] == "nosniff"
        for asset in ("app.js", "dom.js", "article.js", "comments.js", "lists.js", "site.css"):
            response = http.get(f"/assets/{asset}")
            assert response.status_code == 200, asset
            assert "charset=utf-8" in response.headers["content-type"]
        assert http.get("/assets/../nginx.conf").status_code == 404
        assert "content-security-policy" not in http.get("/api/articles").headers


def test_site_loads_nothing_from_the_internet_and_never_injects_html():
    site = ROOT / "gateway" / "site"
    for path in site.rglob("*"):
        if path.suffix in (".html", ".js", ".css"):
            text = path.read_text()
            assert not re.search(r"(src|href)=[\"']?(https?:)?//", text), path
            assert "@import" not in text and "url(http" not in text, path
            assert "innerHTML" not in text and "insertAdjacentHTML" not in text, path
            assert "document.write" not in text and "eval(" not in text, path
