"""HTTP routes of the articles service (thin: parse, call one use case, map the result)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from services.articles import catalog, domain, listing, repository, service, tags
from services.articles.errors import bad_if_match
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
from shared.auth import Principal, optional_principal, require
from shared.cache import cached_json
from shared.errors import ApiError
from shared.runtime import Runtime


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


Editor = Annotated[Principal, Depends(require("editor"))]


def _expected_version(
    _: Editor,  # authenticate before parsing the header (same cached dependency)
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> int | None:
    try:
        return domain.parse_if_match(if_match)
    except ValueError as exc:
        raise bad_if_match() from exc


RuntimeDep = Annotated[Runtime, Depends(_runtime)]
WorkStatus = Literal["published", "draft", "scheduled", "unpublished", "archived"]
Viewer = Annotated[Principal | None, Depends(optional_principal)]
Expected = Annotated[int | None, Depends(_expected_version)]

articles = APIRouter(tags=["articles"])
categories = APIRouter(tags=["categories"])


def _article(doc: dict[str, Any], status: int = 200) -> JSONResponse:
    body = article_out(doc).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers={"ETag": domain.etag(doc["version"])})


@articles.post("/articles", status_code=201, response_model=ArticleOut)
async def create_article(data: ArticleCreate, runtime: RuntimeDep, editor: Editor) -> JSONResponse:
    return _article(
        await service.create_article(runtime=runtime, data=data, author=editor.name), 201
    )


@articles.get("/articles", response_model=ArticleList)
async def list_articles(
    runtime: RuntimeDep,
    request: Request,
    category: str | None = None,
    tag: str | None = None,
    status: WorkStatus = "published",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> ArticleList:
    """Published articles for everyone; `status=draft|scheduled|…` is the editors' worklist."""
    if status == "published":
        docs, next_cursor = await listing.list_articles(
            db=runtime.db, category=category, tag=tag, limit=limit, cursor=cursor
        )
    else:
        await require("editor")(request)
        if category or tag:
            raise ApiError(
                400,
                "unsupported_filter",
                "category and tag filter published articles only.",
                "التصفية حسب التصنيف أو الوسم للمقالات المنشورة فقط.",
                {"category" if category else "tag": "published only"},
            )
        docs, next_cursor = await listing.list_worklist(
            db=runtime.db, status=status, limit=limit, cursor=cursor
        )
    return ArticleList(
        items=[article_out(d, ArticleSummary) for d in docs], next_cursor=next_cursor
    )


@articles.get(
    "/articles/{article_id}",
    response_model=ArticleOut,
    responses={301: {"description": "an old slug"}},
)
async def get_article(
    article_id: str, request: Request, runtime: RuntimeDep, viewer: Viewer
) -> Response:
    """An article by id or slug (one path template with PATCH/DELETE, so `Allow` is exact)."""
    key = article_id
    editor = viewer is not None and viewer.has("editor")
    if viewer is not None:  # editors see drafts and get the version ETag for If-Match
        doc, via_alias = await service.find_article(db=runtime.db, key=key, editor=editor)
        return RedirectResponse(doc["slug"], status_code=301) if via_alias else _article(doc)
    moved: list[str] = []

    async def render() -> tuple[Any, set[str]]:
        doc, via_alias = await service.find_article(db=runtime.db, key=key, editor=False)
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
    article_id: str, patch: ArticlePatch, runtime: RuntimeDep, expected: Expected, _: Editor
) -> JSONResponse:
    return _article(
        await service.update_article(
            runtime=runtime, article_id=article_id, patch=patch, expected=expected
        )
    )


async def _transition(
    runtime: Runtime, article_id: str, action: str, expected: int | None, **extra: Any
) -> JSONResponse:
    return _article(
        await service.transition(
            runtime=runtime, article_id=article_id, action=action, expected=expected, **extra
        )
    )


@articles.post("/articles/{article_id}/publish", response_model=ArticleOut)
async def publish(
    article_id: str, runtime: RuntimeDep, expected: Expected, _: Editor
) -> JSONResponse:
    return await _transition(runtime, article_id, "publish", expected)


@articles.post("/articles/{article_id}/unpublish", response_model=ArticleOut)
async def unpublish(
    article_id: str, runtime: RuntimeDep, expected: Expected, _: Editor
) -> JSONResponse:
    return await _transition(runtime, article_id, "unpublish", expected)


@articles.post("/articles/{article_id}/archive", response_model=ArticleOut)
async def archive(
    article_id: str, runtime: RuntimeDep, expected: Expected, _: Editor
) -> JSONResponse:
    return await _transition(runtime, article_id, "archive", expected)


@articles.post("/articles/{article_id}/schedule", response_model=ArticleOut)
async def schedule(
    article_id: str, data: ScheduleIn, runtime: RuntimeDep, expected: Expected, _: Editor
) -> JSONResponse:
    return await _transition(runtime, article_id, "schedule", expected, publish_at=data.publish_at)


@articles.delete("/articles/{article_id}", status_code=204)
async def delete_article(
    article_id: str, runtime: RuntimeDep, expected: Expected, _: Editor
) -> Response:
    await service.delete_article(runtime=runtime, article_id=article_id, expected=expected)
    return Response(status_code=204)


@categories.post("/categories", status_code=201, response_model=CategoryOut)
async def create_category(data: CategoryCreate, runtime: RuntimeDep, _: Editor) -> CategoryOut:
    doc = await catalog.create_category(
        db=runtime.db, name=data.name, slug=data.slug, parent=data.parent
    )
    return category_out(doc)


@categories.get("/categories", response_model=CategoryList)
async def list_categories(runtime: RuntimeDep) -> CategoryList:
    """Every category, flat, ordered by path (parents before children)."""
    docs = await repository.list_categories(runtime.db)
    return CategoryList(items=[category_out(d) for d in docs])


@categories.delete("/categories/{slug}", status_code=204)
async def delete_category(slug: str, runtime: RuntimeDep, _: Editor) -> Response:
    await catalog.delete_category(db=runtime.db, slug=slug)
    return Response(status_code=204)


@categories.get("/tags", response_model=TagList, tags=["tags"])
async def list_tags(
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> TagList:
    """Tags of published articles with how many carry each, most used first.

    A tag's page is `GET /articles?tag=...`.
    """
    items, next_cursor = await tags.list_tags(runtime.db, limit=limit, cursor=cursor)
    return TagList.model_validate({"items": items, "next_cursor": next_cursor})


internal = APIRouter(tags=["internal"])


@internal.get("/internal/articles")
async def export_published(
    runtime: RuntimeDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Full public snapshots of published articles, for consumers' rebuilds (not via gateway)."""
    docs = await repository.published_by_id(runtime.db, after=cursor, limit=limit)
    total = await repository.count_published(runtime.db) if cursor is None else None
    return {
        "items": [domain.snapshot(doc).model_dump(mode="json") for doc in docs],
        "next_cursor": docs[-1]["_id"] if len(docs) == limit else None,
        "total": total,
    }


router = APIRouter()
router.include_router(articles)
router.include_router(categories)
router.include_router(internal)
