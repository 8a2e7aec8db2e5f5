"""What the related routes are given, as `Annotated` aliases: the repository and the search
index they read, the rebuild jobs and who runs them, the read cache, settings, and the admin
principal (bearer auth, shared.auth). Each is a part of the app's `Context` (context.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from services.related.config import Settings
from services.related.context import Context
from services.related.repository import IndexRepository, JobRepository
from services.related.search_index import SearchIndex
from services.related.service import RebuildLauncher
from shared.auth import Principal, require
from shared.cache import ReadCache

T = TypeVar("T")


def _part(of: Callable[[Context], T]) -> Callable[[Request], T]:
    """A dependency giving one part of the app's related Context."""

    def dependency(request: Request) -> T:
        return of(request.app.state.related)

    return dependency


def _read_cache(request: Request) -> ReadCache:
    cache: ReadCache = request.app.state.read_cache
    return cache


Repository = Annotated[IndexRepository, Depends(_part(lambda related: related.repository))]
Search = Annotated[SearchIndex, Depends(_part(lambda related: related.search))]
Jobs = Annotated[JobRepository, Depends(_part(lambda related: related.jobs))]
Launcher = Annotated[RebuildLauncher, Depends(_part(lambda related: related))]
RelatedSettings = Annotated[Settings, Depends(_part(lambda related: related.settings))]
Cache = Annotated[ReadCache, Depends(_read_cache)]
Admin = Annotated[Principal, Depends(require("admin"))]
