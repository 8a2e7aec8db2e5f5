"""The email (or any hash of it) never leaves through a public endpoint."""

from __future__ import annotations

import json

from tests.conftest import MODERATOR

EMAIL = "Private.Person@Example.com"


async def test_email_never_in_any_public_response(comments):
    await comments.policy(default_status="approved", report_threshold=5)
    public_responses = []
    top = await comments.submit(author_email=EMAIL, body="تعليق علني")
    reply = await comments.submit(author_email=EMAIL, body="رد", parent_id=top.json()["id"])
    spam = await comments.submit(author_email=EMAIL, body="بوت", website="x")
    duplicate = await comments.submit(author_email=EMAIL, body="تعليق علني")
    public_responses += [top, reply, spam, duplicate]
    public_responses.append(
        await comments.client.post(
            "/articles/a1/comments", json={"author_name": "", "author_email": EMAIL, "body": ""}
        )
    )
    for sort in ("oldest", "newest"):
        public_responses.append(
            await comments.client.get("/articles/a1/comments", params={"sort": sort, "limit": 1})
        )
    public_responses.append(
        await comments.client.post(
            f"/comments/{top.json()['id']}/report", json={"reader_key": "reader-0001"}
        )
    )
    public_responses.append(
        await comments.client.post(
            f"/comments/{top.json()['id']}/report", json={"reader_key": "reader-0001"}
        )
    )
    doc = await comments.comment(top.json()["id"])
    secrets = {EMAIL.lower(), EMAIL, doc["email_hash"], "private.person"}
    assert [r.status_code for r in public_responses] == [
        201,
        201,
        201,
        409,
        422,
        200,
        200,
        200,
        409,
    ]
    listing = public_responses[5].json()
    assert listing["items"][0]["replies"][0]["id"] == reply.json()["id"]
    for response in public_responses:
        text = json.dumps(response.json(), ensure_ascii=False).lower()
        assert not any(s.lower() in text for s in secrets), response.request.url
        assert "email" not in json.dumps(_keys(response.json()))
    # moderators do see it
    queue = await comments.client.get(
        "/moderation/queue", params={"status": "spam"}, headers=MODERATOR
    )
    assert queue.json()["items"][0]["author_email"] == EMAIL.lower()


async def test_events_carry_no_email(comments):
    await comments.submit(author_email=EMAIL)
    rows = await comments.ctx.runtime.db.outbox.find({}).to_list(None)
    assert rows and all("private" not in json.dumps(r["event"]).lower() for r in rows)


def _keys(value):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        return [*value, *(k for v in value.values() for k in _keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []
