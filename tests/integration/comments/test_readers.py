"""Readers: approved comments threaded, sorted, paginated, counted; reports re-queue them."""

from __future__ import annotations


async def _approved(comments, body, parent_id=None, email="sara@example.com"):
    response = await comments.submit(body=body, parent_id=parent_id, author_email=email)
    assert response.status_code == 201, response.text
    comment_id = response.json()["id"]
    if response.json()["status"] == "pending":
        assert (await comments.act(comment_id, "approve")).status_code == 200
    return comment_id


async def _page(comments, **params):
    response = await comments.client.get("/articles/a1/comments", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_threaded_listing_only_shows_approved_comments(comments):
    first = await _approved(comments, "الأول")
    reply = await _approved(comments, "رد على الأول", parent_id=first)
    nested = await _approved(comments, "رد على الرد", parent_id=reply)
    second = await _approved(comments, "الثاني")
    await comments.submit(body="بانتظار المراجعة", author_email="new@example.com")
    page = await _page(comments)
    assert page["count"] == 4
    assert [c["id"] for c in page["items"]] == [first, second]
    assert [r["id"] for r in page["items"][0]["replies"]] == [reply]
    assert page["items"][0]["replies"][0]["replies"][0]["id"] == nested
    assert page["items"][0]["replies"][0]["parent_id"] == first
    newest = await _page(comments, sort="newest")
    assert [c["id"] for c in newest["items"]] == [second, first]


async def test_pagination_over_threads_in_both_orders(comments):
    ids = [await _approved(comments, f"تعليق {i}") for i in range(5)]
    for sort, expected in (("oldest", ids), ("newest", ids[::-1])):
        seen, cursor = [], None
        while True:
            page = await _page(
                comments, sort=sort, limit=2, **({"cursor": cursor} if cursor else {})
            )
            assert page["count"] == 5
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == expected
    assert (
        await comments.client.get("/articles/a1/comments", params={"limit": 101})
    ).status_code == 422
    assert (
        await comments.client.get("/articles/a1/comments", params={"sort": "best"})
    ).status_code == 422


async def test_listing_an_unknown_or_deleted_article_is_404(comments):
    assert (await comments.client.get("/articles/nope/comments")).status_code == 404
    await comments.article_event("a1", "deleted", version=2)
    assert (await comments.client.get("/articles/a1/comments")).status_code == 404


async def test_reports_count_once_per_reader_and_requeue_at_the_threshold(comments):
    comment_id = await _approved(comments, "تعليق مثير للجدل")
    url = f"/comments/{comment_id}/report"

    async def report(key: str, reason: str | None = None):  # type: ignore[no-untyped-def]
        body = {"reader_key": key, **({"reason": reason} if reason else {})}
        ip = f"198.51.100.{int(key[-4:])}"  # each reader from their own client
        return await comments.client.post(url, json=body, headers={"X-Forwarded-For": ip})

    first = await report("reader-0001")
    assert first.status_code == 200 and first.json()["reported"] is True
    again = await report("reader-0001")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reported"
    assert (await report("reader-0002")).status_code == 200
    assert (await comments.comment(comment_id))["status"] == "approved"
    assert (await report("reader-0003", "إساءة")).status_code == 200
    doc = await comments.comment(comment_id)
    assert (doc["status"], doc["report_count"], doc["reasons"]) == (
        "reported",
        3,
        ["reader_reports"],
    )
    queued = await comments.queue("reported")
    assert [c["id"] for c in queued] == [comment_id]
    assert (await _page(comments))["count"] == 0
    trail = await comments.history(comment_id)
    assert (trail[-1]["from_status"], trail[-1]["to_status"], trail[-1]["actor"]) == (
        "approved",
        "reported",
        "system:reports",
    )
    gone = await report("reader-0004")
    assert gone.status_code == 404
    assert (await comments.act(comment_id, "restore")).json()["status"] == "approved"


async def test_report_threshold_comes_from_settings(comments):
    await comments.policy(report_threshold=1)
    comment_id = await _approved(comments, "تعليق")
    await comments.client.post(f"/comments/{comment_id}/report", json={"reader_key": "reader-xyz1"})
    assert (await comments.comment(comment_id))["status"] == "reported"


async def test_report_needs_a_reader_key_and_a_public_comment(comments):
    pending = (await comments.submit()).json()["id"]
    assert (
        await comments.client.post(
            f"/comments/{pending}/report", json={"reader_key": "reader-0001"}
        )
    ).status_code == 404
    missing_key = await comments.client.post(f"/comments/{pending}/report", json={})
    assert missing_key.status_code == 422 and "reader_key" in missing_key.json()["error"]["fields"]
