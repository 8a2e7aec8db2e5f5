"""Request and response models of the articles API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)

from services.articles.domain import author_ref
from services.articles.presentation import display_summary, is_image_src, reading_time_minutes
from shared.events import BodyBlock, CategoryRef, Image
from shared.moments import Moment

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Caption = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


def _image_src(value: str) -> str:
    if not is_image_src(value):
        raise ValueError("must be an http(s) URL or a site-relative path starting with /")
    return value


ImageSrc = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_image_src)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ImageIn(_Request):
    """An image: `src` is an http(s) URL or a site-relative path; caption, credit, alt text."""

    src: ImageSrc
    caption: Caption | None = None
    credit: Caption | None = None
    alt: Caption | None = None


class BlockIn(_Request):
    """A paragraph or heading (`text`), or an image (`src`, `caption`, `credit`, `alt`)."""

    type: Literal["paragraph", "heading", "image"]
    text: Text | None = None
    src: ImageSrc | None = None
    caption: Caption | None = None
    credit: Caption | None = None
    alt: Caption | None = None

    @model_validator(mode="after")
    def _fields_of_type(self) -> BlockIn:
        image = self.type == "image"
        if image and (self.src is None or self.text is not None):
            raise ValueError("an image block has src (required), caption, credit, alt; no text")
        if not image and (
            self.text is None or {"src", "caption", "credit", "alt"} & self.model_fields_set
        ):
            raise ValueError("a paragraph or heading block has text only")
        return self

    def stored(self) -> dict[str, Any]:
        """The block as kept: text blocks {type, text}; images with all four image fields."""
        if self.type == "image":
            return self.model_dump(exclude={"text"})
        return {"type": self.type, "text": self.text}


class ArticleCreate(_Request):
    title: Title
    body: Annotated[list[BlockIn], Field(min_length=1, max_length=2000)]
    summary: Summary = ""
    lead_image: ImageIn | None = None
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
    lead_image: ImageIn | None = None
    category: Slug | None = None
    tags: Annotated[list[Tag], Field(max_length=30)] | None = None
    author: Name | None = None
    language: Language | None = None
    comments_open: StrictBool | None = None
    slug: Slug | None = None

    @model_validator(mode="after")
    def _no_null_for_required(self) -> ArticlePatch:
        nullable = {"category", "author", "slug", "lead_image"}
        for name in self.model_fields_set - nullable:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        if not self.model_fields_set:
            raise ValueError("nothing to update")
        return self

    def changes(self) -> dict[str, Any]:
        changed = self.model_dump(mode="json", include=self.model_fields_set)
        if self.body is not None:
            changed["body"] = [block.stored() for block in self.body]
        return changed


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


class AuthorRef(BaseModel):
    name: str
    slug: str


class ArticleSummary(BaseModel):
    id: str
    slug: str
    title: str
    summary: str = Field(description="never empty: the excerpt when no summary was written")
    summary_is_excerpt: bool
    lead_image: Image | None
    category: CategoryRef | None
    breadcrumb: list[CategoryRef]
    tags: list[str]
    author: AuthorRef | None
    reading_time_minutes: int = Field(ge=1)
    language: str
    status: str
    comments_open: bool
    comment_count: int
    published_at: datetime | None
    updated_at: datetime | None
    version: int


class ArticleOut(ArticleSummary):
    body: list[BodyBlock]
    publish_at: datetime | None
    created_at: datetime


class ArticleList(BaseModel):
    items: list[ArticleSummary]
    next_cursor: str | None


class TagCount(BaseModel):
    tag: str
    count: int


class TagList(BaseModel):
    items: list[TagCount]
    next_cursor: str | None


def article_out(doc: dict[str, Any], model: type[ArticleSummary] = ArticleOut) -> Any:
    """Response model of a stored article document."""
    breadcrumb = doc.get("breadcrumb") or []
    summary, is_excerpt = display_summary(doc)
    minutes = doc.get("reading_time_minutes") or reading_time_minutes(doc.get("body") or [])
    return model.model_validate(
        {
            **doc,
            "id": doc["_id"],
            "summary": summary,
            "summary_is_excerpt": is_excerpt,
            "lead_image": doc.get("lead_image"),
            "author": author_ref(doc.get("author")),
            "reading_time_minutes": minutes,
            "category": breadcrumb[-1] if breadcrumb else None,
            "breadcrumb": breadcrumb,
            "publish_at": doc.get("publish_at"),
        }
    )


def category_out(doc: dict[str, Any]) -> CategoryOut:
    return CategoryOut.model_validate({**doc, "slug": doc["_id"]})
