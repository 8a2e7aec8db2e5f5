"""Stream handlers: article events keep the index and the stored lists current."""

from __future__ import annotations

from services.related import service
from services.related.context import Context
from shared.events import ARTICLES_STREAM, ArticleEvent, Event
from shared.runtime import Runtime


def register(runtime: Runtime, ctx: Context) -> None:
    """Subscribe the related group to article events."""

    async def on_article_event(event: Event) -> None:
        if isinstance(event, ArticleEvent):
            await service.apply_article_event(ctx, event=event)

    runtime.consume(ARTICLES_STREAM, on_article_event)
