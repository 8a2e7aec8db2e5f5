"""HTTP routes of the moderators' page itself and what it polls: the page and its assets, who,
tab counts, live changes, the settings schema and the dry run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from services.comments import dryrun, workbench
from services.comments.deps import (
    Admin,
    ArabicDep,
    ClientsDep,
    Moderator,
    RepoDep,
    StoreDep,
    WorkbenchDep,
)
from services.comments.domain import Policy
from services.comments.workbench_schemas import (
    ChangesOut,
    Counts,
    DryRunIn,
    DryRunOut,
    Me,
    QueueFilters,
)
from shared.errors import not_found

router = APIRouter(prefix="/moderation", tags=["moderation"])
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


@router.get("", include_in_schema=False)
async def moderation_page() -> FileResponse:
    """The moderators' page; public HTML, every call it makes needs the moderator token."""
    return FileResponse(
        STATIC / "moderation.html", media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS
    )


@router.get("/assets/{name}", include_in_schema=False)
async def moderation_asset(name: str) -> FileResponse:
    if name not in _ASSETS:
        raise not_found()
    return FileResponse(STATIC / name, media_type=_ASSETS[name], headers=_PAGE_HEADERS)


@router.get("/me")
async def me(who: Moderator) -> Me:
    """Who the token belongs to, so the page shows only what the role may use."""
    return Me(name=who.name, role=who.role)


@router.get("/counts")
async def counts(_: Moderator, store: StoreDep) -> Counts:
    """Comments per status, for the tabs."""
    return await workbench.counts(store)


@router.get("/changes")
async def changes(
    query: Annotated[QueueFilters, Query()], _: Moderator, arabic: ArabicDep, wb: WorkbenchDep
) -> ChangesOut:
    """Short polling: what changed since `cursor` (the first call only gives a cursor).

    Read from the comments' own `updated_at` index, so every replica answers the same.
    """
    return await workbench.changes(wb, query=query, arabic=arabic)


@router.get("/settings/schema")
async def settings_schema(_: Admin) -> dict[str, Any]:
    """The policy's JSON Schema: the settings screen renders its fields from it."""
    return Policy.model_json_schema()


@router.post("/settings/test")
async def test_text(
    data: DryRunIn, _: Moderator, arabic: ArabicDep, repo: RepoDep, clients: ClientsDep
) -> DryRunOut:
    """Run the pipeline on a text without storing or emitting anything."""
    return await dryrun.dry_run(repo, clients, data=data, arabic=arabic)
