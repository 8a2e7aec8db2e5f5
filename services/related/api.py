"""HTTP routes, thin: parse, call one use case, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.related import finder, service
from services.related.deps import Admin, Cache, Jobs, Launcher, RelatedSettings, Repository, Search
from services.related.schemas import RebuildJob, RelatedList, SearchPage
from shared.cache import cached_json

router = APIRouter()


@router.get("/articles/{key}/related", response_model=RelatedList, tags=["related"])
async def related_articles(
    request: Request,
    cache: Cache,
    lists: Repository,
    settings: RelatedSettings,
    key: str,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> Response:
    """Related published articles (by id, slug or old slug), each with what a card shows, score
    and reasons; 404 `not_found` for an unknown or unpublished article."""

    async def render() -> tuple[RelatedList, set[str]]:
        found = await service.related_list(key, lists=lists, limit=limit or settings.list_size)
        return found, {key, found.article_id, *(item.id for item in found.items)}

    return await cached_json(request, cache, f"related:{key}:{limit}", render)


@router.get("/search", response_model=SearchPage, tags=["search"])
async def search_articles(
    index: Search,
    q: Annotated[str, Query(min_length=1, max_length=200, pattern=r"\S")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> SearchPage:
    """Published articles matching `q` (Arabic-aware: normalized, stemmed, stop words dropped),
    best first (BM25 over title and body, title boosted), with a highlighted plain-text snippet."""
    return await finder.find(index, q=q, limit=limit, cursor=cursor)


@router.post("/admin/rebuild", status_code=202, response_model=RebuildJob, tags=["admin"])
async def rebuild(
    jobs: Jobs, launcher: Launcher, settings: RelatedSettings, admin: Admin
) -> RebuildJob:
    """Rebuild the whole index from the articles service; the old lists serve meanwhile."""
    return await service.start_rebuild(
        jobs=jobs, launcher=launcher, stale_s=settings.job_stale_s, requested_by=admin.name
    )


@router.get("/admin/rebuild/{job_id}", response_model=RebuildJob, tags=["admin"])
async def rebuild_status(
    jobs: Jobs, settings: RelatedSettings, _: Admin, job_id: str
) -> RebuildJob:
    """Progress of a rebuild: phase, processed of total, start and end, error."""
    return await service.rebuild_job(job_id, jobs=jobs, stale_s=settings.job_stale_s)
