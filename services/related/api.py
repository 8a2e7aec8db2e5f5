"""HTTP routes, thin: parse, call one use case, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from services.related import finder, service
from services.related.context import Context
from services.related.schemas import RebuildJob, RelatedList, SearchPage
from shared.auth import Principal, require
from shared.cache import cached_json

router = APIRouter()


def _ctx(request: Request) -> Context:
    ctx: Context = request.app.state.related
    return ctx


Ctx = Annotated[Context, Depends(_ctx)]
Admin = Annotated[Principal, Depends(require("admin"))]


@router.get("/articles/{key}/related", response_model=RelatedList, tags=["related"])
async def related_articles(
    request: Request,
    ctx: Ctx,
    key: str,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> Response:
    """Related published articles (by id, slug or old slug), each with what a card shows, score
    and reasons; 404 `not_found` for an unknown or unpublished article."""

    async def render() -> tuple[RelatedList, set[str]]:
        found = await service.related(ctx, key=key, limit=limit)
        return found, {key, found.article_id, *(item.id for item in found.items)}

    cache_key = f"related:{key}:{limit}"
    return await cached_json(request, request.app.state.read_cache, cache_key, render)


@router.get("/search", response_model=SearchPage, tags=["search"])
async def search_articles(
    ctx: Ctx,
    q: Annotated[str, Query(min_length=1, max_length=200, pattern=r"\S")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> SearchPage:
    """Published articles matching `q` (Arabic-aware: normalized, stemmed, stop words dropped),
    best first (BM25 over title and body, title boosted), with a highlighted plain-text snippet."""
    return await finder.find(ctx.runtime.db, ctx.search_cache, q=q, limit=limit, cursor=cursor)


@router.post("/admin/rebuild", status_code=202, response_model=RebuildJob, tags=["admin"])
async def rebuild(ctx: Ctx, admin: Admin) -> RebuildJob:
    """Rebuild the whole index from the articles service; the old lists serve meanwhile."""
    return await service.start_rebuild(ctx, requested_by=admin.name)


@router.get("/admin/rebuild/{job_id}", response_model=RebuildJob, tags=["admin"])
async def rebuild_status(ctx: Ctx, _: Admin, job_id: str) -> RebuildJob:
    """Progress of a rebuild: phase, processed of total, start and end, error."""
    return await service.rebuild_job(ctx, job_id=job_id)
