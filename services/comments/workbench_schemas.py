"""Models of the moderators' page: the searchable queue, tab counts, live changes, the dry run."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from services.comments.schemas import Id, QueueStatus, RequestModel, Text
from shared.moments import UtcMoment


class ArticleRef(BaseModel):
    """The article a comment is on, as the read model knows it (title current)."""

    id: str
    slug: str | None = None
    title: str | None = None
    url: str | None = None
    deleted: bool = False


class ReportReason(BaseModel):
    reason: str  # as the readers wrote it; "" when they gave none
    count: int


class QueueItem(BaseModel):
    """A comment as moderators see it, with the email and the author's history."""

    id: str
    article_id: str
    article: ArticleRef | None = None
    parent_id: str | None
    author_name: str
    author_email: str
    body: str
    status: str
    previous_status: str | None
    reasons: list[str]
    details: dict[str, Any]
    report_count: int
    report_reasons: list[ReportReason] = []
    author_history: dict[str, int]
    author_banned: bool = False
    moderation_reason: str | None = None
    actions: list[str] = []  # the transitions valid from the current status
    version: int = 0
    created_at: datetime
    updated_at: datetime


class QueuePage(BaseModel):
    items: list[QueueItem]
    next_cursor: str | None


class QueueFilters(RequestModel):
    """The moderators' queue: one status, optional search filters, paged."""

    status: QueueStatus = "pending"
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    author: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    email: Annotated[EmailStr, StringConstraints(max_length=254)] | None = None
    article_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )
    reason: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")] | None = None
    since: UtcMoment | None = None
    until: UtcMoment | None = None
    sort: Literal["oldest", "newest"] = "oldest"
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: Annotated[str, StringConstraints(max_length=512)] | None = None


class Counts(BaseModel):
    pending: int
    reported: int
    spam: int
    rejected: int
    approved: int


class Change(BaseModel):
    id: str
    status: str
    version: int
    updated_at: datetime


class ChangesOut(BaseModel):
    """What changed since the page's cursor: new items for its view, every status change."""

    items: list[QueueItem]
    changed: list[Change]
    counts: Counts
    cursor: str
    more: bool


class Me(BaseModel):
    name: str
    role: str


class DryRunIn(RequestModel):
    """A text to put through the pipeline without storing anything."""

    body: Annotated[Text, StringConstraints(max_length=5000)]
    author_name: Annotated[str, StringConstraints(max_length=100)] = ""
    author_email: EmailStr | None = None
    article_id: Id | None = None
    website: Annotated[str, StringConstraints(max_length=500)] = ""
    policy: dict[str, Any] | None = None  # unsaved settings to try (validated like PUT)


class StepOut(BaseModel):
    step: str
    status: str | None  # None: the step had nothing to say
    reasons: list[str]
    details: dict[str, Any]
    counted: bool = False  # the final decision carries this step's reasons


class DryRunOut(BaseModel):
    status: str  # what would be stored, or "refused"
    public_status: str | None  # what the writer would be told
    http_status: int
    reasons: list[str]
    details: dict[str, Any]
    steps: list[StepOut]
    stored: bool = False
