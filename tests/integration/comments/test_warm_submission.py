"""Issue 9: a submission reads the policy and the article from memory and shares its
transaction with concurrent ones; every change still applies to the next submission (real
MongoDB and Redis). Each test first submits once so the memory is warm."""

from __future__ import annotations

import asyncio

from services.comments.main import create_app
from services.comments.warm import REFRESH_S
from tests.conftest import MODERATOR
from tests.helpers import app_client, eventually
from tests.integration.comments.conftest import Comments, make_settings


async def _warm(comments: Comments) -> None:
    first = await comments.submit(body="تعليق يملأ الذاكرة")
    assert first.status_code == 201, first.text


async def test_an_admins_policy_change_applies_to_the_next_submission(comments: Comments):
    await _warm(comments)
    assert (await comments.submit(body="قبل التغيير")).json()["status"] == "pending"
    await comments.policy(default_status="approved", trusted_author_autoapprove=False)
    assert (await comments.submit(body="بعد التغيير")).json()["status"] == "approved"
    await comments.policy(flood_interval_seconds=60)
    assert (await comments.submit(ip="192.0.2.9", body="أول")).status_code == 201
    assert (await comments.submit(ip="192.0.2.9", body="ثان")).status_code == 429


async def test_closing_comments_refuses_the_next_submission_at_once(comments: Comments):
    await _warm(comments)
    await comments.article_event("a1", "updated", version=2, comments_open=False)
    response = await comments.submit(body="بعد الإغلاق")
    assert response.status_code == 409, response.text
    await comments.article_event("a1", "updated", version=3, comments_open=True)
    assert (await comments.submit(body="بعد إعادة الفتح")).status_code == 201


async def test_an_unpublished_article_refuses_the_next_submission_at_once(comments: Comments):
    await _warm(comments)
    await comments.article_event("a1", "unpublished", version=2)
    assert (await comments.submit(body="بعد سحب المقال")).status_code == 404


async def test_a_moderators_article_premoderation_applies_at_once(comments: Comments):
    await comments.policy(default_status="approved", trusted_author_autoapprove=False)
    await _warm(comments)
    switched = await comments.client.put(
        "/moderation/articles/a1/premoderation", json={"enabled": True}, headers=MODERATOR
    )
    assert switched.status_code == 200, switched.text
    held = await comments.submit(body="بعد التفعيل")
    assert held.json()["status"] == "pending"
    assert (await comments.comment(held.json()["id"]))["reasons"] == ["article_premoderation"]


async def test_a_ban_applies_at_once(comments: Comments):
    await _warm(comments)
    banned = await comments.client.post(
        "/moderation/bans", json={"email": "sara@example.com"}, headers=MODERATOR
    )
    assert banned.status_code == 201, banned.text
    response = await comments.submit(body="بعد الحظر")
    assert response.json()["status"] == "rejected"


async def test_concurrent_submissions_are_each_stored_once_with_their_record_and_events(
    comments: Comments,
):
    await _warm(comments)
    bodies = [f"تعليق متزامن رقم {n}" for n in range(24)]
    twins = ["توأم متزامن"] * 3  # the same author's same body: one is stored
    responses = await asyncio.gather(*(comments.submit(body=b) for b in [*bodies, *twins]))
    codes = [r.status_code for r in responses]
    assert codes[:24] == [201] * 24 and sorted(codes[24:]) == [201, 409, 409], codes
    ids = [r.json()["id"] for r in responses if r.status_code == 201]
    assert await comments.ctx.repo.comments.count_documents({"_id": {"$in": ids}}) == 25
    for comment_id in ids:
        assert [h["action"] for h in await comments.history(comment_id)] == ["submit"]

    async def published() -> bool:
        events = await comments.stream_events()
        submitted = [e["data"]["comment_id"] for e in events if e["type"] == "comment.submitted"]
        return sorted(c for c in submitted if c in ids) == sorted(ids)

    await eventually(published)
    totals = await comments.ctx.counters.totals()
    assert totals["pending"] == await comments.ctx.repo.comments.count_documents(
        {"status": "pending"}
    )


async def test_another_replicas_policy_change_applies_within_the_refresh_bound(
    comments: Comments, infra, isolation
):
    other = create_app(make_settings(infra, isolation))
    async with app_client(other) as two:
        body = {"author_name": "علي", "author_email": "ali@example.com", "body": "تعليق أول"}
        first = await two.post("/articles/a1/comments", json=body)
        assert first.json()["status"] == "pending"  # replica two holds the policy now
        await comments.policy(default_status="approved", trusted_author_autoapprove=False)
        await asyncio.sleep(REFRESH_S + 0.2)
        later = await two.post("/articles/a1/comments", json={**body, "body": "تعليق لاحق"})
        assert later.json()["status"] == "approved", later.text
