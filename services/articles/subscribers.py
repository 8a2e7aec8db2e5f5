"""Stream handlers of the articles service (thin: one service call each)."""

from __future__ import annotations

from services.articles.comments import record_comment_event
from shared.events import COMMENTS_STREAM, Event
from shared.runtime import Runtime


def register(runtime: Runtime) -> None:
    """Consume comments.events to keep comment_count exact."""

    async def on_comment_event(event: Event) -> None:
        await record_comment_event(runtime=runtime, event=event)

    runtime.consume(COMMENTS_STREAM, on_comment_event)
