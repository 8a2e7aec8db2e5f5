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
    ValidationInfo,
    field_validator,
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


QueueStatus = Literal["pending", "spam", "rejected", "reported", "approved"]


class ActionIn(_Request):
    reason: Word | None = None
    # Act only if the comment is still in this status (the page's undo uses it): else 409.
    expected_status: QueueStatus | None = None


class RejectIn(_Request):
    reason: RejectReason
    expected_status: QueueStatus | None = None


class BulkIn(_Request):
    ids: Annotated[list[Id], Field(min_length=1, max_length=100)]
    action: Literal["approve", "reject", "spam", "restore"]
    reason: Word | None = Field(default=None, validate_default=True)

    @field_validator("reason")
    @classmethod
    def _reject_needs_reason(cls, reason: str | None, info: ValidationInfo) -> str | None:
        """A rejection names one of the reason codes; the error names `reason`."""
        if info.data.get("action") == "reject" and reason not in REJECT_REASONS:
            kind = "missing" if reason is None else "literal_error"
            raise PydanticCustomError(kind, "reject needs a reason code")
        return reason


class BanIn(_Request):
    """Ban an author by email, or the author of a comment (`comment_id`): exactly one."""

    email: EmailStr | None = None
    comment_id: Id | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
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
    next_cursor: str | None = None


class QueueFilters(_Request):
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


class DryRunIn(_Request):
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


SettingsOut = Policy
