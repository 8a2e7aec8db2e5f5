"""Request and response models; requests reject unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from services.comments.domain import Policy
from services.comments.lifecycle import REJECT_REASONS
from shared.arabic import word_key
from shared.moments import UtcMoment

RejectReason = Literal[
    "abusive", "off_topic", "spam_like", "personal_data", "illegal", "duplicate", "other"
]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def _has_letters(value: str) -> str:
    """A listed word or phrase must keep a letter or digit once folded (not "!!!" or "🙂")."""
    if not word_key(value):
        raise PydanticCustomError("no_letters", "must contain a letter or a digit")
    return value


ListedText = Annotated[Word, AfterValidator(_has_letters)]
Phrase = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_has_letters),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommentIn(_Request):
    author_name: Annotated[Text, StringConstraints(max_length=100)]
    author_email: Annotated[EmailStr, StringConstraints(max_length=254)]
    body: Annotated[Text, StringConstraints(max_length=5000)]
    parent_id: Id | None = None
    # Honeypot: hidden from people by the page's CSS; bots fill it in.
    website: Annotated[str, StringConstraints(max_length=500)] = ""


class SubmitOut(BaseModel):
    id: str
    article_id: str
    parent_id: str | None
    status: str
    message: str
    message_ar: str
    created_at: datetime


class PublicComment(BaseModel):
    """A comment as readers see it: never the email or any hash of it."""

    id: str
    article_id: str
    parent_id: str | None
    author_name: str
    body: str
    created_at: datetime
    replies: list[PublicComment] = []


class CommentPage(BaseModel):
    items: list[PublicComment]
    next_cursor: str | None
    count: int


class ReportIn(_Request):
    reader_key: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=8, max_length=128)
    ]
    reason: Annotated[str, StringConstraints(max_length=200)] | None = None


class ReportOut(BaseModel):
    id: str
    reported: bool
    message: str
    message_ar: str


class ActionIn(_Request):
    reason: Word | None = None


class RejectIn(_Request):
    reason: RejectReason


class BulkIn(_Request):
    ids: Annotated[list[Id], Field(min_length=1, max_length=100)]
    action: Literal["approve", "reject", "spam", "restore"]
    reason: Word | None = None

    @model_validator(mode="after")
    def _reject_needs_reason(self) -> BulkIn:
        if self.action == "reject" and self.reason not in REJECT_REASONS:
            raise PydanticCustomError("literal_error", "reject needs a reason code")
        return self


class BanIn(_Request):
    email: EmailStr
    reason: Annotated[str, StringConstraints(max_length=200)] | None = None
    expires_at: UtcMoment | None = None


class PremoderationIn(_Request):
    enabled: StrictBool


class ListedWordIn(_Request):
    """One listed word: spam or hold, and the other forms (broken plurals) it takes."""

    word: ListedText
    action: Literal["spam", "hold"] = "hold"
    forms: Annotated[list[ListedText], Field(max_length=20)] = []


class SettingsIn(_Request):
    """PUT replaces only the fields it names."""

    premoderation: StrictBool | None = None
    default_status: Literal["pending", "approved"] | None = None
    trusted_author_autoapprove: StrictBool | None = None
    link_limit: Annotated[StrictInt, Field(ge=0, le=100)] | None = None
    banned_words: Annotated[list[Word], Field(max_length=5000)] | None = None
    suspect_words: Annotated[list[Word], Field(max_length=5000)] | None = None
    words: Annotated[list[ListedWordIn], Field(max_length=5000)] | None = None
    allowed_phrases: Annotated[list[Phrase], Field(max_length=1000)] | None = None
    flood_interval_seconds: Annotated[StrictInt, Field(ge=0, le=86_400)] | None = None
    report_threshold: Annotated[StrictInt, Field(ge=1, le=1000)] | None = None


class WordSuggestion(BaseModel):
    """Forms of a word for the settings screen: covered automatically, and to confirm."""

    word: str
    key: str
    automatic: list[str]
    broken_plural_candidates: list[str]


class QueueItem(BaseModel):
    """A comment as moderators see it, with the email and the author's history."""

    id: str
    article_id: str
    parent_id: str | None
    author_name: str
    author_email: str
    body: str
    status: str
    previous_status: str | None
    reasons: list[str]
    details: dict[str, Any]
    report_count: int
    author_history: dict[str, int]
    created_at: datetime
    updated_at: datetime


class QueuePage(BaseModel):
    items: list[QueueItem]
    next_cursor: str | None


class ActionResult(BaseModel):
    id: str
    ok: bool
    status: str | None = None
    error: str | None = None


class BulkOut(BaseModel):
    results: list[ActionResult]


class AuditRecord(BaseModel):
    comment_id: str
    at: datetime
    actor: str
    action: str
    from_status: str
    to_status: str
    reason: str | None
    reasons: list[str] = []


class AuditPage(BaseModel):
    items: list[AuditRecord]


class BanOut(BaseModel):
    id: str
    email: str
    reason: str | None
    expires_at: datetime | None
    created_at: datetime
    created_by: str


class BanPage(BaseModel):
    items: list[BanOut]


SettingsOut = Policy
