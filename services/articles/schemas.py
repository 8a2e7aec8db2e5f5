"""Request and response models of the articles API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from shared.events import Block, CategoryRef
from shared.moments import Moment

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BlockIn(_Request):
    type: Literal["paragraph", "heading"]
    text: Text


class ArticleCreate(_Request):
    title: Title
    body: Annotated[list[BlockIn], Field(min_length=1, max_length=2000)]
    summary: Summary = ""
    category: Slug | None = None
    tags: Annotated[list[Tag], Field(max_length=30)] = []
    author: Name | None = None
    language: Language = "ar"
    comments_open: StrictBool = True
    slug: Slug | None = None


class ArticlePatch(_Request):
    """Only the fields sent change; `category` and `author` may be set to null."""

    title: Title | None = None
    body: Annotated[list[BlockIn], Field(min_length=1, max_length=2000)] | None = None
    summary: Summary | None = None
    category: Slug | None = None
    tags: Annotated[list[Tag], Field(max_length=30)] | None = None
    author: Name | None = None
    language: Language | None = None
    comments_open: StrictBool | None = None
    slug: Slug | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> ArticlePatch:
        nullable = {"category", "author", "slug"}
        for name in self.model_fields_set - nullable:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        if not self.model_fields_set:
            raise ValueError("nothing to update")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(mode="json", include=self.model_fields_set)


class ScheduleIn(_Request):
    publish_at: Moment


class CategoryCreate(_Request):
    name: Name
    slug: Slug | None = None
    parent: Slug | None = None


class CategoryOut(BaseModel):
    slug: str
    name: str
    parent: str | None
    path: list[str]
    breadcrumb: list[CategoryRef]


class CategoryList(BaseModel):
    items: list[CategoryOut]
    next_cursor: str | None = None


class ArticleSummary(BaseModel):
    id: str
    slug: str
    title: str
    summary: str
    category: CategoryRef | None
    breadcrumb: list[CategoryRef]
    tags: list[str]
    author: str | None
    language: str
    status: str
    comments_open: bool
    comment_count: int
    published_at: datetime | None
    updated_at: datetime | None
    version: int


class ArticleOut(ArticleSummary):
    body: list[Block]
    publish_at: datetime | None
    created_at: datetime


class ArticleList(BaseModel):
    items: list[ArticleSummary]
    next_cursor: str | None


def article_out(doc: dict[str, Any], model: type[ArticleSummary] = ArticleOut) -> Any:
    """Response model of a stored article document."""
    breadcrumb = doc.get("breadcrumb") or []
    return model.model_validate(
        {
            **doc,
            "id": doc["_id"],
            "category": breadcrumb[-1] if breadcrumb else None,
            "breadcrumb": breadcrumb,
            "publish_at": doc.get("publish_at"),
        }
    )


def category_out(doc: dict[str, Any]) -> CategoryOut:
    return CategoryOut.model_validate({**doc, "slug": doc["_id"]})
