"""The article read model: which articles take comments, from article events."""

from __future__ import annotations

from services.comments import lifecycle
from services.comments.context import Context
from shared import mongo
from shared.events import Event


async def apply_article_event(ctx: Context, *, event: Event) -> None:
    """Record the article's status once per event; stale versions and deleted articles stay."""

    async def apply(session: mongo.Session) -> None:
        held = await ctx.repo.article(event.aggregate_id, session)
        fields = lifecycle.apply_article_event(
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
            await ctx.repo.set_article(
                event.aggregate_id, fields, session, add_slug=event.data.slug
            )

    await ctx.runtime.once(event, apply)
