"""Request and response models; requests reject unknown fields."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

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

from services.comments.lifecycle import REJECT_REASONS, Action, RejectReason
from shared.arabic import word_key
from shared.moments import UtcMoment

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

_HOST_RE = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]")


def _host(value: str) -> str:
    """A news site as its host name: a pasted address keeps its host (no scheme, `www.`,
    path or port), lower case; anything else is refused."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value.lower()).split("/")[0].split(":")[0]
    host = host.removeprefix("www.")
    if len(host) > 253 or not _HOST_RE.fullmatch(host):
        raise PydanticCustomError(
            "not_a_host", "must be a host name such as example.com (an Arabic domain in punycode)"
        )
    return host


Site = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(_host),
]


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CommentIn(RequestModel):
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
    """A comment as readers see it: never the email or any hash of it. A thread start that
    was hidden after replies to it were approved is `removed` (no name, no body): its
    approved replies stay under it."""

    id: str
    article_id: str
    parent_id: str | None
    author_name: str | None
    body: str | None
    removed: bool = False
    created_at: datetime
    replies: list[PublicComment] = []


class CommentPage(BaseModel):
    items: list[PublicComment]
    next_cursor: str | None
    count: int


class ReportIn(RequestModel):
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


class ActionIn(RequestModel):
    reason: Word | None = None
    # Act only if the comment is still in this status (the page's undo uses it): else 409.
    expected_status: QueueStatus | None = None


class RejectIn(RequestModel):
    reason: RejectReason
    expected_status: QueueStatus | None = None


class BulkIn(RequestModel):
    ids: Annotated[list[Id], Field(min_length=1, max_length=100)]
    action: Action
    reason: Word | None = Field(default=None, validate_default=True)

    @field_validator("reason")
    @classmethod
    def _reject_needs_reason(cls, reason: str | None, info: ValidationInfo) -> str | None:
        """A rejection names one of the reason codes; the error names `reason`."""
        if info.data.get("action") == "reject" and reason not in REJECT_REASONS:
            kind = "missing" if reason is None else "literal_error"
            raise PydanticCustomError(kind, "reject needs a reason code")
        return reason


class BanIn(RequestModel):
    """Ban an author by email, or the author of a comment (`comment_id`): exactly one."""

    email: EmailStr | None = None
    comment_id: Id | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    expires_at: UtcMoment | None = None


class PremoderationIn(RequestModel):
    enabled: StrictBool


class ListedWordIn(RequestModel):
    """One listed word: spam or hold, and the other forms (broken plurals) it takes."""

    word: ListedText
    action: Literal["spam", "hold"] = "hold"
    forms: Annotated[list[ListedText], Field(max_length=20)] = []
    # A common noun that is also an insult (an animal): it counts only in an insult frame
    # (addressed, compared, "ibn ...", a predicate of a person, "your ...", alone), so news
    # that names the animal is not held.
    ambiguous: StrictBool = False
    # Spam that is also news (كازينو, مراهنات: gambling is a news topic): it counts only in a
    # comment that looks like an advert (a link, a phone number, a call to action, the spam
    # words three times), so news that names it is not sent to spam.
    advert: StrictBool = False


class SettingsIn(RequestModel):
    """PUT replaces only the fields it names."""

    premoderation: StrictBool | None = None
    default_status: Literal["pending", "approved"] | None = None
    trusted_author_autoapprove: StrictBool | None = None
    link_limit: Annotated[StrictInt, Field(ge=0, le=100)] | None = None
    banned_words: Annotated[list[Word], Field(max_length=5000)] | None = None
    suspect_words: Annotated[list[Word], Field(max_length=5000)] | None = None
    words: Annotated[list[ListedWordIn], Field(max_length=5000)] | None = None
    allowed_phrases: Annotated[list[Phrase], Field(max_length=1000)] | None = None
    news_sites: Annotated[list[Site], Field(max_length=500)] | None = None
    flood_interval_seconds: Annotated[StrictInt, Field(ge=0, le=86_400)] | None = None
    report_threshold: Annotated[StrictInt, Field(ge=1, le=1000)] | None = None


class WordSuggestion(BaseModel):
    """Forms of a word for the settings screen: covered automatically, and to confirm."""

    word: str
    key: str
    automatic: list[str]
    broken_plural_candidates: list[str]


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
