"""Admin endpoints every service has: outbox replay and recovery after a Redis data loss."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from shared.auth import Principal, require
from shared.moments import Moment
from shared.runtime import Runtime

router = APIRouter(tags=["admin"])
Admin = Annotated[Principal, Depends(require("admin"))]


class Since(BaseModel):
    since: Moment = Field(description="ISO datetime with a time zone")


class Replayed(BaseModel):
    republished: int


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.post("/admin/outbox/replay", response_model=Replayed)
async def replay_outbox(body: Since, request: Request, _: Admin) -> Replayed:
    """Publish again every event this service wrote since `since` (sent ones included; kept
    `outbox_keep_sent_days`). Consumers' inboxes drop what they had already applied."""
    since: datetime = body.since
    return Replayed(republished=await _runtime(request).replay_outbox(since))


@router.post("/admin/recover")
async def recover(request: Request, admin: Admin) -> dict[str, Any]:
    """What the service does by itself when it sees Redis lost data: replay the outbox
    window and rebuild its read models from their owners. Answers the counts."""
    return await _runtime(request).recovery.run(f"requested by {admin.name}")
