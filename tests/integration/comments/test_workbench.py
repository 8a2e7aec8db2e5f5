"""The API behind the moderators' page: titles, counts, changes, bans, dry run, reasons."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from services.comments.counters import STATUSES
from shared.events import utcnow
from tests.conftest import ADMIN, MODERATOR
from tests.integration.comments.test_search import retitle


async def _post(comments, article="a1", **fields):
    response = await comments.submit(article, **fields)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _get(comments, path, headers=MODERATOR, **params):
    response = await comments.client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_items_carry_the_current_article_title_link_and_valid_actions(comments):
    comment_id = await _post(comments)
    await retitle(comments, "a1", title="عنوان <b>أول</b>", slug="awal", version=2)
    (item,) = await comments.queue()
    assert item["article"] == {
        "id": "a1",
        "slug": "awal",
        "title": "عنوان <b>أول</b>",
        "url": "/article/awal",
        "deleted": False,
    }
    assert item["actions"] == ["approve", "reject", "spam"]  # nothing to restore yet
    await retitle(comments, "a1", title="عنوان معدّل", slug="awal", version=3)
    await retitle(comments, "a1", title="قديم", slug="old", version=2)  # stale: ignored
    (item,) = await comments.queue()
    assert item["article"]["title"] == "عنوان معدّل"
    await comments.act(comment_id, "approve")
    (approved,) = await comments.queue("approved")
    assert approved["actions"] == ["reject", "spam", "restore"]


async def test_counts_per_status(comments):
    ids = [await _post(comments, body=f"تعليق {n}") for n in range(3)]
    await comments.act(ids[0], "spam")
    await comments.act(ids[1], "reject", reason="abusive")
    counts = await _get(comments, "/moderation/counts")
    assert counts == {"pending": 1, "reported": 0, "spam": 1, "rejected": 1, "approved": 0}
    unauthenticated = await comments.client.get("/moderation/counts")
    assert unauthenticated.status_code == 401


async def test_counts_stay_equal_to_the_real_counts_under_concurrent_moderation(comments):
    ids = [await _post(comments, body=f"تعليق رقم {n}") for n in range(6)]
    moves = [comments.act(i, a) for i in ids for a in ("approve", "spam")]
    await asyncio.gather(*moves)  # some lose the race (409): counts must still be exact
    await asyncio.gather(*(comments.act(i, "restore") for i in ids[:3]))
    db = comments.ctx.runtime.db
    real = {s: await db.comments.count_documents({"status": s}) for s in STATUSES}
    assert await _get(comments, "/moderation/counts") == real


async def test_counters_are_reconciled_with_comments_stored_before_them(comments):
    """A database from before the counters: reconcile makes the totals the real counts."""
    await _post(comments)
    counters, db = comments.ctx.counters, comments.ctx.runtime.db
    await db.status_counters.update_one({"_id": "pending:3"}, {"$inc": {"n": 5}})
    assert (await counters.totals())["pending"] == 6
    assert await counters.reconcile(comments.ctx.runtime.client, db.comments) == {}  # done once
    await db.settings.delete_one({"_id": "status_counters"})
    await counters.reconcile(comments.ctx.runtime.client, db.comments)
    assert (await counters.totals())["pending"] == 1


async def test_changes_give_new_items_of_the_view_and_every_status_change(comments):
    first = await _get(comments, "/moderation/changes", status="pending")
    assert first["items"] == [] and first["changed"] == [] and first["cursor"]
    new = await _post(comments, body="تعليق جديد")
    other = await _post(comments, body="عن موضوع آخر")
    later = await _get(comments, "/moderation/changes", status="pending", cursor=first["cursor"])
    assert [i["id"] for i in later["items"]] == [new, other]
    assert later["counts"]["pending"] == 2
    filtered = await _get(
        comments, "/moderation/changes", status="pending", q="جديد", cursor=first["cursor"]
    )
    assert [i["id"] for i in filtered["items"]] == [new]
    await comments.act(new, "approve")
    after = await _get(comments, "/moderation/changes", status="pending", cursor=later["cursor"])
    assert {c["id"]: c["status"] for c in after["changed"]}[new] == "approved"
    assert new not in [i["id"] for i in after["items"]]  # it left the pending view
    assert after["counts"]["approved"] == 1 and after["more"] is False
    bad = await comments.client.get(
        "/moderation/changes", params={"cursor": "nope"}, headers=MODERATOR
    )
    assert bad.status_code == 400


async def test_ban_the_author_of_a_comment_list_and_lift(comments):
    comment_id = await _post(comments, author_email="Troll@Example.com")
    expires = (utcnow() + timedelta(days=7)).isoformat()
    response = await comments.client.post(
        "/moderation/bans",
        json={"comment_id": comment_id, "reason": "إساءة متكررة", "expires_at": expires},
        headers=MODERATOR,
    )
    assert response.status_code == 201, response.text
    ban = response.json()
    assert ban["email"] == "troll@example.com" and ban["reason"] == "إساءة متكررة"
    (item,) = await comments.queue()
    assert item["author_banned"] is True
    refused = await comments.submit(author_email="troll@example.com", body="مرة أخرى")
    assert refused.json()["status"] == "rejected"
    page = await _get(comments, "/moderation/bans", limit=1)
    assert [b["id"] for b in page["items"]] == [ban["id"]] and page["next_cursor"] is None
    lifted = await comments.client.delete(f"/moderation/bans/{ban['id']}", headers=MODERATOR)
    assert lifted.status_code == 204
    assert (await _get(comments, "/moderation/bans"))["items"] == []


async def test_ban_needs_exactly_one_target_and_a_known_comment(comments):
    comment_id = await _post(comments)
    for body in ({}, {"email": "a@example.com", "comment_id": comment_id}):
        response = await comments.client.post("/moderation/bans", json=body, headers=MODERATOR)
        assert response.status_code == 422 and "email" in response.json()["error"]["fields"]
    missing = await comments.client.post(
        "/moderation/bans", json={"comment_id": "nope"}, headers=MODERATOR
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert (await _get(comments, "/moderation/bans"))["items"] == []


async def test_bans_page_newest_first(comments):
    made = []
    for n in range(3):
        response = await comments.client.post(
            "/moderation/bans", json={"email": f"b{n}@example.com"}, headers=MODERATOR
        )
        made.append(response.json()["id"])
    seen, cursor = [], None
    while True:
        page = await _get(
            comments, "/moderation/bans", limit=2, **({"cursor": cursor} if cursor else {})
        )
        seen += [b["id"] for b in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == made[::-1]


async def test_reject_needs_a_chosen_reason_no_silent_default(comments):
    comment_id = await _post(comments)
    for body in (None, {}, {"reason": "bad"}):
        response = await comments.client.post(
            f"/moderation/comments/{comment_id}/reject", json=body, headers=MODERATOR
        )
        assert response.status_code == 422, response.text
        assert "reason" in response.json()["error"]["fields"]
    bulk = await comments.client.post(
        "/moderation/comments/bulk",
        json={"ids": [comment_id], "action": "reject"},
        headers=MODERATOR,
    )
    assert bulk.status_code == 422 and "reason" in bulk.json()["error"]["fields"]
    assert (await comments.comment(comment_id))["status"] == "pending"
    assert len(await comments.history(comment_id)) == 1


async def test_undo_restores_only_if_nobody_changed_the_comment_since(comments):
    comment_id = await _post(comments)
    await comments.act(comment_id, "approve")
    undo = await comments.act(comment_id, "restore", expected_status="approved")
    assert undo.status_code == 200 and undo.json()["status"] == "pending"
    late = await comments.act(comment_id, "restore", expected_status="approved")
    assert late.status_code == 409 and late.json()["error"]["code"] == "concurrent_change"
    rejected = await comments.act(comment_id, "reject", reason="other", expected_status="pending")
    assert rejected.status_code == 200
    (item,) = await comments.queue("rejected", reason="other")
    assert item["moderation_reason"] == "other"


async def test_report_reasons_and_reporters_count_are_shown(comments):
    comment_id = await _post(comments)
    await comments.act(comment_id, "approve")
    reasons = ["إساءة", None, "إساءة"]
    for n, reason in enumerate(reasons):
        body = {"reader_key": f"reader-key-{n}", **({"reason": reason} if reason else {})}
        response = await comments.client.post(  # each reader from their own client
            f"/comments/{comment_id}/report", json=body, headers={"X-Forwarded-For": f"10.8.0.{n}"}
        )
        assert response.status_code == 200, response.text
    (item,) = await comments.queue("reported")
    assert item["report_count"] == 3
    assert item["report_reasons"] == [{"reason": "إساءة", "count": 2}, {"reason": "", "count": 1}]


async def test_dry_run_shows_the_decision_and_why_and_changes_nothing(comments):
    await comments.policy(suspect_words=["مشبوه"])
    known = await _post(comments, body="أول تعليق", author_email="w@example.com")
    db = comments.ctx.runtime.db
    before = {n: await db[n].count_documents({}) for n in ("comments", "outbox", "audit", "flood")}
    response = await comments.client.post(
        "/moderation/settings/test",
        json={"body": "كلام مشبوه مع https://a.example و https://b.example"},
        headers=MODERATOR,
    )
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["status"] == "pending" and out["public_status"] == "pending"
    assert out["reasons"] == ["suspect_word", "too_many_links"]
    assert out["details"]["suspect_words"] == ["مشبوه"] and out["details"]["links"] == 2
    steps = {s["step"]: s for s in out["steps"]}
    assert steps["words"]["status"] == "pending" and steps["honeypot"]["status"] is None
    assert steps["words"]["counted"] and steps["links"]["counted"]
    assert steps["author_policy"]["status"] and not steps["author_policy"]["counted"]
    assert out["stored"] is False
    draft = await comments.client.post(
        "/moderation/settings/test",
        json={"body": "كلام عادي", "policy": {"banned_words": ["عادي"]}},
        headers=ADMIN,
    )
    assert draft.json()["status"] == "spam" and draft.json()["reasons"] == ["banned_word"]
    duplicate = await comments.client.post(
        "/moderation/settings/test",
        json={"body": "أول تعليق", "author_email": "w@example.com", "article_id": "a1"},
        headers=ADMIN,
    )
    assert duplicate.json()["status"] == "refused" and duplicate.json()["http_status"] == 409
    bad = await comments.client.post(
        "/moderation/settings/test",
        json={"body": "x", "policy": {"link_limit": -1}},
        headers=ADMIN,
    )
    assert bad.status_code == 422 and "policy.link_limit" in bad.json()["error"]["fields"]
    after = {n: await db[n].count_documents({}) for n in ("comments", "outbox", "audit", "flood")}
    assert after == before and (await comments.comment(known))["status"] == "pending"
    assert (await comments.ctx.repo.policy()).banned_words == []  # the draft was not saved


async def test_role_and_settings_schema(comments):
    assert await _get(comments, "/moderation/me") == {"name": "mona", "role": "moderator"}
    assert (await _get(comments, "/moderation/me", headers=ADMIN))["role"] == "admin"
    forbidden = await comments.client.get("/moderation/settings/schema", headers=MODERATOR)
    assert forbidden.status_code == 403
    schema = await _get(comments, "/moderation/settings/schema", headers=ADMIN)
    assert schema["properties"]["banned_words"]["type"] == "array"
    assert schema["properties"]["default_status"]["enum"] == ["pending", "approved"]
