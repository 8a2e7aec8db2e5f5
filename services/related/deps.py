"""What the related routes are given, as `Annotated` aliases: the repository and the search
index they read, the rebuild jobs, settings and the admin principal (bearer auth)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.related.config import Settings
from services.related.context import Context
from services.related.repository import IndexRepository, JobRepository
from services.related.search_index import SearchIndex
from services.related.service import RebuildLauncher
from shared.auth import Principal, require
from shared.cache import ReadCache


def _related(request: Request) -> Context:
    related: Context = request.app.state.related
    return related


def _repository(request: Request) -> IndexRepository:
    return _related(request).repository


def _search(request: Request) -> SearchIndex:
    return _related(request).search


def _jobs(request: Request) -> JobRepository:
    return _related(request).jobs


def _launcher(request: Request) -> RebuildLauncher:
    return _related(request)


def _settings(request: Request) -> Settings:
    return _related(request).settings


def _read_cache(request: Request) -> ReadCache:
    cache: ReadCache = request.app.state.read_cache
    return cache


Repository = Annotated[IndexRepository, Depends(_repository)]
Search = Annotated[SearchIndex, Depends(_search)]
Jobs = Annotated[JobRepository, Depends(_jobs)]
Launcher = Annotated[RebuildLauncher, Depends(_launcher)]
RelatedSettings = Annotated[Settings, Depends(_settings)]
Cache = Annotated[ReadCache, Depends(_read_cache)]
Admin = Annotated[Principal, Depends(require("admin"))]
