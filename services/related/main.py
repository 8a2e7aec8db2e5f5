"""The related app factory."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.related import api, subscribers
from services.related.config import Settings
from services.related.context import Context
from shared.app import build_app
from shared.events import ARTICLES_STREAM, RELATED_STREAM
from shared.runtime import Runtime


def create_app(
    settings: Settings | None = None, *, articles_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """Build the app: runtime, article-event consumer, routes; the index loads on start."""
    settings = settings or Settings()
    runtime = Runtime(settings)
    ctx = Context(runtime=runtime, settings=settings, articles_transport=articles_transport)
    subscribers.register(ctx)

    async def rebuild_after_loss() -> str:
        return (await ctx.start_rebuild("auto:redis-lost")).job_id

    runtime.recovery.add_hook("related_rebuild", rebuild_after_loss)
    app = build_app(
        title="Akhbar related",
        runtime=runtime,
        cache_streams=(RELATED_STREAM, ARTICLES_STREAM),
        routers=[api.router],
        on_prepare=ctx.prepare,
        on_start=ctx.start,
        on_stop=ctx.stop,
    )
    app.state.related = ctx
    return app
