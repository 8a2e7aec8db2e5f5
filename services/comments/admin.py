"""Admin and internal recovery routes of the comments service (not routed by the gateway)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request

from services.comments import recovery
from services.comments.context import Context
from shared.admin import from_peer, peer
from shared.auth import Admin

router = APIRouter()


def _ctx(request: Request) -> Context:
    ctx: Context = request.app.state.comments
    return ctx


async def rebuild_article_model(app: FastAPI) -> dict[str, int]:
    """Rebuild the article read model from the articles service (also run after Redis lost data)."""
    articles = peer(app, app.state.settings.articles_url)
    return await recovery.rebuild_articles(
        app.state.comments, articles.base_url,
        transport=articles.transport, timeout_s=articles.timeout_s,
    )  # fmt: skip


@router.post("/admin/rebuild/articles", tags=["admin"])
async def rebuild_articles(request: Request, _: Admin) -> dict[str, int]:
    """Rebuild the article read model (who takes comments) from the articles service."""
    return await from_peer(
        rebuild_article_model(request.app), service="articles", service_ar="المقالات"
    )


@router.get("/internal/comment-counts", tags=["internal"])
async def comment_counts(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Every comment's article, version and approval, paginated by id: the articles service
    rebuilds its comment counts from it."""
    return await recovery.comment_states(_ctx(request), after=cursor, limit=limit)
