"""Submitting a comment: article state, validation in both languages, parents and depth."""

from __future__ import annotations

import pytest

from tests.conftest import MODERATOR


async def test_accepted_comment_answers_with_id_status_and_neutral_message(comments):
    response = await comments.submit()
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id",
        "article_id",
        "parent_id",
        "status",
        "message",
        "message_ar",
        "created_at",
    }
    assert (body["status"], body["message_ar"]) == ("pending", "تعليقك بانتظار المراجعة.")
    stored = await comments.comment(body["id"])
    assert stored["author_email"] == "sara@example.com"
    assert stored["reasons"] == ["default_policy"]


@pytest.mark.parametrize("kind", ["unknown", "unpublished", "deleted"])
async def test_comment_on_an_article_that_is_not_public_is_404(comments, kind):
    if kind != "unknown":
        await comments.article_event("a1", kind, version=2)
    response = await comments.submit("a1" if kind != "unknown" else "nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_comments_closed_is_409(comments):
    await comments.article_event("a1", "updated", version=2, comments_open=False)
    response = await comments.submit()
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "comments_closed"


async def test_missing_and_invalid_fields_are_named_in_arabic_by_default(comments):
    response = await comments.client.post(
        "/articles/a1/comments", json={"author_email": "not-an-email", "body": "   "}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert set(error["fields"]) == {"author_name", "author_email", "body"}
    assert error["fields"]["author_name"] == "هذا الحقل مطلوب."
    assert error["fields"]["author_email"] == "عنوان البريد الإلكتروني غير صالح."
    assert error["message_ar"] and error["message"]


async def test_field_messages_in_english_when_asked(comments):
    response = await comments.client.post(
        "/articles/a1/comments",
        headers={"Accept-Language": "en-GB,en;q=0.9"},
        json={
            "author_name": "x" * 101,
            "author_email": "a@example.com",
            "body": "x" * 5001,
            "admin": True,
        },
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields == {"author_name": "Too long.", "body": "Too long.", "admin": "Unknown field."}


async def test_body_of_exactly_5000_characters_is_accepted(comments):
    assert (await comments.submit(body="ب" * 5000)).status_code == 201


async def _approved(comments, **fields):
    response = await comments.submit(**fields)
    assert response.status_code == 201
    comment_id = response.json()["id"]
    if response.json()["status"] == "pending":  # later ones come from a now trusted author
        assert (await comments.act(comment_id, "approve")).status_code == 200
    return comment_id


async def test_reply_must_target_an_approved_comment_on_the_same_article(comments):
    await comments.publish("a2")
    pending = (await comments.submit()).json()["id"]
    other_article = await _approved(comments, article_id="a2", body="على مقال آخر")
    for parent in (pending, other_article, "missing"):
        response = await comments.submit(parent_id=parent, body=f"رد على {parent}")
        assert response.status_code == 422
        assert "parent_id" in response.json()["error"]["fields"]
    parent = await _approved(comments, body="تعليق أصلي")
    reply = await comments.submit(parent_id=parent, body="رد")
    assert reply.status_code == 201
    assert reply.json()["parent_id"] == parent


async def test_depth_limit_is_five(comments):
    parent = None
    for level in range(1, 6):
        parent = await _approved(comments, parent_id=parent, body=f"مستوى {level}")
        assert (await comments.comment(parent))["depth"] == level
    too_deep = await comments.submit(
        parent_id=parent, body="مستوى 6", headers={"Accept-Language": "en"}
    )
    assert too_deep.status_code == 422
    assert too_deep.json()["error"]["fields"] == {"parent_id": "Replies cannot nest deeper."}


async def test_honeypot_response_looks_like_a_normal_held_comment(comments):
    normal = (await comments.submit(body="عادي")).json()
    trapped = await comments.submit(body="عرض خاص", website="http://spam.example")
    assert trapped.status_code == 201
    body = trapped.json()
    assert set(body) == set(normal)
    assert (body["status"], body["message"]) == (normal["status"], normal["message"])
    stored = await comments.comment(body["id"])
    assert (stored["status"], stored["reasons"]) == ("spam", ["honeypot"])
    spam_queue = await comments.queue("spam")
    assert [c["id"] for c in spam_queue] == [body["id"]]


async def test_moderation_endpoints_need_the_right_token(comments):
    client = comments.client
    assert (await client.get("/moderation/queue")).status_code == 401
    bad = {"Authorization": "Bearer wrong"}
    assert (await client.get("/moderation/queue", headers=bad)).status_code == 401
    editor = {"Authorization": "Bearer ed-token"}
    assert (await client.get("/moderation/queue", headers=editor)).status_code == 403
    assert (await client.get("/moderation/settings", headers=MODERATOR)).status_code == 403
    assert (await client.put("/moderation/settings", json={}, headers=MODERATOR)).status_code == 403
    assert (
        await client.post("/moderation/bans", json={"email": "a@example.com"})
    ).status_code == 401
