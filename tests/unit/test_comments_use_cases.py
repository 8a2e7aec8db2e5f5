"""The comment use cases without servers: an in-memory repository and unit of work.

Submission through the moderation pipeline (held, approved, spam, rejected, refused), the
moderators' transitions (approve, reject, undo) and readers' reports, with the events each
commits. The integration tests in tests/integration/comments drive the same paths over HTTP
against real MongoDB and Redis.
"""

from __future__ import annotations

from typing import Any

from services.comments import moderation, service
from services.comments.domain import ListedWord
from services.comments.schemas import ReportIn
from services.comments.writes import change_status
from tests.unit.comments_fakes import MODERATOR, RID, World, fake_clients, refusal

# --- submission through the pipeline ------------------------------------------------------


async def test_a_held_comment_is_stored_pending_with_one_event_and_an_audit_line() -> None:
    world = World()
    out = await world.submit()
    assert (out.status, out.article_id, out.parent_id) == ("pending", "a1", None)
    doc = world.repo.comments[out.id]
    assert (doc["status"], doc["reasons"], doc["version"]) == ("pending", ["default_policy"], 1)
    assert doc["author_email"] == "sara@example.com" and "sara" not in doc["email_hash"]
    [event] = world.uow.events
    assert (event.type, event.aggregate_version, event.correlation_id) == (
        "comment.submitted",
        1,
        RID,
    )
    assert event.data.status == "pending" and event.data.reasons == ["default_policy"]
    [audit] = world.repo.audit
    assert (audit["action"], audit["from_status"], audit["to_status"]) == (
        "submit",
        "new",
        "pending",
    )
    assert world.repo.counts == {"pending": 1}


async def test_an_approved_comment_also_emits_its_approval_by_the_pipeline() -> None:
    world = World(default_status="approved")
    out = await world.submit()
    assert out.status == "approved"
    assert world.repo.comments[out.id]["version"] == 2
    assert [(t, v) for t, v, _ in world.events()] == [
        ("comment.submitted", 1),
        ("comment.moderated", 2),
    ]
    approval = world.uow.events[1].data
    assert (approval.from_status, approval.to_status, approval.actor) == (
        "new",
        "approved",
        "system:pipeline",
    )
    assert approval.reason == "default_policy"
    assert all(e.correlation_id == RID for e in world.uow.events)


async def test_a_trusted_author_is_approved_and_others_are_held() -> None:
    world = World()
    first = await world.submit()
    await world.act(first.id, "approve")
    again = await world.submit("تعليق آخر مفيد")
    stranger = await world.submit("تعليق من غريب", email="omar@example.com")
    assert (again.status, stranger.status) == ("approved", "pending")
    assert world.repo.comments[again.id]["reasons"] == ["trusted_author"]


async def test_a_banned_word_makes_spam_that_the_writer_sees_as_held() -> None:
    world = World(words=[ListedWord(word="غبي", action="spam")])
    out = await world.submit("أنت غبي جداً")
    assert out.status == "pending"  # spammers learn nothing
    doc = world.repo.comments[out.id]
    assert (doc["status"], doc["reasons"]) == ("spam", ["banned_word"])
    assert doc["details"]["banned_words"] == ["غبي"]
    assert world.uow.events[0].data.status == "spam"


async def test_a_suspect_word_holds_and_a_bot_is_spam() -> None:
    world = World(suspect_words=["كذاب"])
    held = await world.submit("أنت كذاب")
    bot = await world.submit("تعليق آلي", website="http://bot.example")
    assert world.repo.comments[held.id]["reasons"] == ["suspect_word"]
    assert world.repo.comments[bot.id]["status"] == "spam"


async def test_a_banned_author_is_rejected() -> None:
    world = World()
    email_hash = world.clients.key("email", "sara@example.com")
    world.repo.bans[email_hash] = {"email_hash": email_hash, "expires_at": None}
    out = await world.submit(email="Sara@Example.com")  # emails compare lower-cased
    assert out.status == "rejected"
    assert world.repo.comments[out.id]["reasons"] == ["banned_author"]


