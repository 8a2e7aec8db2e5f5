"""Response models of the related service."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel


class Reasons(BaseModel):
    """Why an article is related: top shared terms (as written), shared tags, same category."""

    terms: list[str]
    tags: list[str]
    same_category: bool


class RelatedItem(BaseModel):
    article_id: str
    slug: str
    title: str
    score: float
    reasons: Reasons
    source: Literal["lexical", "semantic", "both"] = "lexical"  # which side found it


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
