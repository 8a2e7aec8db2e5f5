"""Admin recovery routes of the articles service (not routed by the gateway)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, model_validator

from services.articles import recovery
from shared.auth import Principal, require
from shared.errors import peer_unavailable
from shared.moments import Moment
from shared.runtime import Runtime

router = APIRouter(tags=["admin"])
Admin = Annotated[Principal, Depends(require("admin"))]


class Reemit(BaseModel):
    since: Moment | None = None
    ids: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        default=None, max_length=10_000
    )

    @model_validator(mode="after")
    def one_of(self) -> Reemit:
        if (self.since is None) == (not self.ids):
            raise ValueError("give either `since` or a non-empty `ids`")
        return self


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def rebuild_counts(request_or_app: Any) -> dict[str, int]:
    app = getattr(request_or_app, "app", request_or_app)
    settings = app.state.settings
    counts = await recovery.rebuild_comment_counts(
        app.state.runtime, settings.comments_url,
        transport=getattr(app.state, "peer_transport", None), timeout_s=settings.peer_timeout_s,
    )  # fmt: skip
    cache = getattr(app.state, "read_cache", None)
    if cache is not None and counts["articles_changed"]:
        cache.clear()  # counts were set directly, not by events the cache listens to
    return counts


@router.post("/admin/rebuild/comment-counts")
async def rebuild_comment_counts(request: Request, _: Admin) -> dict[str, int]:
    """Recompute every article's comment_count from the comments service's truth."""
    try:
        return await rebuild_counts(request)
    except Exception as exc:
        raise peer_unavailable("comments", "التعليقات") from exc


@router.post("/admin/reemit")
async def reemit(body: Reemit, request: Request, _: Admin) -> dict[str, int]:
    """Emit again the current state of articles changed since `since`, or of `ids`."""
    emitted = await recovery.reemit(_runtime(request), since=body.since, ids=body.ids)
    return {"emitted": emitted}
