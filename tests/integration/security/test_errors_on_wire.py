"""Issue 13, item 4: an unexpected failure is a 500 in the error shape with the request id,
logged once with that id, and the client's keep-alive connection survives it (real uvicorn)."""

from __future__ import annotations

import asyncio
import http.client
import json
import logging
from urllib.parse import urlsplit

import pytest

from services.articles.config import Settings
from services.articles.main import create_app
from services.articles.repository import ArticleRepository
from tests.conftest import settings_for
from tests.integration.security.server import served


def two_requests_on_one_connection(base: str, first: str, second: str) -> list[dict]:
    """GET both paths over one HTTP/1.1 connection; the socket must be the same."""
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    seen = []
    try:
        for path, rid in ((first, "req-first-1"), (second, "req-second-2")):
            conn.request("GET", path, headers={"X-Request-ID": rid})
            response = conn.getresponse()
            seen.append(
                {
                    "status": response.status,
                    "headers": {k.lower(): v for k, v in response.getheaders()},
                    "body": json.loads(response.read() or b"null"),
                    "sock": id(conn.sock),
                    "rid": rid,
                }
            )
    finally:
        conn.close()
    return seen


async def test_4_a_500_keeps_the_request_id_the_shape_and_the_connection(
    infra, isolation, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    async def broken(*_args, **_kwargs):  # a fault the issue does not name: any bug
        raise RuntimeError("secret internals of the categories query")

    monkeypatch.setattr(ArticleRepository, "list_categories", broken)
    app = create_app(settings_for(Settings, infra, isolation, scheduler_enabled=False))
    caplog.set_level(logging.INFO)
    async with served(app) as base:
        crash, after = await asyncio.to_thread(
            two_requests_on_one_connection, base, "/categories", "/articles"
        )
    assert crash["status"] == 500
    assert crash["headers"]["x-request-id"] == "req-first-1"
    assert crash["headers"].get("connection", "").lower() != "close"
    assert crash["body"]["error"]["code"] == "internal_error"
    assert set(crash["body"]["error"]) == {"code", "message", "message_ar", "fields"}
    assert "secret" not in json.dumps(crash["body"])
    assert after["status"] == 200 and after["headers"]["x-request-id"] == "req-second-2"
    assert after["sock"] == crash["sock"], "the server dropped the keep-alive connection"
    logged = [r for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR]
    assert len(logged) == 1, [r.getMessage() for r in logged]
    assert "req-first-1" in logged[0].getMessage()
