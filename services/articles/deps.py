"""What the articles routes take, as `Annotated` aliases (at the bottom): the principals (bearer
tokens through FastAPI's `HTTPBearer`), the repository, the unit of work, the settings and their
limits, the request id, the `If-Match` version, what a versioned write needs, the list query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Header, Query, Request

from services.articles import domain
from services.articles.config import Settings
from services.articles.errors import bad_if_match
from services.articles.repository import ArticleRepository
from shared.auth import Admin, Credentials, Editor, Viewer, authorize
from shared.http import request_id_var
from shared.unit_of_work import UnitOfWork

__all__ = [
    "Admin",
    "ArticleChange",
    "ArticleQuery",
    "ArticleSettings",
    "Change",
    "Editor",
    "Expected",
    "Limits",
    "ListQuery",
    "Repo",
    "RequestId",
    "Uow",
    "Viewer",
]
WorkStatus = Literal["published", "draft", "scheduled", "unpublished", "archived"]


@dataclass(frozen=True)
class ArticleChange:
    """What every versioned write of one article needs: the repository, the unit of work,
    the `If-Match` version (None: any) and the request id its event carries."""

    repo: ArticleRepository
    uow: UnitOfWork
    expected: int | None
    correlation_id: str | None


@dataclass(frozen=True)
class ArticleQuery:
    """The query of `GET /articles`."""

    status: str
    category: str | None
    tag: str | None
    limit: int
    cursor: str | None


def _repository(request: Request) -> ArticleRepository:
    repo: ArticleRepository = request.app.state.repository
    return repo


def _unit_of_work(request: Request) -> UnitOfWork:
    uow: UnitOfWork = request.app.state.runtime  # Runtime is the MongoDB + outbox unit of work
    return uow


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _limits(settings: ArticleSettings) -> domain.Limits:
    return settings.limits()


def _request_id(request: Request) -> str | None:
    """The id the request came with (or was given by the middleware): events' correlation id."""
    return request_id_var.get()


def _expected_version(
    _: Editor,  # authenticate before parsing the header (same cached dependency)
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> int | None:
    try:
        return domain.parse_if_match(if_match)
    except ValueError as exc:
        raise bad_if_match() from exc


def _article_change(
    repo: Repo, uow: Uow, expected: Expected, request_id: RequestId
) -> ArticleChange:
    return ArticleChange(repo, uow, expected, request_id)


async def _article_query(
    request: Request,
    credentials: Credentials,
    category: str | None = None,
    tag: str | None = None,
    status: WorkStatus = "published",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> ArticleQuery:
    """The list's query; any status but published is the editors' worklist (401, 403)."""
    if status != domain.PUBLISHED:
        authorize(request, credentials, "editor")
    return ArticleQuery(status, category, tag, limit, cursor)


Repo = Annotated[ArticleRepository, Depends(_repository)]
Uow = Annotated[UnitOfWork, Depends(_unit_of_work)]
ArticleSettings = Annotated[Settings, Depends(_settings)]
Limits = Annotated[domain.Limits, Depends(_limits)]
RequestId = Annotated[str | None, Depends(_request_id)]
Expected = Annotated[int | None, Depends(_expected_version)]
Change = Annotated[ArticleChange, Depends(_article_change)]
ListQuery = Annotated[ArticleQuery, Depends(_article_query)]
