"""comment_count follows comment events from comments.events: exact, idempotent, order-safe."""

from __future__ import annotations

from typing import Any

from shared.events import (
    COMMENTS_STREAM,
    CommentModerated,
    CommentModeratedData,
    CommentSubmitted,
    CommentSubmittedData,
    Event,
)
from tests.conftest import EDITOR
from tests.helpers import eventually
from tests.integration.articles.conftest import Svc


def moderated(
    article_id: str, comment_id: str, src: str, dst: str, version: int
) -> CommentModerated:
    data = CommentModeratedData(
        comment_id=comment_id, article_id=article_id, from_status=src, to_status=dst
    )
    return CommentModerated(
        producer="comments", aggregate_id=comment_id, aggregate_version=version, data=data
    )


def submitted(article_id: str, comment_id: str, status: str) -> CommentSubmitted:
    data = CommentSubmittedData(comment_id=comment_id, article_id=article_id, status=status)
    return CommentSubmitted(
        producer="comments", aggregate_id=comment_id, aggregate_version=1, data=data
    )


async def _feed(svc: Svc, *events: Event) -> None:
    """Publish events onto this test's comments stream and wait until all were processed."""
    for event in events:
        await svc.runtime.publish(COMMENTS_STREAM, event)
    ids = {e.event_id for e in events}

    async def processed() -> bool:
        done = await svc.runtime.db.processed_events.count_documents({"_id": {"$in": list(ids)}})
        return bool(done == len(ids))

    await eventually(processed)


async def _count(svc: Svc, article: dict[str, Any]) -> int:
    return int((await svc.client.get(f"/articles/{article['id']}")).json()["comment_count"])


async def test_approvals_count_and_a_redelivery_counts_once(svc: Svc):
    article = await svc.published()
    first = moderated(article["id"], "c1", "pending", "approved", 2)
    await _feed(svc, first, moderated(article["id"], "c2", "pending", "approved", 2))
    await _feed(svc, first)  # redelivered: same event_id
    await _feed(svc, moderated(article["id"], "c3", "pending", "spam", 2))
    assert await _count(svc, article) == 2


async def test_approve_then_reject_nets_to_zero(svc: Svc):
    article = await svc.published()
    await _feed(svc, moderated(article["id"], "c1", "pending", "approved", 2))
    assert await _count(svc, article) == 1
    await _feed(svc, moderated(article["id"], "c1", "approved", "rejected", 3))
    assert await _count(svc, article) == 0


async def test_a_stale_event_is_ignored_and_the_count_never_goes_negative(svc: Svc):
    article = await svc.published()
    # the reject (v3) overtakes the approve (v2): the approve must not count afterwards
    await _feed(svc, moderated(article["id"], "c1", "approved", "rejected", 3))
    await _feed(svc, moderated(article["id"], "c1", "pending", "approved", 2))
    assert await _count(svc, article) == 0


async def test_auto_approved_submission_counts_and_a_later_moderation_does_not_double(svc: Svc):
    article = await svc.published()
    await _feed(
        svc, submitted(article["id"], "c1", "approved"), submitted(article["id"], "c2", "pending")
    )
    assert await _count(svc, article) == 1
    await _feed(svc, moderated(article["id"], "c1", "pending", "approved", 1))  # same state again
    assert await _count(svc, article) == 1


async def test_comment_counts_do_not_bump_the_version_or_emit_events(svc: Svc):
    article = await svc.published()
    await _feed(svc, moderated(article["id"], "c1", "pending", "approved", 2))
    body = (await svc.client.get(f"/articles/{article['id']}")).json()
    assert body["comment_count"] == 1 and body["version"] == article["version"]
    assert [e["type"] for e in await svc.events()] == ["article.published"]
    # an editor holding the pre-comment ETag can still write
    response = await svc.client.patch(
        f"/articles/{article['id']}", json={"summary": "x"}, headers={**EDITOR, "If-Match": '"2"'}
    )
    assert response.status_code == 200 and response.json()["comment_count"] == 1