async def test_flood_is_refused_with_retry_after_and_stores_nothing() -> None:
    world = World(flood_interval_seconds=30)
    await world.submit()
    err = await refusal(world.submit("تعليق ثانٍ بسرعة", ip="10.9.9.9"))  # same email
    assert (err.status, err.code) == (429, "flood")
    assert 1 <= int((err.headers or {})["Retry-After"]) <= 30
    assert len(world.repo.comments) == 1 and len(world.uow.events) == 1


async def test_the_flood_slot_is_claimed_in_the_write_when_two_posts_race() -> None:
    world = World(flood_interval_seconds=30)
    await world.submit()
    world.repo.last_seen = _never_seen  # type: ignore[method-assign]  # the race: both read first
    err = await refusal(world.submit("تعليق ثانٍ"))
    assert (err.status, err.code, (err.headers or {})["Retry-After"]) == (429, "flood", "30")
    assert len(world.repo.comments) == 1 and len(world.uow.events) == 1


async def _never_seen(keys: list[str]) -> None:
    return None


async def test_a_repeated_comment_is_refused_even_when_its_twin_wins_a_race() -> None:
    world = World()
    await world.submit()
    err = await refusal(world.submit(ip="10.0.0.2"))
    assert (err.status, err.code) == (409, "duplicate_comment")
    world.repo.is_duplicate = _no_twin  # type: ignore[method-assign]  # the twin not yet stored
    err = await refusal(world.submit(ip="10.0.0.3"))
    assert (err.status, err.code) == (409, "duplicate_comment")
    assert len(world.repo.comments) == 1 and len(world.uow.events) == 1


async def _no_twin(article_id: str, email_hash: str, body_hash: str) -> bool:
    return False


async def test_the_per_client_limit_counts_by_ip() -> None:
    world = World()
    world.clients = fake_clients(submit_per_hour=1)
    await world.submit()
    err = await refusal(world.submit("تعليق آخر"))
    assert (err.status, err.code) == (429, "rate_limited")
    await world.submit("تعليق من عنوان آخر", ip="10.0.0.2")


async def test_unknown_closed_and_slug_addressed_articles() -> None:
    world = World()
    world.repo.publish("a2", comments_open=False)
    assert (await refusal(world.submit(article="nope"))).status == 404
    assert (await refusal(world.submit(article="a2"))).code == "comments_closed"
    assert (await world.submit(article="slug-a1")).article_id == "a1"
    assert world.uow.events[0].data.article_id == "a1"


async def test_replies_need_an_approved_parent_and_stop_at_the_depth_limit() -> None:
    world = World(default_status="approved")
    parent = (await world.submit()).id
    for depth in (2, 3):
        reply = await world.submit(f"رد رقم {depth}", parent_id=parent)
        doc = world.repo.comments[reply.id]
        assert doc["depth"] == depth and doc["ancestors"][-1] == parent
        parent = reply.id
    too_deep = await refusal(world.submit("رد أعمق", parent_id=parent))
    assert (too_deep.status, too_deep.fields) == (422, {"parent_id": "Replies cannot nest deeper."})
    unknown = await refusal(world.submit("رد", parent_id="missing"))
    assert unknown.status == 422 and "parent_id" in (unknown.fields or {})


# --- moderators' transitions and readers' reports ----------------------------------------


async def test_approve_moves_the_status_counts_and_emits_comment_moderated() -> None:
    world = World()
    comment_id = (await world.submit()).id
    result = await world.act(comment_id, "approve")
    assert (result.ok, result.status) == (True, "approved")
    doc = world.repo.comments[comment_id]
    assert (doc["status"], doc["previous_status"], doc["version"]) == ("approved", "pending", 2)
    assert world.repo.counts == {"pending": 0, "approved": 1}
    event = world.uow.events[-1]
    assert (event.type, event.aggregate_version, event.correlation_id) == (
        "comment.moderated",
        2,
        RID,
    )
    assert (event.data.from_status, event.data.to_status, event.data.actor) == (
        "pending",
        "approved",
        "mona",
    )


