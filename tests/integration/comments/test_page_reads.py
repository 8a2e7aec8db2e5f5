"""What the article page reads: counts equal what is shown, slugs work, 429 says when to retry."""

from __future__ import annotations

from shared.events import ARTICLES_STREAM, ArticlePublished, ArticleSnapshot, ArticleUpdated
from tests.helpers import eventually
from tests.integration.comments.test_readers import _approved, _page


def _visible(items):  # type: ignore[no-untyped-def]
    """Approved comments shown (a removed thread start is a placeholder, not a comment)."""
    return sum((not c["removed"]) + _visible(c["replies"]) for c in items)


async def test_replies_under_a_hidden_comment_stay_and_are_counted(comments):
    """A thread start hidden after replies were approved becomes a placeholder, its approved
    replies stay under it, and `count` is every approved comment: the same number the
    articles service keeps as `comment_count` (it counts approvals from the events)."""
    first = await _approved(comments, "الأول")
    await _approved(comments, "رد", parent_id=first)
    await _approved(comments, "الثاني")
    page = await _page(comments)
    assert page["count"] == _visible(page["items"]) == 3
    for action in ("reject", "restore", "spam"):
        extra = {"reason": "abusive"} if action == "reject" else {}
        assert (await comments.act(first, action, **extra)).status_code == 200
        page = await _page(comments)
        assert page["count"] == _visible(page["items"]), action
    assert page["count"] == 2
    placeholder = next(c for c in page["items"] if c["id"] == first)
    assert placeholder["removed"] is True
    assert placeholder["body"] is None and placeholder["author_name"] is None  # nothing leaks
    assert [r["body"] for r in placeholder["replies"]] == ["رد"]
    assert all(c["removed"] is False for c in page["items"] if c["id"] != first)


async def test_a_hidden_comment_without_approved_replies_is_not_shown(comments):
    first = await _approved(comments, "وحيد")
    await _approved(comments, "آخر")
    assert (await comments.act(first, "spam")).status_code == 200
    page = await _page(comments)
    assert [c["body"] for c in page["items"]] == ["آخر"] and page["count"] == 1


async def _slugged(comments, article_id: str, slug: str, version: int, kind=ArticlePublished):  # type: ignore[no-untyped-def]
    snapshot = ArticleSnapshot(
        id=article_id, slug=slug, title="عنوان", status="published", version=version
    )
    event = kind(
        producer="articles", aggregate_id=article_id, aggregate_version=version, data=snapshot
    )
    await comments.ctx.runtime.publish(ARTICLES_STREAM, event)
    await eventually(lambda: comments._processed(event.event_id))


async def test_comments_by_slug_and_old_slug(comments):
    await _slugged(comments, "a9", "الأردن-وسوريا", 1)
    posted = await comments.submit("الأردن-وسوريا", body="تعليق عبر المعرّف النصي")
    assert posted.status_code == 201, posted.text
    assert posted.json()["article_id"] == "a9"
    await comments.act(posted.json()["id"], "approve")
    await _slugged(comments, "a9", "عنوان-جديد", 2, ArticleUpdated)
    for key in ("a9", "الأردن-وسوريا", "عنوان-جديد"):
        page = (await comments.client.get(f"/articles/{key}/comments")).json()
        assert page["count"] == 1 and page["items"][0]["article_id"] == "a9", key
    second = await comments.submit("عنوان-جديد", body="تعليق ثان", author_email="b@example.com")
    await comments.act(second.json()["id"], "approve")
    for key in ("a9", "الأردن-وسوريا", "عنوان-جديد"):  # read by slug: not served stale
        page = (await comments.client.get(f"/articles/{key}/comments")).json()
        assert page["count"] == 2, key
    missing = await comments.client.get("/articles/لا-يوجد/comments")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    missing = await comments.submit("لا-يوجد")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_flood_refusal_says_when_to_retry(comments):
    await comments.policy(flood_interval_seconds=30)
    ok = await comments.submit(ip="10.9.9.9", author_email="a@example.com")
    assert ok.status_code == 201
    again = await comments.submit(ip="10.9.9.9", author_email="b@example.com", body="آخر")
    assert again.status_code == 429 and again.json()["error"]["code"] == "flood"
    assert 1 <= int(again.headers["retry-after"]) <= 30
    other_reader = await comments.submit(ip="10.9.9.10", author_email="c@example.com", body="ثالث")
    assert other_reader.status_code == 201


async def test_pages_keep_a_placeholder_in_its_place_both_ways(comments):
    ids = [await _approved(comments, text) for text in ("أ", "ب", "ج")]
    await _approved(comments, "رد", parent_id=ids[1])
    assert (await comments.act(ids[1], "reject", reason="abusive")).status_code == 200
    for sort, expected in (("oldest", ids), ("newest", ids[::-1])):
        seen, cursor = [], None
        while True:
            params = {"limit": 1, "sort": sort, **({"cursor": cursor} if cursor else {})}
            page = await _page(comments, **params)
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == expected, sort
