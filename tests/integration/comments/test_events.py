"""Events out (through the outbox) and article events in, including out of order."""

from __future__ import annotations

from tests.conftest import MODERATOR
from tests.helpers import eventually


async def _published_types(comments, count):
    events = []

    async def enough() -> bool:
        events[:] = await comments.stream_events()
        return len(events) >= count

    await eventually(enough)
    return events


async def test_submission_and_moderation_events(comments):
    held = (await comments.submit(headers={"X-Request-ID": "req-123"})).json()["id"]
    await comments.act(held, "approve")
    auto = (await comments.submit(body="تعليق ثانٍ")).json()["id"]  # trusted now
    await comments.act(auto, "reject", reason="off_topic")
    events = await _published_types(comments, 5)
    summary = [
        (
            e["type"],
            e["aggregate_id"],
            e["aggregate_version"],
            e["data"].get("from_status"),
            e["data"].get("to_status") or e["data"]["status"],
        )
        for e in events
    ]
    assert summary == [
        ("comment.submitted", held, 1, None, "pending"),
        ("comment.moderated", held, 2, "pending", "approved"),
        ("comment.submitted", auto, 1, None, "approved"),
        ("comment.moderated", auto, 2, "new", "approved"),
        ("comment.moderated", auto, 3, "approved", "rejected"),
    ]
    assert events[0]["correlation_id"] == "req-123"
    assert events[0]["data"]["reasons"] == ["default_policy"]
    assert events[1]["data"]["actor"] == "mona"
    assert events[4]["data"]["reason"] == "off_topic"
    assert all(e["producer"] == "comments" and e["data"]["article_id"] == "a1" for e in events)
    # the document's version follows the events
    assert (await comments.comment(auto))["version"] == 3


async def test_refused_submissions_emit_nothing(comments):
    await comments.submit()
    assert (await comments.submit()).status_code == 409
    await _published_types(comments, 1)
    assert await comments.ctx.runtime.db.outbox.count_documents({}) == 1


async def _status(comments, article_id="a1"):
    doc = await comments.ctx.repo.article(article_id)
    return doc and (doc["status"], doc["comments_open"], doc["version"], doc["deleted"])


async def test_out_of_order_article_events_never_reopen_or_undelete(comments):
    await comments.article_event("a1", "updated", version=5, comments_open=False)
    await comments.article_event("a1", "updated", version=3, comments_open=True)  # stale
    assert await _status(comments) == ("published", False, 5, False)
    assert (await comments.submit()).status_code == 409
    await comments.article_event("a1", "deleted", version=7)
    await comments.article_event("a1", "published", version=6)  # older than the delete
    await comments.article_event("a1", "published", version=8)  # newer, but deleted is final
    assert await _status(comments) == ("deleted", True, 7, True)
    assert (await comments.submit()).status_code == 404


async def test_unpublish_then_republish_in_order(comments):
    await comments.article_event("a1", "unpublished", version=2)
    assert (await comments.submit()).status_code == 404
    await comments.article_event("a1", "published", version=3)
    assert (await comments.submit()).status_code == 201


async def test_redelivered_article_event_is_applied_once(comments):
    await comments.article_event("b1", "published", version=1)
    before = await comments.ctx.runtime.db.processed_events.count_documents({})
    from shared.events import ARTICLES_STREAM, ArticleSnapshot, ArticleUnpublished

    event = ArticleUnpublished(
        producer="articles",
        aggregate_id="b1",
        aggregate_version=2,
        data=ArticleSnapshot(id="b1", slug="b1", title="t", status="unpublished", version=2),
    )
    await comments.ctx.runtime.publish(ARTICLES_STREAM, event)
    await comments.ctx.runtime.publish(ARTICLES_STREAM, event)
    await comments.article_event("b1", "published", version=3)
    assert await comments.ctx.runtime.db.processed_events.count_documents({}) == before + 2
    assert await _status(comments, "b1") == ("published", True, 3, False)


async def test_each_event_carries_the_id_of_the_request_that_caused_it(comments):
    """Routes hand the request id to the use cases: it is the events' correlation id."""
    await comments.policy(report_threshold=1, default_status="approved")
    first = (await comments.submit(headers={"X-Request-ID": "req-submit"})).json()["id"]
    second = (await comments.submit(body="تعليق ثانٍ")).json()["id"]
    client, moderator = comments.client, {**MODERATOR, "X-Request-ID": "req-spam"}
    await client.post(f"/moderation/comments/{first}/spam", headers=moderator)
    report = {"reader_key": "reader-key-1"}
    await client.post(
        f"/comments/{second}/report", json=report, headers={"X-Request-ID": "req-rep"}
    )
    bulk = {"ids": [second], "action": "approve"}
    await client.post(
        "/moderation/comments/bulk", json=bulk, headers={**MODERATOR, "X-Request-ID": "req-bulk"}
    )
    events = await _published_types(comments, 7)
    moves = [(e["aggregate_id"], e["data"].get("to_status"), e["correlation_id"]) for e in events]
    assert moves[:2] == [(first, None, "req-submit"), (first, "approved", "req-submit")]
    assert moves[4:] == [
        (first, "spam", "req-spam"),
        (second, "reported", "req-rep"),
        (second, "approved", "req-bulk"),
    ]
