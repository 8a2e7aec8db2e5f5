"""HTTP routes, thin: parse, call one use case, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.related import service
from services.related.context import Context
from services.related.schemas import RebuildJob, RelatedList
from shared.auth import Principal, require

router = APIRouter()


def _ctx(request: Request) -> Context:
    ctx: Context = request.app.state.related
    return ctx


Ctx = Annotated[Context, Depends(_ctx)]
Admin = Annotated[Principal, Depends(require("admin"))]


@router.get("/articles/{article_id}/related", response_model=RelatedList, tags=["related"])
async def related_articles(
    ctx: Ctx, article_id: str, limit: Annotated[int | None, Query(ge=1, le=100)] = None
) -> RelatedList:
    """Related published articles with score and reasons; 404 for an unknown or unpublished one."""
    return await service.related(ctx, article_id=article_id, limit=limit)


@router.post("/admin/rebuild", status_code=202, response_model=RebuildJob, tags=["admin"])
async def rebuild(ctx: Ctx, admin: Admin) -> RebuildJob:
    """Rebuild the whole index from the articles service; the old lists serve meanwhile."""
    return await service.start_rebuild(ctx, requested_by=admin.name)


@router.get("/admin/rebuild/{job_id}", response_model=RebuildJob, tags=["admin"])
async def rebuild_status(ctx: Ctx, _: Admin, job_id: str) -> RebuildJob:
    """Progress of a rebuild: phase, processed of total, start and end, error."""
    return await service.rebuild_job(ctx, job_id=job_id)
