"""The event contract: one envelope, one typed model per event, the stream names."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

SCHEMA_VERSION = 1

ARTICLES_STREAM = "articles.events"
COMMENTS_STREAM = "comments.events"
RELATED_STREAM = "related.events"


def dlq_stream(stream: str) -> str:
    """The dead-letter stream of a stream."""
    return f"{stream}.dlq"


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


# --- payloads ------------------------------------------------------------------------------


class Block(_Model):
    """A text block of an article body."""

    type: Literal["paragraph", "heading"]
    text: str


class Image(_Model):
    """An image as a page shows it: `src` is an http(s) URL or a site-relative path."""

    src: str
    caption: str | None = None
    credit: str | None = None
    alt: str | None = None


class ImageBlock(Image):
    """An image inside an article body."""

    type: Literal["image"]


BodyBlock = Annotated[Block | ImageBlock, Field(discriminator="type")]


def block_text(block: Block | ImageBlock) -> str:
    """The words a block contributes to indexes: its text, or an image's caption."""
    return block.text if isinstance(block, Block) else (block.caption or "")


class CategoryRef(_Model):
    slug: str
    name: str


class ArticleSnapshot(_Model):
    """The public view of an article that consumers need."""

    id: str
    slug: str
    title: str
    summary: str = ""
    excerpt: str = ""  # the first paragraph, cut: what pages show when `summary` is empty
    body: list[BodyBlock] = []
    lead_image: Image | None = None
    category: CategoryRef | None = None
    breadcrumb: list[CategoryRef] = []
    tags: list[str] = []
    author: str | None = None
    language: str = "ar"
    status: str
    comments_open: bool = True
    published_at: datetime | None = None
    updated_at: datetime | None = None
    version: int


class CommentSubmittedData(_Model):
    comment_id: str
    article_id: str
    parent_id: str | None = None
    status: str
    reasons: list[str] = []


class CommentModeratedData(_Model):
    comment_id: str
    article_id: str
    from_status: str
    to_status: str
    reason: str | None = None
    actor: str | None = None


class RelatedUpdatedData(_Model):
    article_ids: list[str]


# --- envelope ------------------------------------------------------------------------------


class Event(_Model):
    """Envelope shared by every event. `event_id` is the idempotency key."""

    event_id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    type: str
    schema_version: int = SCHEMA_VERSION
    occurred_at: datetime = Field(default_factory=utcnow)
    producer: str
    aggregate_id: str
    aggregate_version: int
    correlation_id: str | None = None
    causation_id: str | None = None
    data: Any


class ArticlePublished(Event):
    type: Literal["article.published"] = "article.published"
    data: ArticleSnapshot


class ArticleUpdated(Event):
    type: Literal["article.updated"] = "article.updated"
    data: ArticleSnapshot


class ArticleUnpublished(Event):
    type: Literal["article.unpublished"] = "article.unpublished"
    data: ArticleSnapshot


class ArticleDeleted(Event):
    type: Literal["article.deleted"] = "article.deleted"
    data: ArticleSnapshot


class CommentSubmitted(Event):
    type: Literal["comment.submitted"] = "comment.submitted"
    data: CommentSubmittedData


class CommentModerated(Event):
    type: Literal["comment.moderated"] = "comment.moderated"
    data: CommentModeratedData


class RelatedUpdated(Event):
    type: Literal["related.updated"] = "related.updated"
    data: RelatedUpdatedData


ArticleEvent = ArticlePublished | ArticleUpdated | ArticleUnpublished | ArticleDeleted
CommentEvent = CommentSubmitted | CommentModerated
AnyEvent = Annotated[ArticleEvent | CommentEvent | RelatedUpdated, Field(discriminator="type")]

STREAM_OF_PRODUCER: dict[str, str] = {
    "articles": ARTICLES_STREAM,
    "comments": COMMENTS_STREAM,
    "related": RELATED_STREAM,
}

EVENTS_OF_STREAM: dict[str, Any] = {
    ARTICLES_STREAM: ArticleEvent,
    COMMENTS_STREAM: CommentEvent,
    RELATED_STREAM: RelatedUpdated,
}

STREAM_OF: dict[str, str] = {
    "article": ARTICLES_STREAM,
    "comment": COMMENTS_STREAM,
    "related": RELATED_STREAM,
}

_any_event: TypeAdapter[Any] = TypeAdapter(AnyEvent)


class UnsupportedEvent(ValueError):
    """An event this code cannot process: unknown type or major schema version."""


def parse_event(raw: dict[str, Any] | bytes | str) -> Event:
    """Validate a wire payload into its typed event; unsupported ones raise UnsupportedEvent."""
    payload = raw if isinstance(raw, dict) else _any_event_json(raw)
    version = payload.get("schema_version")
    if version != SCHEMA_VERSION:
        raise UnsupportedEvent(f"unsupported schema_version {version!r}")
    if payload.get("type") not in _EVENT_TYPES:
        raise UnsupportedEvent(f"unknown event type {payload.get('type')!r}")
    event: Event = _any_event.validate_python(payload)
    return event


def _any_event_json(raw: bytes | str) -> dict[str, Any]:
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise UnsupportedEvent("event payload is not a JSON object")
    return value


_EVENT_TYPES = {
    cls.model_fields["type"].default
    for cls in (
        ArticlePublished,
        ArticleUpdated,
        ArticleUnpublished,
        ArticleDeleted,
        CommentSubmitted,
        CommentModerated,
        RelatedUpdated,
    )
}


def stream_for(event: Event) -> str:
    """The stream an event belongs on, from its type's prefix."""
    return STREAM_OF[event.type.split(".", 1)[0]]


def known_type(value: object) -> str:
    """The event type for metric labels: a known type, else "unknown" (bounded cardinality)."""
    return value if isinstance(value, str) and value in _EVENT_TYPES else "unknown"
