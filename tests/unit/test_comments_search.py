"""Search keys of a comment and of a search, and the residual check, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.comments.search import MAX_WORD_KEYS, Filters, comment_keys, matches

T = datetime(2026, 1, 1, tzinfo=UTC)


def _doc(**fields):  # type: ignore[no-untyped-def]
    return {
        "email_hash": "h1",
        "article_id": "a1",
        "author_name": "عمر الفاروق",
        "body": "والمقالة ممتازة",
        "reasons": ["suspect_word"],
        "moderation_reason": None,
        "created_at": T,
        **fields,
    }


def test_a_comment_is_found_by_normalized_forms_of_its_words_and_name() -> None:
    keys = set(comment_keys(_doc()))
    assert {"e:h1", "a:a1", "r:suspect_word", "n:فاروق", "w:مقاله", "w:والمقاله"} <= keys
    for text in ("مقالة", "المقاله", "ممتازة"):
        assert matches({**_doc(), "keys": list(keys)}, Filters(text=text).keys(), Filters())


def test_the_moderators_reason_becomes_a_key_and_the_email_only_as_its_hash() -> None:
    keys = comment_keys(_doc(moderation_reason="abusive", author_email="omar@example.com"))
    assert "r:abusive" in keys
    assert not [k for k in keys if "omar" in k]


def test_word_keys_are_capped_for_long_comments() -> None:
    body = " ".join(f"كلمة{n}" for n in range(2000))
    words = [k for k in comment_keys(_doc(body=body)) if k.startswith("w:")]
    assert len(words) == MAX_WORD_KEYS


def test_search_keys_most_selective_first() -> None:
    filters = Filters(text="خبر عاجل جدا", author="سارة", email_hash="h", reason="abusive")
    keys = filters.keys()
    assert keys[0] == "e:h"
    assert keys[1].startswith("n:")
    assert keys[-1] == "r:abusive"
    assert Filters().keys() == []
    assert Filters(text="!!!").empty_words and not Filters(text="خبر").empty_words


def test_matches_checks_every_key_and_the_date_range() -> None:
    doc = {**_doc(), "keys": comment_keys(_doc())}
    assert matches(doc, ["e:h1", "w:مقاله"], Filters())
    assert not matches(doc, ["e:h1", "w:غائب"], Filters())
    assert matches(doc, [], Filters(since=T, until=T + timedelta(seconds=1)))
    assert not matches(doc, [], Filters(since=T + timedelta(seconds=1)))
    assert not matches(doc, [], Filters(until=T))
