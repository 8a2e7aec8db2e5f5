"""Status transitions, the article read model, cursors and threads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.comments.lifecycle import (
    InvalidTransition,
    accepts_comments,
    decode_cursor,
    reaches_threshold,
    read_model_fields,
    split_page,
    target_status,
    thread,
)
from shared.pagination import encode_cursor


@pytest.mark.parametrize(
    ("action", "current", "previous", "target"),
    [
        ("approve", "pending", None, "approved"),
        ("approve", "reported", "approved", "approved"),
        ("reject", "approved", "pending", "rejected"),
        ("spam", "pending", None, "spam"),
        ("restore", "spam", "pending", "pending"),
        ("restore", "approved", "spam", "spam"),
    ],
)
def test_transitions(action: str, current: str, previous: str | None, target: str) -> None:
    assert target_status(action, current, previous) == target


@pytest.mark.parametrize(
    ("action", "current", "previous"),
    [("approve", "approved", None), ("spam", "spam", "pending"), ("restore", "pending", None)],
)
def test_invalid_transitions(action: str, current: str, previous: str | None) -> None:
    with pytest.raises(InvalidTransition):
        target_status(action, current, previous)


def test_report_threshold_only_requeues_approved_comments() -> None:
    assert reaches_threshold(3, 3, "approved")
    assert not reaches_threshold(2, 3, "approved")
    assert not reaches_threshold(5, 3, "pending")


def _apply(held, kind, version, status="published", open_=True, title="عنوان"):  # type: ignore[no-untyped-def]
    return read_model_fields(
        held,
        event_type=f"article.{kind}",
        version=version,
        snapshot_status=status,
        comments_open=open_,
        title=title,
        slug="s",
    )


def test_article_read_model_ignores_stale_versions_and_keeps_deleted_terminal() -> None:
    published = _apply(None, "published", 1)
    assert published == {
        "status": "published",
        "comments_open": True,
        "version": 1,
        "deleted": False,
        "title": "عنوان",
        "slug": "s",
    }
    closed = _apply(published, "updated", 2, open_=False, title="عنوان جديد")
    assert closed is not None and closed["comments_open"] is False
    assert closed["title"] == "عنوان جديد"  # the moderators' page shows the current title
    assert _apply(closed, "published", 1) is None  # older than held
    assert _apply(closed, "updated", 2) is None  # same version again
    deleted = _apply(closed, "deleted", 3, status="deleted")
    assert deleted is not None and deleted["deleted"]
    assert _apply(deleted, "published", 9) is None  # deleted is terminal


def test_accepts_comments() -> None:
    assert accepts_comments(None) == "unknown"
    assert accepts_comments({"status": "unpublished"}) == "unknown"
    assert accepts_comments({"status": "published", "deleted": True}) == "unknown"
    assert accepts_comments({"premoderation": True}) == "unknown"
    assert accepts_comments({"status": "published", "comments_open": False}) == "closed"
    assert accepts_comments({"status": "published", "comments_open": True}) == "ok"


def test_cursor_round_trip_and_garbage() -> None:
    key = ["2026-01-01T00:00:00+00:00", "abc"]
    assert decode_cursor(encode_cursor(key)) == (datetime(2026, 1, 1, tzinfo=UTC), "abc")
    far = ["9999-12-31T23:59:59-14:00", "abc"]
    for bad in ("!!!", "e30", encode_cursor([1, 2]), encode_cursor(["a"]), encode_cursor(far)):  # type: ignore[list-item]
        with pytest.raises(ValueError):
            decode_cursor(bad)


def test_split_page() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    docs = [{"_id": str(i), "created_at": t + timedelta(seconds=i)} for i in range(3)]
    page, cursor = split_page(docs, 2)
    assert [d["_id"] for d in page] == ["0", "1"]
    assert cursor is not None and decode_cursor(cursor) == (docs[1]["created_at"], "1")
    assert split_page(docs, 3) == (docs, None)


def test_thread_nests_replies_under_nearest_visible_ancestor() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)

    def c(cid: str, sec: int, *ancestors: str) -> dict[str, object]:
        return {"id": cid, "created_at": t + timedelta(seconds=sec), "ancestors": list(ancestors)}

    roots = [c("r1", 0), c("r2", 1)]
    # r1 > a (approved) > b (approved); r1 > x (hidden) > y (approved) -> y lands under r1
    replies = [c("b", 5, "r1", "a"), c("a", 2, "r1"), c("y", 4, "r1", "x")]
    tree = thread(roots, replies)
    assert [n["id"] for n in tree] == ["r1", "r2"]
    assert [n["id"] for n in tree[0]["replies"]] == ["a", "y"]
    assert [n["id"] for n in tree[0]["replies"][0]["replies"]] == ["b"]
    assert "ancestors" not in tree[0]
