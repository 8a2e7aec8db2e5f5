"""The articles app factory."""

from __future__ import annotations

from fastapi import FastAPI

from services.articles import admin, api, subscribers
from services.articles.config import Settings
from services.articles.repository import ArticleRepository
from services.articles.scheduler import scheduler_loop
from shared.admin import rebuild_after_loss
from shared.app import build_app
from shared.events import ARTICLES_STREAM, COMMENTS_STREAM
from shared.runtime import Runtime

# Domain error statuses per endpoint (the shared ones are derived; see shared.openapi).
_VERSIONED = {400, 409, 412}  # If-Match syntax, workflow conflict, stale version
ERRORS = {
    "create_article": {409},
    "list_articles": {400, 401, 403, 404},
    "update_article": _VERSIONED,
    "publish": _VERSIONED,
    "unpublish": _VERSIONED,
    "archive": _VERSIONED,
    "schedule": _VERSIONED,
    "delete_article": _VERSIONED,
    "create_category": {409},
    "delete_category": {409},
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the articles service: routes, the comment-count consumer and the scheduler."""
    settings = settings or Settings()
    runtime = Runtime(settings)
    repo = ArticleRepository(runtime.db)
    subscribers.register(runtime, repo)
    publisher = scheduler_loop(
        repo,
        runtime,
        interval_s=settings.scheduler_interval_s,
        metrics=runtime.loop_metrics,
    )

    async def on_start() -> None:
        if settings.scheduler_enabled:
            publisher.start()

    app = build_app(
        title="Akhbar articles",
        runtime=runtime,
        cache_streams=(ARTICLES_STREAM, COMMENTS_STREAM),
        routers=[api.router, admin.router],
        on_prepare=repo.ensure_indexes,  # before any transaction (SecantusDB: see shared/app.py)
        on_start=on_start,
        on_stop=publisher.stop,
        errors=ERRORS,
    )
    app.state.repository = repo
    rebuild_after_loss(app, "comment_counts", admin.rebuild_counts)
    return app
