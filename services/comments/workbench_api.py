"""HTTP routes of the moderators' page beyond the queue: counts, live changes, who, dry run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from services.comments import dryrun, workbench
from services.comments.api import Admin, Ctx, Moderator
from services.comments.domain import Policy
from services.comments.schemas import ChangesOut, Counts, DryRunIn, DryRunOut, Me, QueueFilters
from shared.auth import Principal, require
from shared.errors import prefers_arabic

router = APIRouter(prefix="/moderation", tags=["moderation"])
Cursor = Annotated[str | None, Query(max_length=512)]


@router.get("/me")
async def me(who: Annotated[Principal, Depends(require("moderator"))]) -> Me:
    """Who the token belongs to, so the page shows only what the role may use."""
    return Me(name=who.name, role=who.role)


@router.get("/counts")
async def counts(ctx: Ctx, _: Moderator) -> Counts:
    """Comments per status, for the tabs."""
    return await workbench.counts(ctx)


@router.get("/changes")
async def changes(
    query: Annotated[QueueFilters, Query()], request: Request, ctx: Ctx, _: Moderator
) -> ChangesOut:
    """Short polling: what changed since `cursor` (the first call only gives a cursor).

    Read from the comments' own `updated_at` index, so every replica answers the same.
    """
    return await workbench.changes(
        ctx,
        cursor=query.cursor,
        query=query.model_copy(update={"cursor": None}),
        arabic=prefers_arabic(request),
    )


@router.get("/settings/schema")
async def settings_schema(_: Admin) -> dict[str, Any]:
    """The policy's JSON Schema: the settings screen renders its fields from it."""
    return Policy.model_json_schema()


@router.post("/settings/test")
async def test_text(data: DryRunIn, request: Request, ctx: Ctx, _: Moderator) -> DryRunOut:
    """Run the pipeline on a text without storing or emitting anything."""
    return await dryrun.dry_run(ctx, data=data, arabic=prefers_arabic(request))
