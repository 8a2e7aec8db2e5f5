"""Log format: JSON lines off a terminal, readable lines on one, with request and event fields."""

from __future__ import annotations

import io
import json
import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import CollectorRegistry

from shared import http, logs
from shared.events import CommentModerated, CommentModeratedData


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("akhbar.faststream").setLevel(logging.NOTSET)


def lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def event() -> CommentModerated:
    return CommentModerated(
        producer="comments",
        aggregate_id="c1",
        aggregate_version=2,
        correlation_id="req-42",
        data=CommentModeratedData(
            comment_id="c1", article_id="a1", from_status="pending", to_status="approved"
        ),
    )


def test_json_lines_off_a_terminal_carry_service_and_request_id(restore_logging):
    out = io.StringIO()
    logs.configure("comments", "INFO", stream=out)
    app = FastAPI()
    http.install(app, max_body_bytes=1000, registry=CollectorRegistry())

    @app.get("/x")
    def handler() -> dict[str, str]:
        logging.getLogger("akhbar.test").info("سلام %s", "عليكم")
        return {}

    TestClient(app).get("/x", headers={"X-Request-ID": "abc-123"})
    logging.getLogger("uvicorn.error").info("started")
    first, *_, second = [line for line in lines(out) if line["logger"] != "httpx"]
    assert first["event"] == "سلام عليكم"  # Arabic as text, not \\u escapes
    assert "سلام" in out.getvalue()
    assert first["service"] == "comments" and first["request_id"] == "abc-123"
    assert first["level"] == "info" and first["logger"] == "akhbar.test"
    assert first["timestamp"].endswith("Z")
    assert second["service"] == "comments" and second["request_id"] is None


def test_readable_lines_on_a_terminal(restore_logging):
    out = Tty()
    logs.configure("articles", "INFO", stream=out)
    logging.getLogger("akhbar.test").warning("hello %d", 5)
    text = out.getvalue()
    assert "hello 5" in text and "articles" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text.splitlines()[0])


def test_log_format_setting_overrides_the_terminal_check(restore_logging):
    out = Tty()
    logs.configure("related", "INFO", fmt="json", stream=out)
    logging.getLogger("x").info("plain")
    assert lines(out)[0]["service"] == "related"


async def test_event_handling_lines_carry_stream_type_id_deliveries_and_duration(restore_logging):
    out = io.StringIO()
    logs.configure("articles", "INFO", stream=out)
    inner = logging.getLogger("akhbar.articles.subscribers")

    async def handler(evt):
        inner.info("counting")

    async def broken(evt):
        raise RuntimeError("boom")

    evt = event()
    logs.deliveries_var.set(3)
    await logs.observed(handler, stream="comments.events", group="articles")(evt)
    with pytest.raises(RuntimeError):
        await logs.observed(broken, stream="comments.events", group="articles")(evt)
    inside, handled, failed = lines(out)
    for line in (inside, handled, failed):
        assert line["stream"] == "comments.events" and line["group"] == "articles"
        assert line["event_type"] == "comment.moderated" and line["event_id"] == evt.event_id
        assert line["correlation_id"] == "req-42" and line["deliveries"] == 3
        assert line["service"] == "articles"
    assert inside["event"] == "counting"
    assert handled["outcome"] == "handled" and handled["duration_ms"] >= 0
    assert failed["outcome"] == "failed" and failed["error"] == "RuntimeError"
    assert failed["level"] == "warning"


def test_faststream_bare_received_processed_lines_are_silenced_but_errors_pass(restore_logging):
    out = io.StringIO()
    logs.configure("related", "INFO", stream=out)
    faststream = logging.getLogger("akhbar.faststream")
    faststream.info("Received")
    faststream.info("Processed")
    faststream.error("ValueError: bad")
    assert [line["event"] for line in lines(out)] == ["ValueError: bad"]


def test_uvicorn_color_copy_is_not_logged(restore_logging):
    out = io.StringIO()
    logs.configure("articles", "INFO", stream=out)
    logging.getLogger("uvicorn.error").info("Started %d", 5, extra={"color_message": "\x1b[1m"})
    assert lines(out)[0] == {**lines(out)[0], "event": "Started 5"}
    assert "color_message" not in lines(out)[0]
