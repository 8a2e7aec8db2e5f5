"""What routes take, as `Annotated` aliases: principals, the repository and the queue's reads,
the unit of work, the client hashing, settings, and the request's id, client IP and language.

Routes list their parameters in one order: what the client sent (path, query, body), the
principal, the request's language, client IP and id, then the service's parts, settings last
(parameters with a default after all of them, as Python wants).

Every dependency is `async def`: FastAPI runs a plain `def` one in its thread pool, a thread
hop (and a wait for the GIL) per dependency per request (seven on a submission).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.comments.clients import Clients
from services.comments.config import Settings
from services.comments.context import Context
from services.comments.queries import QueueStore
from services.comments.repository import CommentRepository
from services.comments.workbench import Workbench
from shared.auth import Principal, require
from shared.errors import prefers_arabic
from shared.http import request_id_var
from shared.unit_of_work import UnitOfWork


def _context(request: Request) -> Context:
    ctx: Context = request.app.state.comments
    return ctx


async def _repo(request: Request) -> CommentRepository:
    return _context(request).repo


async def _store(request: Request) -> QueueStore:
    return _context(request).store


async def _uow(request: Request) -> UnitOfWork:
    return _context(request).runtime


async def _submissions(request: Request) -> UnitOfWork:
    return _context(request).submissions


async def _clients(request: Request) -> Clients:
    return _context(request).clients


async def _workbench(request: Request) -> Workbench:
    ctx = _context(request)
    return Workbench(ctx.store, ctx.clients, ctx.settings.article_url)


async def _settings(request: Request) -> Settings:
    return _context(request).settings


async def _request_id() -> str | None:
    """The id the request middleware accepted or made (the events' correlation id)."""
    return request_id_var.get()


async def _client_ip(request: Request) -> str | None:
    """The writer's IP: the first X-Forwarded-For hop behind the gateway, else the peer."""
    forwarded = request.headers.get("x-forwarded-for", "")
    if _context(request).settings.trust_proxy and forwarded.strip():
        return forwarded.split(",")[0].strip()[:64]
    return request.client.host if request.client else None


async def _arabic(request: Request) -> bool:
    return prefers_arabic(request)


Moderator = Annotated[Principal, Depends(require("moderator"))]
Admin = Annotated[Principal, Depends(require("admin"))]
RepoDep = Annotated[CommentRepository, Depends(_repo)]
StoreDep = Annotated[QueueStore, Depends(_store)]
UowDep = Annotated[UnitOfWork, Depends(_uow)]
SubmitUowDep = Annotated[UnitOfWork, Depends(_submissions)]  # group commit (group.py)
ClientsDep = Annotated[Clients, Depends(_clients)]
WorkbenchDep = Annotated[Workbench, Depends(_workbench)]
SettingsDep = Annotated[Settings, Depends(_settings)]
RequestIdDep = Annotated[str | None, Depends(_request_id)]
ClientIpDep = Annotated[str | None, Depends(_client_ip)]
ArabicDep = Annotated[bool, Depends(_arabic)]
