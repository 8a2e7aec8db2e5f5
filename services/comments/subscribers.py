"""Stream handlers: article events feed the read model of commentable articles."""

from __future__ import annotations

from services.comments.context import Context
from services.comments.readmodel import apply_article_event
from shared.events import ARTICLES_STREAM, ArticleEvent, Event
from shared.runtime import Runtime


def register(runtime: Runtime, ctx: Context) -> None:
    """Subscribe the comments group to article events."""

    async def on_article_event(event: Event) -> None:
        if isinstance(event, ArticleEvent):
            await apply_article_event(ctx, event=event)

    runtime.consume(ARTICLES_STREAM, on_article_event)
