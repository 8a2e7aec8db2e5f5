"""Stream handlers: article events keep the index and the stored lists current."""

from __future__ import annotations

from services.related import service
from services.related.context import Context
from shared.events import ARTICLES_STREAM, ArticleEvent, Event


def register(related: Context) -> None:
    """Subscribe the related group to article events."""

    async def on_article_event(event: Event) -> None:
        if isinstance(event, ArticleEvent):
            await service.index_article_event(
                event, index=related.index, search=related.search, work=related.runtime,
                refresh=related.stats_refresh,
            )  # fmt: skip

    related.runtime.consume(ARTICLES_STREAM, on_article_event)
