"""Response models of the related service."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from shared.events import Image


class Reasons(BaseModel):
    """Why an article is related: top shared terms (as written), shared tags, same category."""

    terms: list[str]
    tags: list[str]
    same_category: bool


class CategoryRef(BaseModel):
    slug: str
    name: str


class Card(BaseModel):
    """What a page shows of an article in a box or a result list (no call per item)."""

    id: str
    slug: str
    title: str
    summary: str = ""
    published_at: datetime | None = None
    category: CategoryRef | None = None
    breadcrumb: list[CategoryRef] = []
    lead_image: Image | None = None


class RelatedItem(Card):
    score: float
    reasons: Reasons
    source: Literal["lexical", "semantic", "both"] = "lexical"  # which side found it


class SearchItem(Card):
    """A search result: the article's card, its score, a plain-text snippet and the [start, end)
    character offsets of the matched words inside the snippet."""

    score: float
    snippet: str
    highlights: list[tuple[int, int]]


class SearchPage(BaseModel):
    items: list[SearchItem]
    next_cursor: str | None


class RelatedList(BaseModel):
    article_id: str
    items: list[RelatedItem]
    computed_at: datetime | None = None


JobStatus = Literal["queued", "running", "succeeded", "failed"]


class RebuildJob(BaseModel):
    """A rebuild's state and progress (`processed` of `total` in the current `phase`)."""

    job_id: str
    status: JobStatus
    phase: str
    processed: int
    total: int | None
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    requested_by: str | None = None
    result: dict[str, int] | None = None
