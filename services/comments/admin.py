"""Admin and internal recovery routes of the comments service (not routed by the gateway)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from services.comments import recovery
from services.comments.context import Context
from shared.auth import Principal, require
from shared.errors import peer_unavailable

router = APIRouter()
Admin = Annotated[Principal, Depends(require("admin"))]


def _ctx(request: Request) -> Context:
    ctx: Context = request.app.state.comments
    return ctx


async def rebuild_article_model(request_or_app: Any) -> dict[str, int]:
    app = getattr(request_or_app, "app", request_or_app)
    settings = app.state.settings
    return await recovery.rebuild_articles(
        app.state.comments, settings.articles_url,
        transport=getattr(app.state, "peer_transport", None), timeout_s=settings.peer_timeout_s,
    )  # fmt: skip


@router.post("/admin/rebuild/articles", tags=["admin"])
async def rebuild_articles(request: Request, _: Admin) -> dict[str, int]:
    """Rebuild the article read model (who takes comments) from the articles service."""
    try:
        return await rebuild_article_model(request)
    except Exception as exc:
        raise peer_unavailable("articles", "المقالات") from exc


@router.get("/internal/comment-counts", tags=["internal"])
async def comment_counts(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Every comment's article, version and approval, paginated by id: the articles service
    rebuilds its comment counts from it."""
    return await recovery.comment_states(_ctx(request), after=cursor, limit=limit)
