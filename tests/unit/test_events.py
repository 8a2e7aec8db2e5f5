"""The event envelope: one definition, versioned, typed per event."""

from __future__ import annotations

import json

import pytest

from shared.events import (
    ARTICLES_STREAM,
    COMMENTS_STREAM,
    ArticlePublished,
    ArticleSnapshot,
    CommentModerated,
    CommentModeratedData,
    UnsupportedEvent,
    dlq_stream,
    parse_event,
    stream_for,
)


def published() -> ArticlePublished:
    snapshot = ArticleSnapshot(
        id="a1", slug="الأردن-وسوريا", title="الأردن وسوريا", status="published", version=3
    )
    return ArticlePublished(
        producer="articles",
        aggregate_id="a1",
        aggregate_version=3,
        correlation_id="req-1",
        data=snapshot,
    )


def test_envelope_round_trips_through_json_with_arabic_intact():
    event = published()
    wire = json.dumps(event.model_dump(mode="json"), ensure_ascii=False)
    assert "الأردن وسوريا" in wire
    parsed = parse_event(wire)
    assert isinstance(parsed, ArticlePublished)
    assert parsed == event
    assert parsed.data.slug == "الأردن-وسوريا"


def test_envelope_carries_the_contract_fields():
    payload = published().model_dump(mode="json")
    for name in (
        "event_id",
        "type",
        "schema_version",
        "occurred_at",
        "producer",
        "aggregate_id",
        "aggregate_version",
        "correlation_id",
        "causation_id",
        "data",
    ):
        assert name in payload
    assert payload["occurred_at"].endswith("Z") or payload["occurred_at"].endswith("+00:00")
    assert published().event_id != published().event_id


def test_unknown_major_version_and_unknown_type_are_unsupported():
    payload = published().model_dump(mode="json")
    with pytest.raises(UnsupportedEvent):
        parse_event(payload | {"schema_version": 2})
    with pytest.raises(UnsupportedEvent):
        parse_event(payload | {"type": "article.exploded"})


def test_a_bad_payload_fails_validation_instead_of_half_working():
    payload = published().model_dump(mode="json")
    payload["data"].pop("slug")
    with pytest.raises(ValueError):
        parse_event(payload)


def test_each_event_goes_to_its_producers_stream():
    moderated = CommentModerated(
        producer="comments",
        aggregate_id="c1",
        aggregate_version=2,
        data=CommentModeratedData(
            comment_id="c1", article_id="a1", from_status="pending", to_status="approved"
        ),
    )
    assert stream_for(published()) == ARTICLES_STREAM
    assert stream_for(moderated) == COMMENTS_STREAM
    assert dlq_stream(ARTICLES_STREAM) == "articles.events.dlq"
