"""comment_count, kept exact from comment events (idempotent and order-safe)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.articles import domain
from services.articles.repository import ArticleRepository
from shared import inbox, mongo
from shared.events import CommentModerated, CommentSubmitted, Event

Once = Callable[[Event, inbox.Apply], Awaitable[bool]]  # applies an event's change at most once


async def apply_comment_event(*, repo: ArticleRepository, once: Once, event: Event) -> None:
    """Apply a comment's approval change to its article's comment_count, once.

    The count moves by the difference between the comment's last known approval and the new
    one, so a redelivery (the inbox drops it), an approve then reject (+1 -1) and a stale event
    (older aggregate_version than held: ignored) all leave the count exact.
    """
    if not isinstance(event, CommentSubmitted | CommentModerated):
        return
    data = event.data
    approved = domain.approved_after(event.type, data.model_dump())

    async def apply(session: mongo.Session) -> None:
        state = await repo.comment_state(data.comment_id, session)
        if state is not None and state["version"] > event.aggregate_version:
            return
        was = bool(state and state["approved"])
        await repo.save_comment_state(
            {
                "_id": data.comment_id,
                "article_id": data.article_id,
                "version": event.aggregate_version,
                "approved": approved,
            },
            session,
        )
        if approved != was:
            await repo.add_comments(data.article_id, 1 if approved else -1, session)

    await once(event, apply)
