"""Issue 13, items 1-3 and 9: forged cursors, deep nesting, far dates, loose booleans.

Each is a clear 4xx in the one error shape on a real app (real MongoDB and Redis), never a 500.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest

from tests.conftest import ADMIN, EDITOR, MODERATOR
from tests.integration.security.conftest import Stack

FAR = "9999-12-31T23:59:59-14:00"


def forged(key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


CURSORS = {
    "words": forged(["yesterday", "abc"]),
    "far future": forged([FAR, "abc"]),
    "far past": forged(["0001-01-01T00:00:00+14:00", "abc"]),
    "naive": forged(["2024-01-01T00:00:00", "abc"]),
    "id not text": forged(["2024-01-01T00:00:00+00:00", {"$gt": ""}]),
    "id a list": forged(["2024-01-01T00:00:00+00:00", ["a"]]),
    "number": forged([1e308, 5]),
    "three parts": forged(["2024-01-01T00:00:00+00:00", "a", "b"]),
    "object": forged({"a": 1}),
    "deep": forged([[[[[[[]]]]]], "a"]),
    "not base64": "%%%",
    "not json": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    "long id": forged(["2024-01-01T00:00:00+00:00", "x" * 300]),
}


def list_endpoints(stack: Stack, article_id: str) -> list[tuple[str, str, dict[str, object]]]:
    return [
        ("articles", "/articles", {}),
        ("articles", "/articles?status=draft", EDITOR),
        ("comments", f"/articles/{article_id}/comments", {}),
        ("comments", "/moderation/queue", MODERATOR),
    ]


def assert_error(response, status: int, code: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"] and body["error"]["message_ar"]
    if code:
        assert body["error"]["code"] == code, body
    assert response.headers.get("x-request-id")
    return body["error"]  # type: ignore[no-any-return]


async def test_1_forged_cursors_are_400_invalid_cursor_on_every_list(stack: Stack):
    article = await stack.published_article()
    for service, path, headers in list_endpoints(stack, str(article["id"])):
        sep = "&" if "?" in path else "?"
        for name, cursor in CURSORS.items():
            response = await stack.clients[service].get(
                f"{path}{sep}cursor={cursor}", headers=headers
            )
            assert response.status_code == 400, (path, name, response.text)
            assert_error(response, 400, "invalid_cursor")


async def test_1_issued_cursors_still_page(stack: Stack):
    for _ in range(3):
        await stack.published_article()
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await stack.clients["articles"].get("/articles", params=params)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 3


DEEP = [
    "[" * 600 + "]" * 600,
    '{"a":' * 600 + "1" + "}" * 600,
    '{"body": ' + "[" * 100_000 + "]" * 100_000 + "}",
]


@pytest.mark.parametrize("payload", DEEP, ids=["array-600", "object-600", "array-100k"])
async def test_2_deep_nesting_is_400_before_parsing_and_logs_no_traceback(
    stack: Stack, payload: str, caplog: pytest.LogCaptureFixture
):
    article = await stack.published_article()
    writes = [
        ("comments", f"/articles/{article['id']}/comments", {}),
        ("comments", f"/comments/{'0' * 24}/report", {}),
        ("articles", "/articles", EDITOR),
        ("comments", "/moderation/bans", MODERATOR),
        ("comments", "/moderation/settings", ADMIN),
    ]
    caplog.set_level(logging.INFO)
    for service, path, headers in writes:
        method = "PUT" if path.endswith("settings") else "POST"
        response = await stack.clients[service].request(
            method,
            path,
            content=payload.encode(),
            headers={**headers, "Content-Type": "application/json"},
        )
        assert_error(response, 400, "nesting_too_deep")
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    assert sum(len(r.getMessage()) for r in caplog.records) < 5_000


async def test_2_reasonable_nesting_still_works(stack: Stack):
    block = {"type": "paragraph", "text": "نص."}
    response = await stack.clients["articles"].post(
        "/articles", json={"title": "عنوان", "body": [block] * 50}, headers=EDITOR
    )
    assert response.status_code == 201, response.text


async def test_3_far_dates_are_422_naming_the_field(stack: Stack):
    articles, comments = stack.clients["articles"], stack.clients["comments"]
    body = {"title": "عنوان", "body": [{"type": "paragraph", "text": "نص."}]}
    draft = (await articles.post("/articles", json=body, headers=EDITOR)).json()
    for when in (FAR, "0001-01-01T00:00:00+14:00", "3000-01-01T00:00:00+00:00"):
        response = await articles.post(
            f"/articles/{draft['id']}/schedule", json={"publish_at": when}, headers=EDITOR
        )
        assert "publish_at" in assert_error(response, 422, "validation_failed")["fields"]
        response = await comments.post(
            "/moderation/bans",
            json={"email": "x@example.com", "expires_at": when},
            headers=MODERATOR,
        )
        assert "expires_at" in assert_error(response, 422, "validation_failed")["fields"]
    assert (await comments.get("/moderation/bans", headers=MODERATOR)).json()["items"] == []
    assert (await articles.get(f"/articles/{draft['id']}", headers=EDITOR)).json()[
        "status"
    ] == "draft"


async def test_3_dates_inside_the_window_still_work(stack: Stack):
    comments = stack.clients["comments"]
    response = await comments.post(
        "/moderation/bans",
        json={"email": "x@example.com", "expires_at": "2999-12-31T23:59:59+14:00"},
        headers=MODERATOR,
    )
    assert response.status_code == 201, response.text


async def test_9_premoderation_of_an_unknown_article_is_404(stack: Stack):
    comments = stack.clients["comments"]
    response = await comments.put(
        "/moderation/articles/no-such-article/premoderation",
        json={"enabled": True},
        headers=MODERATOR,
    )
    assert_error(response, 404, "not_found")
    assert await stack.apps["comments"].state.comments.repo.article("no-such-article") is None
    article = await stack.published_article()
    response = await comments.put(
        f"/moderation/articles/{article['id']}/premoderation",
        json={"enabled": True},
        headers=MODERATOR,
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("value", [0, 1, "true", "false", "yes", "", None, [], 0.0])
async def test_9_booleans_are_strict_in_writes(stack: Stack, value: object):
    article = await stack.published_article()
    comments, articles = stack.clients["comments"], stack.clients["articles"]
    path = f"/moderation/articles/{article['id']}/premoderation"
    response = await comments.put(path, json={"enabled": value}, headers=MODERATOR)
    assert "enabled" in assert_error(response, 422, "validation_failed")["fields"]
    response = await comments.put(
        "/moderation/settings", json={"premoderation": value or 0}, headers=ADMIN
    )
    assert "premoderation" in assert_error(response, 422)["fields"]
    body = {"title": "ع", "body": [{"type": "paragraph", "text": "ن"}], "comments_open": value}
    if value is not None:
        response = await articles.post("/articles", json=body, headers=EDITOR)
        assert "comments_open" in assert_error(response, 422)["fields"]
