"""The article read model: which articles take comments, kept from article events."""

from __future__ import annotations

from typing import Protocol

from services.comments import lifecycle
from services.comments.repository import CommentRepository
from shared import inbox, mongo
from shared.events import Event


class Inbox(Protocol):
    """Applies an incoming event at most once (the runtime's inbox)."""

    async def once(self, event: Event, apply: inbox.Apply) -> bool: ...


async def record_article_event(repo: CommentRepository, events: Inbox, *, event: Event) -> None:
    """Record the article's status once per event; stale versions and deleted articles stay."""

    async def apply(session: mongo.Session) -> None:
        held = await repo.article(event.aggregate_id, session)
        fields = lifecycle.read_model_fields(
            held,
            event_type=event.type,
            version=event.aggregate_version,
            snapshot_status=event.data.status,
            comments_open=event.data.comments_open,
            title=event.data.title,
            slug=event.data.slug,
        )
        if fields is not None:
            fields["slug"] = event.data.slug
            await repo.set_article(event.aggregate_id, fields, session, add_slug=event.data.slug)

    await events.once(event, apply)
