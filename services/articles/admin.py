"""Admin recovery routes of the articles service (not routed by the gateway)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field, model_validator

from services.articles import recovery
from services.articles.deps import Admin, Repo, Uow
from shared.admin import from_peer, peer
from shared.moments import Moment

router = APIRouter(tags=["admin"])


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


async def rebuild_counts(app: FastAPI) -> dict[str, int]:
    """Recount comments from the comments service (also run after Redis lost data)."""
    counts = await recovery.rebuild_comment_counts(
        repo=app.state.repository,
        uow=app.state.runtime,
        comments=peer(app, app.state.settings.comments_url),
    )
    if counts["articles_changed"]:
        app.state.read_cache.clear()  # counts were set directly, not by events it listens to
    return counts


@router.post("/admin/rebuild/comment-counts")
async def rebuild_comment_counts(request: Request, _: Admin) -> dict[str, int]:
    """Recompute every article's comment_count from the comments service's truth."""
    return await from_peer(rebuild_counts(request.app), service="comments", service_ar="التعليقات")


@router.post("/admin/reemit")
async def reemit(body: Reemit, repo: Repo, uow: Uow, _: Admin) -> dict[str, int]:
    """Emit again the current state of articles changed since `since`, or of `ids`."""
    emitted = await recovery.reemit(repo=repo, uow=uow, since=body.since, ids=body.ids)
    return {"emitted": emitted}
