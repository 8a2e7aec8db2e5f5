"""Moderators: the queue, transitions with audit records, restore, bulk, history counts."""

from __future__ import annotations

from tests.conftest import ADMIN, MODERATOR


async def _submit_ids(comments, n, **fields):
    ids = []
    for index in range(n):
        response = await comments.submit(body=f"تعليق رقم {index}", **fields)
        assert response.status_code == 201
        ids.append(response.json()["id"])
    return ids


async def test_queue_is_oldest_first_filtered_by_article_with_email_reasons_and_history(comments):
    await comments.publish("a2")
    first, second = await _submit_ids(comments, 2)
    other = (await comments.submit("a2", author_email="b@example.com")).json()["id"]
    items = await comments.queue()
    assert [i["id"] for i in items] == [first, second, other]
    assert items[0]["author_email"] == "sara@example.com"
    assert items[0]["reasons"] == ["default_policy"]
    assert items[0]["author_history"] == {"pending": 2}
    assert [i["id"] for i in await comments.queue(article_id="a2")] == [other]
    await comments.act(first, "spam")
    refreshed = await comments.queue()
    assert refreshed[0]["author_history"] == {"pending": 1, "spam": 1}


async def test_queue_is_cursor_paginated(comments):
    ids = await _submit_ids(comments, 5)
    seen, cursor = [], None
    while True:
        params = {"status": "pending", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await comments.client.get("/moderation/queue", params=params, headers=MODERATOR)
        ).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    bad = await comments.client.get("/moderation/queue", params={"cursor": "zz"}, headers=MODERATOR)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"


async def test_every_transition_writes_an_audit_record(comments):
    (comment_id,) = await _submit_ids(comments, 1)
    steps = [
        ("approve", {}, "approved"),
        ("reject", {"reason": "off_topic"}, "rejected"),
        ("spam", {}, "spam"),
        ("restore", {}, "rejected"),
        ("approve", {"reason": "ok"}, "approved"),
    ]
    for action, body, expected in steps:
        response = await comments.act(comment_id, action, **body)
        assert response.status_code == 200, response.text
        assert response.json() == {"id": comment_id, "ok": True, "status": expected, "error": None}
    trail = await comments.history(comment_id)
    assert [(r["from_status"], r["to_status"]) for r in trail] == [
        ("new", "pending"),
        ("pending", "approved"),
        ("approved", "rejected"),
        ("rejected", "spam"),
        ("spam", "rejected"),
        ("rejected", "approved"),
    ]
    assert [r["actor"] for r in trail] == ["system:pipeline"] + ["mona"] * 5
    assert [r["reason"] for r in trail] == ["default_policy", None, "off_topic", None, None, "ok"]
    assert all(r["at"] for r in trail)


async def test_admin_actor_is_recorded_by_name(comments):
    (comment_id,) = await _submit_ids(comments, 1)
    await comments.client.post(f"/moderation/comments/{comment_id}/approve", headers=ADMIN)
    assert (await comments.history(comment_id))[-1]["actor"] == "adam"


async def test_restore_goes_back_to_the_previous_status(comments):
    (comment_id,) = await _submit_ids(comments, 1)
    nothing = await comments.act(comment_id, "restore")
    assert nothing.status_code == 409
    await comments.act(comment_id, "spam")
    assert (await comments.act(comment_id, "restore")).json()["status"] == "pending"
    assert (await comments.comment(comment_id))["status"] == "pending"


async def test_invalid_actions(comments):
    (comment_id,) = await _submit_ids(comments, 1)
    await comments.act(comment_id, "approve")
    again = await comments.act(comment_id, "approve")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"
    no_reason = await comments.act(comment_id, "reject")
    assert no_reason.status_code == 422
    bad_reason = await comments.act(comment_id, "reject", reason="because")
    assert "reason" in bad_reason.json()["error"]["fields"]
    assert (await comments.act("missing", "approve")).status_code == 404
    assert (await comments.act(comment_id, "publish")).status_code == 404  # no such action
    assert (
        await comments.client.get("/moderation/comments/missing/history", headers=MODERATOR)
    ).status_code == 404


async def test_bulk_actions_report_per_id(comments):
    a, b, c = await _submit_ids(comments, 3)
    await comments.act(c, "reject", reason="abusive")
    response = await comments.client.post(
        "/moderation/comments/bulk",
        headers=MODERATOR,
        json={"ids": [a, b, c, "missing"], "action": "reject", "reason": "spam_like"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == [
        {"id": a, "ok": True, "status": "rejected", "error": None},
        {"id": b, "ok": True, "status": "rejected", "error": None},
        {"id": c, "ok": False, "status": None, "error": "invalid_transition"},
        {"id": "missing", "ok": False, "status": None, "error": "not_found"},
    ]
    assert [r["reason"] for r in (await comments.history(a))] == ["default_policy", "spam_like"]
    no_reason = await comments.client.post(
        "/moderation/comments/bulk", headers=MODERATOR, json={"ids": [a], "action": "reject"}
    )
    assert no_reason.status_code == 422
    approve = await comments.client.post(
        "/moderation/comments/bulk", headers=MODERATOR, json={"ids": [a, b], "action": "approve"}
    )
    assert [r["status"] for r in approve.json()["results"]] == ["approved", "approved"]
    assert (
        await comments.client.post(
            "/moderation/comments/bulk", headers=MODERATOR, json={"ids": [], "action": "spam"}
        )
    ).status_code == 422


async def test_per_article_premoderation_can_be_switched_off(comments):
    await comments.policy(default_status="approved")
    for enabled, expected in ((True, "pending"), (False, "approved")):
        await comments.client.put(
            "/moderation/articles/a1/premoderation", json={"enabled": enabled}, headers=MODERATOR
        )
        response = await comments.submit(body=f"premoderation={enabled}")
        assert response.json()["status"] == expected
