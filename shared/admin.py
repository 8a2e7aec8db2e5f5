"""Admin endpoints every service has (outbox replay, recovery after a Redis data loss), and
the pieces of a service's own rebuild-from-a-peer routes: how the app reaches the peer and
the 503 when the peer could not be read."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field

from shared.auth import Admin
from shared.errors import peer_unavailable
from shared.moments import Moment
from shared.peers import Peer
from shared.runtime import Runtime

log = logging.getLogger("akhbar.admin")
T = TypeVar("T")
router = APIRouter(tags=["admin"])


class Since(BaseModel):
    since: Moment = Field(description="ISO datetime with a time zone")


class Replayed(BaseModel):
    republished: int


def _runtime_of(app: FastAPI) -> Runtime:
    runtime: Runtime = app.state.runtime
    return runtime


def _runtime(request: Request) -> Runtime:
    return _runtime_of(request.app)


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


def rebuild_after_loss(
    app: FastAPI, name: str, rebuild: Callable[[FastAPI], Awaitable[dict[str, int]]]
) -> None:
    """Run `rebuild(app)` (a read model rebuilt from a peer) when the service recovers from a
    Redis data loss."""
    app.state.peer_transport = None  # the network; tests put an in-process transport here

    async def hook() -> dict[str, int]:
        return await rebuild(app)

    _runtime_of(app).recovery.add_hook(name, hook)


def peer(app: FastAPI, base_url: str) -> Peer:
    """How `app` reaches the service at `base_url`: the settings' timeout, and the in-process
    transport tests put in `app.state.peer_transport` (None: the network)."""
    return Peer(
        base_url,
        timeout_s=app.state.settings.peer_timeout_s,
        transport=getattr(app.state, "peer_transport", None),
    )


async def from_peer(rebuild: Awaitable[T], *, service: str, service_ar: str) -> T:
    """Await a rebuild that reads another service; 503 `peer_unavailable` when it failed."""
    try:
        return await rebuild
    except Exception as exc:
        log.warning("rebuild from the %s service failed: %s: %s", service, type(exc).__name__, exc)
        raise peer_unavailable(service, service_ar) from exc
