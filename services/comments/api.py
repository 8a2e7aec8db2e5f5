"""HTTP routes of readers, writers and moderators, thin: parse, call one use case, shape the
answer. The moderators' page itself and what it polls are in workbench_api.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request, Response

from services.comments import moderation, policy, service, workbench
from services.comments.deps import (
    Admin,
    ArabicDep,
    ClientIpDep,
    ClientsDep,
    Moderator,
    RepoDep,
    RequestIdDep,
    SettingsDep,
    StoreDep,
    SubmitUowDep,
    UowDep,
    WorkbenchDep,
)
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
    RejectIn,
    ReportIn,
    ReportOut,
    SettingsIn,
    SubmitOut,
    WordSuggestion,
)
from services.comments.workbench_schemas import QueueFilters, QueuePage
from shared.cache import cached_json
from shared.errors import invalid_field, prefers_arabic

Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=512)]

router = APIRouter(tags=["comments"])
moderation_router = APIRouter(prefix="/moderation", tags=["moderation"])


@router.post("/articles/{article_id}/comments", status_code=201)
async def submit_comment(
    article_id: str,
    data: CommentIn,
    arabic: ArabicDep,
    client_ip: ClientIpDep,
    request_id: RequestIdDep,
    repo: RepoDep,
    uow: SubmitUowDep,
    clients: ClientsDep,
    settings: SettingsDep,
) -> SubmitOut:
    return await service.submit(
        repo,
        uow,
        clients,
        article_id=article_id,
        data=data,
        client_ip=client_ip,
        arabic=arabic,
        max_depth=settings.max_depth,
        request_id=request_id,
    )


@router.get("/articles/{article_id}/comments", response_model=CommentPage)
async def list_comments(
    article_id: str,
    request: Request,
    repo: RepoDep,
    settings: SettingsDep,
    sort: Literal["oldest", "newest"] = "oldest",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    async def render() -> tuple[CommentPage, set[str]]:
        page, resolved = await service.list_public(
            repo,
            article_id=article_id,
            newest=sort == "newest",
            limit=limit,
            cursor=cursor,
            max_replies=settings.max_replies,
        )
        return page, {article_id, resolved}  # a slug's entry goes with the article's events

    key = f"comments:{article_id}:{sort}:{limit}:{cursor}"
    return await cached_json(request, request.app.state.read_cache, key, render)


@router.post("/comments/{comment_id}/report")
async def report_comment(
    comment_id: str,
    data: ReportIn,
    client_ip: ClientIpDep,
    request_id: RequestIdDep,
    repo: RepoDep,
    uow: UowDep,
    clients: ClientsDep,
) -> ReportOut:
    return await service.report(
        repo,
        uow,
        clients,
        comment_id=comment_id,
        data=data,
        client_ip=client_ip,
        request_id=request_id,
    )


@moderation_router.get("/queue")
async def get_queue(
    query: Annotated[QueueFilters, Query()], _: Moderator, arabic: ArabicDep, wb: WorkbenchDep
) -> QueuePage:
    """One status, searched: text, author name, email, article, reason code, date range."""
    return await workbench.queue(wb, query=query, arabic=arabic)


@moderation_router.post("/comments/bulk")
async def bulk_action(
    data: BulkIn, who: Moderator, request_id: RequestIdDep, repo: RepoDep, uow: UowDep
) -> BulkOut:
    results = await moderation.bulk(
        repo,
        uow,
        ids=data.ids,
        action=data.action,
        reason=data.reason,
        who=who,
        request_id=request_id,
    )
    return BulkOut(results=results)


@moderation_router.post("/comments/{comment_id}/reject")
async def reject(
    comment_id: str,
    request: Request,
    who: Moderator,
    request_id: RequestIdDep,
    repo: RepoDep,
    uow: UowDep,
    data: Annotated[RejectIn | None, Body()] = None,
) -> ActionResult:
    """A rejection always names its reason: no body is a 422 naming `reason`, not a default."""
    if data is None:
        raise invalid_field(
            "reason", "This field is required.", "هذا الحقل مطلوب.", prefers_arabic(request)
        )
    return await moderation.act(
        repo,
        uow,
        comment_id=comment_id,
        action="reject",
        reason=data.reason,
        who=who,
        expected_status=data.expected_status,
        request_id=request_id,
    )


def _simple_action(action: str) -> Callable[..., Awaitable[ActionResult]]:
    async def endpoint(
        comment_id: str,
        who: Moderator,
        request_id: RequestIdDep,
        repo: RepoDep,
        uow: UowDep,
        data: Annotated[ActionIn | None, Body()] = None,
    ) -> ActionResult:
        return await moderation.act(
            repo,
            uow,
            comment_id=comment_id,
            action=action,
            reason=data.reason if data else None,
            who=who,
            expected_status=data.expected_status if data else None,
            request_id=request_id,
        )

    endpoint.__name__ = f"{action}_comment"
    return endpoint


# One path per action (not /{action}), so other methods on /history etc. are a clean 405.
for _action in ("approve", "spam", "restore"):
    moderation_router.post(f"/comments/{{comment_id}}/{_action}")(_simple_action(_action))


@moderation_router.get("/comments/{comment_id}/history")
async def comment_history(comment_id: str, _: Moderator, repo: RepoDep) -> AuditPage:
    return await moderation.history(repo, comment_id=comment_id)


@moderation_router.get("/bans")
async def list_bans(
    _: Moderator, store: StoreDep, limit: Limit = 50, cursor: Cursor = None
) -> BanPage:
    return await policy.list_bans(store, limit=limit, cursor=cursor)


@moderation_router.post("/bans", status_code=201)
async def create_ban(
    data: BanIn, who: Moderator, arabic: ArabicDep, repo: RepoDep, clients: ClientsDep
) -> BanOut:
    return await policy.ban(repo, clients, data=data, who=who, arabic=arabic)


@moderation_router.delete("/bans/{ban_id}", status_code=204)
async def delete_ban(ban_id: str, _: Moderator, repo: RepoDep) -> Response:
    await policy.unban(repo, ban_id=ban_id)
    return Response(status_code=204)


@moderation_router.put("/articles/{article_id}/premoderation")
async def premoderate_article(
    article_id: str, data: PremoderationIn, _: Moderator, repo: RepoDep
) -> dict[str, object]:
    return await policy.set_premoderation(repo, article_id=article_id, enabled=data.enabled)


@moderation_router.get("/words/suggest")
async def suggest_word_forms(
    word: Annotated[str, Query(min_length=1, max_length=100)],
    _: Moderator,
    arabic: ArabicDep,
) -> WordSuggestion:
    return policy.suggest_forms(word, arabic=arabic)


@moderation_router.get("/settings")
async def get_settings(_: Admin, repo: RepoDep) -> Policy:
    return await policy.get_settings(repo)


@moderation_router.put("/settings")
async def put_settings(data: SettingsIn, _: Admin, repo: RepoDep) -> Policy:
    return await policy.put_settings(repo, data=data)
