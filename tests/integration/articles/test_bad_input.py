"""Bad input: a clear 4xx in the error shape, nothing written, no event emitted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import EDITOR
from tests.integration.articles.conftest import Svc

BLOCK = {"type": "paragraph", "text": "نص."}
BIG = "ن" * (100 * 1024 + 1)  # 2 bytes each in UTF-8: just over 200 KB in two blocks


def _create(**fields: Any) -> dict[str, Any]:
    return {"title": "عنوان", "body": [BLOCK], **fields}


CREATE_CASES = [
    ("missing title", {"body": [BLOCK]}, 422, "title"),
    ("blank title", _create(title="   "), 422, "title"),
    ("empty body", _create(body=[]), 422, "body"),
    ("missing body", {"title": "عنوان"}, 422, "body"),
    ("empty block text", _create(body=[{"type": "paragraph", "text": ""}]), 422, "body.0.text"),
    ("unknown block type", _create(body=[{"type": "video", "text": "x"}]), 422, "body.0.type"),
    ("unknown category", _create(category="لا-يوجد"), 422, "category"),
    ("unknown field", _create(views=5), 422, "views"),
    ("unknown field in a block", _create(body=[{**BLOCK, "html": "<b>"}]), 422, "body.0.html"),
    ("title over 300 chars", _create(title="ع" * 301), 422, "title"),
    ("body over 200 KB", _create(body=[{"type": "paragraph", "text": BIG}] * 2), 413, "body"),
    ("tags not a list", _create(tags="a,b"), 422, "tags"),
    ("bad language", _create(language="Arabic"), 422, "language"),
    ("$ key at top level", _create(**{"$set": {"status": "published"}}), 422, None),
    ("$ key nested", _create(body=[{"type": "paragraph", "text": {"$gt": ""}}]), 422, None),
    ("$ key deep", _create(tags=[{"a": [{"$where": "1"}]}]), 422, None),
]


@pytest.mark.parametrize(
    ("case", "payload", "status", "field"), CREATE_CASES, ids=[c[0] for c in CREATE_CASES]
)
async def test_bad_create_is_rejected_and_writes_nothing(svc: Svc, case, payload, status, field):
    response = await svc.client.post("/articles", json=payload, headers=EDITOR)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] and error["message"] and error["message_ar"]
    if field:
        assert field in error["fields"], error
    assert await svc.article_count() == 0
    assert await svc.events() == []


async def test_title_of_exactly_300_chars_is_accepted(svc: Svc):
    article = await svc.create(title="ع" * 300)
    assert len(article["title"]) == 300


@pytest.mark.parametrize(
    ("content", "ctype", "status"),
    [
        ("{not json", "application/json", 400),
        ("title=x", "application/x-www-form-urlencoded", 415),
        ("[1, 2]", "application/json", 422),
    ],
    ids=["malformed JSON", "form body", "JSON array"],
)
async def test_non_json_bodies_are_rejected(svc: Svc, content, ctype, status):
    headers = {**EDITOR, "Content-Type": ctype}
    response = await svc.client.post("/articles", content=content.encode(), headers=headers)
    assert response.status_code == status, response.text
    assert "error" in response.json()
    assert await svc.article_count() == 0


async def test_oversized_request_is_413(svc: Svc):
    payload = json.dumps(_create(body=[{"type": "paragraph", "text": "x" * (1100 * 1024)}]))
    response = await svc.client.post(
        "/articles", content=payload, headers={**EDITOR, "Content-Type": "application/json"}
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    assert await svc.article_count() == 0


PATCH_CASES = [
    ("null title", {"title": None}, 422),
    ("blank title", {"title": ""}, 422),
    ("long title", {"title": "ع" * 301}, 422),
    ("empty body", {"body": []}, 422),
    ("body over 200 KB", {"body": [{"type": "paragraph", "text": BIG}] * 2}, 413),
    ("unknown category", {"category": "لا-يوجد"}, 422),
    ("unknown field", {"status": "published"}, 422),
    ("version field", {"version": 99}, 422),
    ("$ key", {"summary": {"$set": "x"}}, 422),
    ("nothing to change", {}, 422),
    ("slug without letters", {"slug": "!!!"}, 422),
]


@pytest.mark.parametrize(
    ("case", "payload", "status"), PATCH_CASES, ids=[c[0] for c in PATCH_CASES]
)
async def test_bad_patch_of_a_published_article_changes_nothing_and_emits_nothing(
    svc: Svc, case, payload, status
):
    article = await svc.published()
    before = await svc.events()
    response = await svc.client.patch(f"/articles/{article['id']}", json=payload, headers=EDITOR)
    assert response.status_code == status, response.text
    assert "error" in response.json()
    after = (await svc.client.get(f"/articles/{article['id']}")).json()
    assert after == article
    assert await svc.events() == before


async def test_bad_schedule_body_is_rejected(svc: Svc):
    aid = (await svc.create())["id"]
    for body in ({}, {"publish_at": "tomorrow"}, {"publish_at": "2999-01-01T00:00:00Z", "x": 1}):
        response = await svc.client.post(f"/articles/{aid}/schedule", json=body, headers=EDITOR)
        assert response.status_code == 422, body
    assert (await svc.client.get(f"/articles/{aid}", headers=EDITOR)).json()["status"] == "draft"
