"""Issue 13, items 5 and 6 and the per-client rate limit: no reader can silence or flood a
discussion (real MongoDB and Redis; two app instances share Redis for the limit)."""

from __future__ import annotations

import asyncio

from services.comments import claims
from tests.helpers import app_client
from tests.integration.comments.conftest import Comments, make_settings


async def _approved(comments: Comments, body: str = "تعليق مثير للجدل") -> str:
    await comments.policy(default_status="approved")
    response = await comments.submit(body=body)
    assert response.status_code == 201 and response.json()["status"] == "approved", response.text
    return str(response.json()["id"])


def _from(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}


async def _report(comments: Comments, comment_id: str, key: str, ip: str):  # type: ignore[no-untyped-def]
    return await comments.client.post(
        f"/comments/{comment_id}/report", json={"reader_key": key}, headers=_from(ip)
    )


async def test_5_fresh_reader_keys_from_one_client_count_once(comments: Comments):
    comment_id = await _approved(comments)
    first = await _report(comments, comment_id, "random-key-0001", "198.51.100.7")
    assert first.status_code == 200, first.text
    for n in range(2, 6):
        again = await _report(comments, comment_id, f"random-key-000{n}", "198.51.100.7")
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_reported"
    doc = await comments.comment(comment_id)
    assert (doc["status"], doc["report_count"]) == ("approved", 1)


async def test_5_reapproval_clears_the_count_and_the_same_reports_do_not_hide_it_again(
    comments: Comments,
):
    comment_id = await _approved(comments)
    readers = [(f"reader-key-{n:04}", f"198.51.100.{n}") for n in range(1, 4)]
    for key, ip in readers:
        assert (await _report(comments, comment_id, key, ip)).status_code == 200
    assert (await comments.comment(comment_id))["status"] == "reported"
    assert (await comments.act(comment_id, "approve")).json()["status"] == "approved"
    assert (await comments.comment(comment_id))["report_count"] == 0
    for key, ip in readers:
        assert (await _report(comments, comment_id, key, ip)).status_code == 409
        assert (await _report(comments, comment_id, key + "x", ip)).status_code == 409
    doc = await comments.comment(comment_id)
    assert (doc["status"], doc["report_count"]) == ("approved", 0)
    # new readers are heard again from zero
    assert (await _report(comments, comment_id, "new-reader-01", "203.0.113.1")).status_code == 200
    assert (await comments.comment(comment_id))["status"] == "approved"


async def test_5_reports_on_a_comment_of_an_unpublished_article_are_refused(comments: Comments):
    comment_id = await _approved(comments)
    await comments.article_event("a1", "unpublished", version=comments.versions["a1"] + 1)
    response = await _report(comments, comment_id, "reader-key-0001", "198.51.100.1")
    assert response.status_code == 404, response.text
    assert await comments.ctx.repo.reports.count_documents({}) == 0
    assert (await comments.comment(comment_id))["report_count"] == 0


async def test_6_simultaneous_identical_posts_store_one(comments: Comments):
    assert (await comments.policy())["flood_interval_seconds"] == 0
    for trial in range(3):
        body = f"تعليق مكرر بسرعة رقم {trial}"
        responses = await asyncio.gather(*(comments.submit(body=body) for _ in range(5)))
        codes = sorted(r.status_code for r in responses)
        assert codes == [201, 409, 409, 409, 409], [r.text for r in responses]
        assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {
            "duplicate_comment"
        }
        stored = await comments.ctx.repo.comments.count_documents({"body": body})
        assert stored == 1
    # a different body from the same author is still welcome
    assert (await comments.submit(body="تعليق آخر مختلف")).status_code == 201


async def test_6_a_twin_of_a_comment_stored_before_the_claims_is_refused(comments: Comments):
    first = await comments.submit(body="تعليق من قبل المطالبات")
    assert first.status_code == 201
    repo = comments.ctx.repo
    await repo.dedup.delete_many({})  # a database from before the body claims
    await repo.settings.delete_one({"_id": claims.MARK})
    assert await claims.backfill(repo.db) == 1
    assert await claims.backfill(repo.db) == 0  # once per database
    again = await comments.submit(body="تعليق من قبل المطالبات")
    assert again.status_code == 409, again.text
    assert again.json()["error"]["code"] == "duplicate_comment"
    assert await repo.comments.count_documents({"body": "تعليق من قبل المطالبات"}) == 1


async def test_rate_limit_per_client_holds_across_two_replicas(
    comments: Comments, infra, isolation
):
    settings = make_settings(
        infra, isolation, submissions_per_client_per_hour=4, reports_per_client_per_hour=3
    )
    from services.comments.main import create_app

    replicas = [create_app(settings), create_app(settings)]
    async with app_client(replicas[0]) as one, app_client(replicas[1]) as two:
        clients = [one, two]
        codes = []
        for n in range(6):
            response = await clients[n % 2].post(
                "/articles/a1/comments",
                json={
                    "author_name": "سارة",
                    "author_email": f"s{n}@example.com",
                    "body": f"تعليق رقم {n}",
                },
                headers=_from("192.0.2.50"),
            )
            codes.append(response.status_code)
            if response.status_code == 429:
                assert int(response.headers["Retry-After"]) >= 1
                assert response.json()["error"]["code"] == "rate_limited"
        assert codes == [201, 201, 201, 201, 429, 429]
        other = await two.post(
            "/articles/a1/comments",
            json={"author_name": "علي", "author_email": "ali@example.com", "body": "مرحبا"},
            headers=_from("192.0.2.51"),
        )
        assert other.status_code == 201  # another client is not affected
        comment_id = other.json()["id"]
        await comments.act(comment_id, "approve")
        report_codes = []
        for n in range(5):
            response = await clients[n % 2].post(
                f"/comments/{comment_id}/report",
                json={"reader_key": f"reader-key-{n:04}"},
                headers=_from("192.0.2.60"),
            )
            report_codes.append(response.status_code)
        assert report_codes[3:] == [429, 429] and 429 not in report_codes[:3]


async def test_flood_refusal_says_when_to_retry(comments: Comments):
    await comments.policy(flood_interval_seconds=30)
    assert (await comments.submit(ip="192.0.2.70")).status_code == 201
    again = await comments.submit(ip="192.0.2.70", body="مرة أخرى بسرعة")
    assert again.status_code == 429 and again.json()["error"]["code"] == "flood"
    assert 1 <= int(again.headers["Retry-After"]) <= 30
