"""Stream handlers: article events feed the read model of commentable articles."""

from __future__ import annotations

from services.comments.readmodel import record_article_event
from services.comments.repository import CommentRepository
from shared.events import ARTICLES_STREAM, ArticleEvent, Event
from shared.runtime import Runtime


def register(runtime: Runtime, repo: CommentRepository) -> None:
    """Subscribe the comments group to article events."""

    async def on_article_event(event: Event) -> None:
        if isinstance(event, ArticleEvent):
            await record_article_event(repo, runtime, event=event)

    runtime.consume(ARTICLES_STREAM, on_article_event)
