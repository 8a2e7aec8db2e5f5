"""HTTP routes of the articles service (thin: parse, call one use case, map the result)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from services.articles import catalog, domain, queries, service
from services.articles.deps import (
    ArticleChange,
    Change,
    Editor,
    Limits,
    ListQuery,
    Repo,
    Uow,
    Viewer,
)
from services.articles.schemas import (
    ArticleCreate,
    ArticleList,
    ArticleOut,
    ArticlePatch,
    ArticleSummary,
    CategoryCreate,
    CategoryList,
    CategoryOut,
    ScheduleIn,
    TagList,
    article_out,
    category_out,
)
from shared.cache import cached_json

articles = APIRouter(tags=["articles"])
categories = APIRouter(tags=["categories"])


def _article(doc: dict[str, Any], status: int = 200) -> JSONResponse:
    body = article_out(doc).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers={"ETag": domain.etag(doc["version"])})


@articles.post("/articles", status_code=201, response_model=ArticleOut)
async def create_article(
    data: ArticleCreate, repo: Repo, uow: Uow, limits: Limits, editor: Editor
) -> JSONResponse:
    doc = await service.create_article(
        repo=repo, uow=uow, data=data, limits=limits, author=editor.name
    )
    return _article(doc, 201)


@articles.get("/articles", response_model=ArticleList)
async def list_articles(query: ListQuery, repo: Repo) -> ArticleList:
    """Published articles for everyone; `status=draft|scheduled|…` is the editors' worklist."""
    docs, next_cursor = await queries.list_articles(
        repo=repo, status=query.status, category=query.category, tag=query.tag,
        limit=query.limit, cursor=query.cursor,
    )  # fmt: skip
    return ArticleList(
        items=[article_out(d, ArticleSummary) for d in docs], next_cursor=next_cursor
    )


@articles.get(
    "/articles/{article_id}",
    response_model=ArticleOut,
    responses={301: {"description": "an old slug"}},
)
async def get_article(article_id: str, request: Request, repo: Repo, viewer: Viewer) -> Response:
    """An article by id or slug (one path template with PATCH/DELETE, so `Allow` is exact)."""
    key = article_id
    if viewer is not None:  # editors see drafts and get the version ETag for If-Match
        editor = viewer.has("editor")
        doc, via_alias = await queries.find_article(repo=repo, key=key, editor=editor)
        return RedirectResponse(doc["slug"], status_code=301) if via_alias else _article(doc)
    moved: list[str] = []

    async def render() -> tuple[Any, set[str]]:
        doc, via_alias = await queries.find_article(repo=repo, key=key, editor=False)
        if via_alias:
            moved.append(doc["slug"])
            raise _Moved
        return article_out(doc).model_dump(mode="json"), {doc["_id"]}

    try:
        return await cached_json(request, request.app.state.read_cache, f"article:{key}", render)
    except _Moved:  # relative, so it resolves behind the gateway's /api prefix too
        return RedirectResponse(moved[0], status_code=301)


class _Moved(Exception):
    """An old slug: answered with a redirect, never cached."""


@articles.patch("/articles/{article_id}", response_model=ArticleOut)
async def update_article(
    article_id: str, patch: ArticlePatch, change: Change, limits: Limits, _: Editor
) -> JSONResponse:
    doc = await service.update_article(
        repo=change.repo, uow=change.uow, article_id=article_id, patch=patch,
        expected=change.expected, limits=limits, correlation_id=change.correlation_id,
    )  # fmt: skip
    return _article(doc)


async def _transition(
    change: ArticleChange, article_id: str, action: str, **extra: Any
) -> JSONResponse:
    doc = await service.transition(
        repo=change.repo, uow=change.uow, article_id=article_id, action=action,
        expected=change.expected, correlation_id=change.correlation_id, **extra,
    )  # fmt: skip
    return _article(doc)


@articles.post("/articles/{article_id}/publish", response_model=ArticleOut)
async def publish(article_id: str, change: Change, _: Editor) -> JSONResponse:
    return await _transition(change, article_id, "publish")


@articles.post("/articles/{article_id}/unpublish", response_model=ArticleOut)
async def unpublish(article_id: str, change: Change, _: Editor) -> JSONResponse:
    return await _transition(change, article_id, "unpublish")


@articles.post("/articles/{article_id}/archive", response_model=ArticleOut)
async def archive(article_id: str, change: Change, _: Editor) -> JSONResponse:
    return await _transition(change, article_id, "archive")


@articles.post("/articles/{article_id}/schedule", response_model=ArticleOut)
async def schedule(article_id: str, data: ScheduleIn, change: Change, _: Editor) -> JSONResponse:
    return await _transition(change, article_id, "schedule", publish_at=data.publish_at)


@articles.delete("/articles/{article_id}", status_code=204)
async def delete_article(article_id: str, change: Change, _: Editor) -> Response:
    await service.delete_article(
        repo=change.repo, uow=change.uow, article_id=article_id, expected=change.expected,
        correlation_id=change.correlation_id,
    )  # fmt: skip
    return Response(status_code=204)


@categories.post("/categories", status_code=201, response_model=CategoryOut)
async def create_category(data: CategoryCreate, repo: Repo, _: Editor) -> CategoryOut:
    doc = await catalog.create_category(
        repo=repo, name=data.name, slug=data.slug, parent=data.parent
    )
    return category_out(doc)


@categories.get("/categories", response_model=CategoryList)
async def list_categories(repo: Repo) -> CategoryList:
    """Every category, flat, ordered by path (parents before children)."""
    docs = await catalog.list_categories(repo)
    return CategoryList(items=[category_out(d) for d in docs])


@categories.delete("/categories/{slug}", status_code=204)
async def delete_category(slug: str, repo: Repo, _: Editor) -> Response:
    await catalog.delete_category(repo=repo, slug=slug)
    return Response(status_code=204)


@categories.get("/tags", response_model=TagList, tags=["tags"])
async def list_tags(
    repo: Repo,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> TagList:
    """Tags of published articles with how many carry each, most used first.

    A tag's page is `GET /articles?tag=...`.
    """
    items, next_cursor = await queries.list_tags(repo=repo, limit=limit, cursor=cursor)
    return TagList.model_validate({"items": items, "next_cursor": next_cursor})


internal = APIRouter(tags=["internal"])


@internal.get("/internal/articles")
async def export_published(
    repo: Repo,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Full public snapshots of published articles, for consumers' rebuilds (not via gateway)."""
    return await queries.export_published(repo=repo, limit=limit, cursor=cursor)


router = APIRouter()
router.include_router(articles)
router.include_router(categories)
router.include_router(internal)
