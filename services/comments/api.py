"""HTTP routes, thin: parse, call one use case, shape the answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import FileResponse

from services.comments import moderation, policy, readers, service, workbench
from services.comments.context import Context
from services.comments.domain import Policy
from services.comments.schemas import (
    ActionIn,
    ActionResult,
    AuditPage,
    BanIn,
    BanOut,
    BanPage,
    BulkIn,
    BulkOut,
    CommentIn,
    CommentPage,
    PremoderationIn,
    QueueFilters,
    QueuePage,
    RejectIn,
    ReportIn,
    ReportOut,
    SettingsIn,
    SubmitOut,
    WordSuggestion,
)
from shared.auth import Principal, require
from shared.cache import cached_json
from shared.errors import invalid_field, not_found, prefers_arabic


def _ctx(request: Request) -> Context:
    ctx: Context = request.app.state.comments
    return ctx


Ctx = Annotated[Context, Depends(_ctx)]
Moderator = Annotated[Principal, Depends(require("moderator"))]
Admin = Annotated[Principal, Depends(require("admin"))]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=512)]

router = APIRouter(tags=["comments"])
moderation_router = APIRouter(prefix="/moderation", tags=["moderation"])
STATIC = Path(__file__).parent / "static"
_ASSETS = {p.name: "text/javascript" for p in STATIC.glob("*.js")} | {
    "moderation.css": "text/css",
    "favicon.svg": "image/svg+xml",
}
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


def client_ip(request: Request, trust_proxy: bool) -> str | None:
    """The writer's IP: the first X-Forwarded-For hop behind the gateway, else the peer."""
    forwarded = request.headers.get("x-forwarded-for", "")
    if trust_proxy and forwarded.strip():
        return forwarded.split(",")[0].strip()[:64]
    return request.client.host if request.client else None


@router.post("/articles/{article_id}/comments", status_code=201)
async def submit_comment(article_id: str, data: CommentIn, request: Request, ctx: Ctx) -> SubmitOut:
    return await service.submit(
        ctx,
        article_id=article_id,
        data=data,
        client_ip=client_ip(request, ctx.settings.trust_proxy),
        arabic=prefers_arabic(request),
    )


@router.get("/articles/{article_id}/comments", response_model=CommentPage)
async def list_comments(
    article_id: str,
    request: Request,
    ctx: Ctx,
    sort: Literal["oldest", "newest"] = "oldest",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    async def render() -> tuple[CommentPage, set[str]]:
        page, resolved = await readers.list_public(
            ctx, article_id=article_id, newest=sort == "newest", limit=limit, cursor=cursor
        )
        return page, {article_id, resolved}  # a slug's entry goes with the article's events

    key = f"comments:{article_id}:{sort}:{limit}:{cursor}"
    return await cached_json(request, request.app.state.read_cache, key, render)


@router.post("/comments/{comment_id}/report")
async def report_comment(comment_id: str, data: ReportIn, request: Request, ctx: Ctx) -> ReportOut:
    ip = client_ip(request, ctx.settings.trust_proxy)
    return await readers.report(ctx, comment_id=comment_id, data=data, client_ip=ip)


@moderation_router.get("", include_in_schema=False)
async def moderation_page() -> FileResponse:
    """The moderators' page; public HTML, every call it makes needs the moderator token."""
    return FileResponse(
        STATIC / "moderation.html", media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS
    )


@moderation_router.get("/assets/{name}", include_in_schema=False)
async def moderation_asset(name: str) -> FileResponse:
    if name not in _ASSETS:
        raise not_found()
    return FileResponse(STATIC / name, media_type=_ASSETS[name], headers=_PAGE_HEADERS)


@moderation_router.get("/queue")
async def get_queue(
    query: Annotated[QueueFilters, Query()], request: Request, ctx: Ctx, _: Moderator
) -> QueuePage:
    """One status, searched: text, author name, email, article, reason code, date range."""
    return await workbench.queue(ctx, query=query, arabic=prefers_arabic(request))


@moderation_router.post("/comments/bulk")
async def bulk_action(data: BulkIn, ctx: Ctx, who: Moderator) -> BulkOut:
    results = await moderation.bulk(
        ctx, ids=data.ids, action=data.action, reason=data.reason, who=who
    )
    return BulkOut(results=results)


@moderation_router.post("/comments/{comment_id}/reject")
async def reject(
    comment_id: str,
    request: Request,
    ctx: Ctx,
    who: Moderator,
    data: Annotated[RejectIn | None, Body()] = None,
) -> ActionResult:
    """A rejection always names its reason: no body is a 422 naming `reason`, not a default."""
    if data is None:
        raise invalid_field(
            "reason", "This field is required.", "هذا الحقل مطلوب.", prefers_arabic(request)
        )
    return await moderation.act(
        ctx,
        comment_id=comment_id,
        action="reject",
        reason=data.reason,
        who=who,
        expected_status=data.expected_status,
    )


def _simple_action(action: str) -> Callable[..., Awaitable[ActionResult]]:
    async def endpoint(
        comment_id: str,
        ctx: Ctx,
        who: Moderator,
        data: Annotated[ActionIn | None, Body()] = None,
    ) -> ActionResult:
        return await moderation.act(
            ctx,
            comment_id=comment_id,
            action=action,
            reason=data.reason if data else None,
            who=who,
            expected_status=data.expected_status if data else None,
        )

    endpoint.__name__ = f"{action}_comment"
    return endpoint


# One path per action (not /{action}), so other methods on /history etc. are a clean 405.
for _action in ("approve", "spam", "restore"):
    moderation_router.post(f"/comments/{{comment_id}}/{_action}")(_simple_action(_action))


@moderation_router.get("/comments/{comment_id}/history")
async def comment_history(comment_id: str, ctx: Ctx, _: Moderator) -> AuditPage:
    return await moderation.history(ctx, comment_id=comment_id)


@moderation_router.get("/bans")
async def list_bans(ctx: Ctx, _: Moderator, limit: Limit = 50, cursor: Cursor = None) -> BanPage:
    return await policy.list_bans(ctx, limit=limit, cursor=cursor)


@moderation_router.post("/bans", status_code=201)
async def create_ban(data: BanIn, request: Request, ctx: Ctx, who: Moderator) -> BanOut:
    return await policy.ban(ctx, data=data, who=who, arabic=prefers_arabic(request))


@moderation_router.delete("/bans/{ban_id}", status_code=204)
async def delete_ban(ban_id: str, ctx: Ctx, _: Moderator) -> Response:
    await policy.unban(ctx, ban_id=ban_id)
    return Response(status_code=204)


@moderation_router.put("/articles/{article_id}/premoderation")
async def premoderate_article(
    article_id: str, data: PremoderationIn, ctx: Ctx, _: Moderator
) -> dict[str, object]:
    return await policy.set_premoderation(ctx, article_id=article_id, enabled=data.enabled)


@moderation_router.get("/words/suggest")
async def suggest_word_forms(
    request: Request,
    _: Moderator,
    word: Annotated[str, Query(min_length=1, max_length=100)],
) -> WordSuggestion:
    return policy.suggest_forms(word, arabic=prefers_arabic(request))


@moderation_router.get("/settings")
async def get_settings(ctx: Ctx, _: Admin) -> Policy:
    return await policy.get_settings(ctx)


@moderation_router.put("/settings")
async def put_settings(data: SettingsIn, ctx: Ctx, _: Admin) -> Policy:
    return await policy.put_settings(ctx, data=data)