async def test_reject_then_undo_restores_the_status_before() -> None:
    world = World()
    comment_id = (await world.submit()).id
    await world.act(comment_id, "reject", reason="abusive")
    assert world.repo.comments[comment_id]["moderation_reason"] == "abusive"
    undone = await world.act(comment_id, "restore", expected_status="rejected")
    assert undone.status == "pending"
    moves = [(d["from_status"], d["to_status"], d["reason"]) for _, _, d in world.events()[1:]]
    assert moves == [("pending", "rejected", "abusive"), ("rejected", "pending", None)]
    trail = await moderation.history(world.repo, comment_id=comment_id)
    assert [(r.action, r.to_status) for r in trail.items] == [
        ("submit", "pending"),
        ("reject", "rejected"),
        ("restore", "pending"),
    ]


async def test_refused_transitions_change_nothing_and_emit_nothing() -> None:
    world = World()
    comment_id = (await world.submit()).id
    await world.act(comment_id, "approve")
    before = (dict(world.repo.comments[comment_id]), len(world.uow.events))
    again = await refusal(world.act(comment_id, "approve"))
    stale = await refusal(world.act(comment_id, "spam", expected_status="pending"))
    missing = await refusal(world.act("nope", "approve"))
    assert [again.code, stale.code, missing.status] == [
        "invalid_transition",
        "concurrent_change",
        404,
    ]
    assert (world.repo.comments[comment_id], len(world.uow.events)) == before


async def test_a_change_from_a_stale_read_loses_the_compare_and_set() -> None:
    world = World()
    comment_id = (await world.submit()).id
    stale = await world.repo.comment(comment_id)
    await world.act(comment_id, "approve")

    async def write(session: Any) -> None:
        await change_status(
            world.repo, world.uow, session, stale or {}, to_status="spam", action="spam",
            actor="mona", reason=None, request_id=RID,
        )  # fmt: skip

    err = await refusal(world.uow.commit(write))
    assert err.code == "concurrent_change"
    assert world.repo.comments[comment_id]["status"] == "approved"
    assert world.uow.events[-1].data.to_status == "approved"  # nothing of the lost write


async def test_bulk_acts_per_comment_and_reports_each_outcome() -> None:
    world = World()
    first, second = (await world.submit()).id, (await world.submit("تعليق ثانٍ")).id
    await world.act(second, "approve")
    results = await moderation.bulk(
        world.repo, world.uow, ids=[first, second, "nope", first], action="approve",
        reason=None, who=MODERATOR, request_id=RID,
    )  # fmt: skip
    assert [(r.id, r.ok, r.error) for r in results] == [
        (first, True, None),
        (second, False, "invalid_transition"),
        ("nope", False, "not_found"),
    ]


async def test_reports_requeue_an_approved_comment_at_the_threshold() -> None:
    world = World(default_status="approved", report_threshold=2)
    comment_id = (await world.submit()).id

    async def report(reader: str, ip: str) -> Any:
        return await service.report(
            world.repo, world.uow, world.clients, comment_id=comment_id,
            data=ReportIn(reader_key=reader), client_ip=ip, request_id=RID,
        )  # fmt: skip

    await report("reader-one-key", "10.1.0.1")
    assert (await refusal(report("reader-one-key", "10.1.0.9"))).code == "already_reported"
    assert (await refusal(report("reader-new-key", "10.1.0.1"))).code == "already_reported"
    assert world.repo.comments[comment_id]["status"] == "approved"
    await report("reader-two-key", "10.1.0.2")
    doc = world.repo.comments[comment_id]
    assert (doc["status"], doc["reasons"]) == ("reported", ["reader_reports"])
    event = world.uow.events[-1].data
    assert (event.to_status, event.actor, event.reason) == (
        "reported",
        "system:reports",
        "reader_reports",
    )
    assert (await refusal(report("reader-three-key", "10.1.0.3"))).status == 404
