"""shared.pagination.keyset_ranges: the ranges a keyset page reads, never an `$or`."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.pagination import keyset_ranges

AT = datetime(2025, 1, 2, tzinfo=UTC)
NEWEST = (("published_at", -1), ("_id", -1))
OLDEST = (("created_at", 1), ("_id", 1))


def test_first_page_reads_the_base_filter_alone() -> None:
    assert keyset_ranges({"status": "published"}, NEWEST, None) == [{"status": "published"}]


def test_after_a_position_reads_the_rest_of_the_tie_then_beyond() -> None:
    assert keyset_ranges({"status": "published"}, NEWEST, (AT, "a9")) == [
        {"status": "published", "published_at": AT, "_id": {"$lt": "a9"}},
        {"status": "published", "published_at": {"$lt": AT}},
    ]
    assert keyset_ranges({}, OLDEST, (AT, "a9")) == [
        {"created_at": AT, "_id": {"$gt": "a9"}},
        {"created_at": {"$gt": AT}},
    ]


def test_a_bound_on_the_sort_field_is_kept_beyond_the_tie() -> None:
    span = {"$gte": datetime(2025, 1, 1, tzinfo=UTC), "$lt": datetime(2025, 2, 1, tzinfo=UTC)}
    ties, beyond = keyset_ranges({"status": "pending", "created_at": span}, OLDEST, (AT, "c1"))
    assert ties == {"status": "pending", "created_at": AT, "_id": {"$gt": "c1"}}
    assert beyond == {"status": "pending", "created_at": {**span, "$gt": AT}}


def test_mixed_directions_each_key_goes_its_own_way() -> None:
    order = (("count", -1), ("_id", 1))  # most used first, ties by name
    assert keyset_ranges({"count": {"$gt": 0}}, order, (3, "tag")) == [
        {"count": 3, "_id": {"$gt": "tag"}},
        {"count": {"$gt": 0, "$lt": 3}},
    ]


def test_no_range_is_an_or() -> None:
    for query in keyset_ranges({"status": "x"}, NEWEST, (AT, "a")):
        assert "$or" not in str(query)
