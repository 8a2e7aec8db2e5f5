"""The comments app factory."""

from __future__ import annotations

from fastapi import FastAPI

from services.comments import admin, api, subscribers, workbench_api
from services.comments.config import Settings
from services.comments.context import Context
from shared.app import build_app
from shared.events import ARTICLES_STREAM, COMMENTS_STREAM
from shared.runtime import Runtime

# Domain error statuses per endpoint (the shared ones are derived; see shared.openapi).
ERRORS = {
    "submit_comment": {409, 429},  # closed or duplicate; flood or per-client limit
    "report_comment": {409, 429},
    "reject": {409},
    "approve_comment": {409},
    "spam_comment": {409},
    "restore_comment": {409},
    "get_queue": {400},  # a forged cursor (the filters are a query model)
    "changes": {400},
    "list_bans": {400},
    "create_ban": {404},  # the comment named by comment_id
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app: runtime, article-event consumer, routes; indexes and key on start."""
    settings = settings or Settings()
    runtime = Runtime(settings)
    ctx = Context(runtime=runtime, settings=settings)
    subscribers.register(runtime, ctx.repo)
    app = build_app(
        title="Akhbar comments",
        runtime=runtime,
        cache_streams=(COMMENTS_STREAM, ARTICLES_STREAM),
        routers=[api.router, api.moderation_router, workbench_api.router, admin.router],
        on_prepare=ctx.prepare,
        on_start=ctx.start,
        errors=ERRORS,
    )
    app.state.comments = ctx
    ctx.repo.warm_articles.cache = app.state.read_cache  # dropped by the events it tails
    app.state.peer_transport = None  # tests reach the articles app in-process

    async def rebuild_after_loss() -> dict[str, int]:
        return await admin.rebuild_article_model(app)

    runtime.recovery.add_hook("article_model", rebuild_after_loss)
    return app
