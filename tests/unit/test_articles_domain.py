"""Pure rules of the articles service: slugs, workflow, events, cursors, If-Match."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import islice

import pytest

from services.articles import domain
from shared import pagination


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        (
            "الأردن وسوريا يتعهدان بتعزيز التعاون الأمني",
            "الأردن-وسوريا-يتعهدان-بتعزيز-التعاون-الأمني",
        ),
        ("مُـؤتمرٌ دوليّ", "مؤتمر-دولي"),  # tashkeel and tatweel dropped, hamza kept
        ("تنظيم “داعش” إلى المنطقة!", "تنظيم-داعش-إلى-المنطقة"),
        ("هل ينجح الحوار؟ نعم، ربما.", "هل-ينجح-الحوار-نعم-ربما"),
        ("Demain Dès l'Aube 2017", "demain-dès-l-aube-2017"),
        ("  --  ", ""),
        ("ﻻ إله", "لا-إله"),  # presentation forms folded by NFKC
    ],
)
def test_slugify_keeps_arabic_letters(title, slug):
    assert domain.slugify(title) == slug


@pytest.mark.parametrize("invisible", ["\u2060", "\u2061", "\u180e", "\u0600", "\U000e0041"])
def test_slugify_drops_every_invisible_character_of_the_shared_table(invisible):
    title = "مؤتمر دولي للسلام"
    spelled = f"مؤ{invisible}تمر دو{invisible}لي للسلام{invisible}"
    assert domain.slugify(spelled) == domain.slugify(title) == "مؤتمر-دولي-للسلام"


def test_slugify_cuts_long_titles_at_a_word_boundary():
    slug = domain.slugify("كلمة " * 40, max_len=30)
    assert len(slug) <= 30 and not slug.endswith("-") and slug.startswith("كلمة-كلمة")


def test_slug_candidates_add_numeric_suffixes_within_the_limit():
    assert list(islice(domain.slug_candidates("خبر"), 3)) == ["خبر", "خبر-2", "خبر-3"]
    long = list(islice(domain.slug_candidates("a" * 80, max_len=80), 2))
    assert len(long[1]) == 80 and long[1].endswith("-2")


@pytest.mark.parametrize(
    ("action", "current", "target"),
    [
        ("publish", "draft", "published"),
        ("publish", "scheduled", "published"),
        ("publish", "published", None),
        ("unpublish", "published", "unpublished"),
        ("unpublish", "draft", None),
        ("archive", "published", "archived"),
        ("archive", "archived", None),
        ("schedule", "draft", "scheduled"),
        ("schedule", "published", None),
        ("publish", "deleted", None),
    ],
)
def test_transitions(action, current, target):
    assert domain.next_status(action, current) == target


@pytest.mark.parametrize(
    ("before", "after", "kwargs", "event"),
    [
        ("draft", "published", {}, "article.published"),
        ("published", "published", {}, "article.updated"),
        ("published", "published", {"content_changed": False}, None),
        ("draft", "draft", {}, None),
        ("published", "unpublished", {}, "article.unpublished"),
        ("published", "archived", {}, "article.unpublished"),
        ("draft", "deleted", {"ever_published": False}, None),
        ("unpublished", "deleted", {"ever_published": True}, "article.deleted"),
    ],
)
def test_change_event_type(before, after, kwargs, event):
    assert domain.change_event_type(before, after, **kwargs) == event


def test_article_event_carries_the_snapshot_and_version():
    doc = {
        "_id": "a1",
        "slug": "s",
        "title": "t",
        "status": "published",
        "version": 4,
        "breadcrumb": [{"slug": "c", "name": "ج"}],
        "body": [{"type": "paragraph", "text": "x"}],
        "comment_count": 9,
        "source_ref": "ant:1",
    }
    event = domain.article_event("article.updated", doc, correlation_id="r1")
    assert event.type == "article.updated" and event.aggregate_version == 4
    assert event.data.category is not None and event.data.category.slug == "c"
    assert event.correlation_id == "r1" and event.producer == "articles"
    assert "comment_count" not in event.data.model_dump()


def test_cursor_round_trip_and_garbage():
    moment = datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)
    assert pagination.decode_keyset(domain.encode_cursor(moment, "abc")) == (moment, "abc")
    for garbage in ("", "!!!", "bm90IGpzb24", domain.encode_cursor(moment, "x")[:-3]):
        with pytest.raises(ValueError):
            pagination.decode_keyset(garbage)


@pytest.mark.parametrize(
    ("header", "version"), [(None, None), ("*", None), ('"3"', 3), ('W/"7"', 7), ("5", 5)]
)
def test_if_match(header, version):
    assert domain.parse_if_match(header) == version


def test_if_match_malformed():
    with pytest.raises(ValueError):
        domain.parse_if_match('"abc"')


def test_body_bytes_and_tags():
    assert (
        domain.body_bytes([{"type": "paragraph", "text": "نص"}, {"type": "heading", "text": "ab"}])
        == 6
    )
    assert domain.clean_tags(["Syria", " syria ", "أمن  عام", ""]) == ["syria", "أمن عام"]


def test_approved_after():
    assert domain.approved_after("comment.submitted", {"status": "approved"})
    assert not domain.approved_after("comment.moderated", {"to_status": "rejected"})
