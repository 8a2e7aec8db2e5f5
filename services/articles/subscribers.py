"""Stream handlers of the articles service (thin: one use case call each)."""

from __future__ import annotations

from services.articles.comment_counts import apply_comment_event
from services.articles.repository import ArticleRepository
from shared.events import COMMENTS_STREAM, Event
from shared.runtime import Runtime


def register(runtime: Runtime, repo: ArticleRepository) -> None:
    """Consume comments.events to keep comment_count exact."""

    async def on_comment_event(event: Event) -> None:
        await apply_comment_event(repo=repo, once=runtime.once, event=event)

    runtime.consume(COMMENTS_STREAM, on_comment_event)
