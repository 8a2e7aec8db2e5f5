"""The moderation pipeline: pure, ordered steps over facts the service gathered."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.arabic import HOLD, SPAM, Entry, WordList

Status = Literal["approved", "pending", "spam", "rejected", "reported"]
REFUSED = "refused"  # nothing stored: the writer gets an error (flood, duplicate)


class ListedWord(BaseModel):
    """A listed word with its action and the other forms (broken plurals) it is written in."""

    model_config = ConfigDict(extra="ignore")

    word: str
    action: Literal["spam", "hold"] = "hold"
    forms: list[str] = []
    ambiguous: bool = False  # also a common noun (an animal): counts only in an insult frame
    advert: bool = False  # spam that is also news (كازينو): counts only in an advert


class Policy(BaseModel):
    """Site-wide moderation policy; defaults apply until an admin changes them."""

    model_config = ConfigDict(extra="ignore")

    premoderation: bool = False
    default_status: Literal["pending", "approved"] = "pending"
    trusted_author_autoapprove: bool = True
    link_limit: int = Field(default=2, ge=0, le=100)  # 0 disables the link check
    banned_words: list[str] = []  # → spam (kept for stored policies; `words` says more)
    suspect_words: list[str] = []  # → held
    words: list[ListedWord] = []  # per word: action and listed forms; wins over the two lists
    allowed_phrases: list[str] = []  # phrases in which a listed word is not a match
    # News sites (host names) a comment cites as its source, beside the built-in ones: a link
    # to one is not an advert's link (shared.arabic.adverts)
    news_sites: list[str] = []
    flood_interval_seconds: int = Field(default=15, ge=0, le=86_400)  # 0 disables
    report_threshold: int = Field(default=3, ge=1, le=1_000)

    def word_list(self) -> WordList:
        """The compiled matcher of this policy's words (one per distinct policy content)."""
        listed = tuple(
            (w.word, w.action, tuple(w.forms), w.ambiguous, w.advert) for w in self.words
        )
        return _compiled(
            listed,
            tuple(self.banned_words),
            tuple(self.suspect_words),
            tuple(self.allowed_phrases),
            tuple(self.news_sites),
        )


@lru_cache(maxsize=16)
def _compiled(
    listed: tuple[tuple[str, str, tuple[str, ...], bool, bool], ...],
    banned: tuple[str, ...],
    suspect: tuple[str, ...],
    allowed: tuple[str, ...],
    news_sites: tuple[str, ...] = (),
) -> WordList:
    """`words` first, then banned (spam) and suspect (hold): a word's first entry counts."""
    entries = [Entry(*fields) for fields in listed]
    entries += [Entry(w, SPAM) for w in banned] + [Entry(w, HOLD) for w in suspect]
    return WordList(entries, allowed, news_sites)


@dataclass(frozen=True)
class Facts:
    """Everything the pipeline decides on; gathered by the service before it runs."""

    body: str
    policy: Policy
    honeypot: str = ""
    banned_author: bool = False
    seconds_since_last: float | None = None  # same email or IP; None when never seen
    duplicate: bool = False
    article_premoderated: bool = False
    trusted_author: bool = False


@dataclass(frozen=True)
class Verdict:
    """A step's decision: the status, why (reason codes) and what the writer gets."""

    status: str
    reasons: tuple[str, ...]
    step: str
    http_status: int = 201
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def stored(self) -> bool:
        return self.status != REFUSED


Step = Callable[[Facts], Verdict | None]

_LINK_RE = re.compile(
    r"(?i)(?:https?://|www\.)[^\s<>\"]+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|xyz|top|site|online|ru|io|ly|me)\b"
)


def count_links(text: str) -> int:
    """Number of URLs and bare domain names in text."""
    return len(_LINK_RE.findall(text))


def honeypot(f: Facts) -> Verdict | None:
    """A filled hidden field: a bot. Spam, and the writer is not told."""
    return Verdict("spam", ("honeypot",), "honeypot") if f.honeypot.strip() else None


def banned_author(f: Facts) -> Verdict | None:
    return Verdict("rejected", ("banned_author",), "banned_author") if f.banned_author else None


def flood(f: Facts) -> Verdict | None:
    interval = f.policy.flood_interval_seconds
    if interval and f.seconds_since_last is not None and f.seconds_since_last < interval:
        return Verdict(REFUSED, ("flood",), "flood", http_status=429)
    return None


def duplicate(f: Facts) -> Verdict | None:
    return Verdict(REFUSED, ("duplicate",), "duplicate", http_status=409) if f.duplicate else None


_MAX_SHOWN = 20  # matches explained in the queue per comment


def words(f: Facts) -> Verdict | None:
    """A spam word makes spam, a held word holds; each match says which word, form and rules."""
    found = f.policy.word_list().find(f.body)
    if not found:
        return None
    spam = list(dict.fromkeys(m.word for m in found if m.action == SPAM))
    held = list(dict.fromkeys(m.word for m in found if m.action == HOLD))
    matches = [m.as_dict() for m in found[:_MAX_SHOWN]]
    if spam:
        details = {"banned_words": spam, "matches": matches}
        return Verdict("spam", ("banned_word",), "words", details=details)
    details = {"suspect_words": held, "matches": matches}
    return Verdict("pending", ("suspect_word",), "words", details=details)


def links(f: Facts) -> Verdict | None:
    limit, found = f.policy.link_limit, count_links(f.body)
    if limit and found >= limit:
        return Verdict("pending", ("too_many_links",), "links", details={"links": found})
    return None


def premoderation(f: Facts) -> Verdict | None:
    if f.policy.premoderation:
        return Verdict("pending", ("premoderation",), "premoderation")
    if f.article_premoderated:
        return Verdict("pending", ("article_premoderation",), "premoderation")
    return None


def author_policy(f: Facts) -> Verdict:
    """Last step, always decides: a trusted author is approved, others get the site default."""
    if f.policy.trusted_author_autoapprove and f.trusted_author:
        return Verdict("approved", ("trusted_author",), "author_policy")
    return Verdict(f.policy.default_status, ("default_policy",), "author_policy")


PIPELINE: tuple[Step, ...] = (
    honeypot,
    banned_author,
    flood,
    duplicate,
    words,
    links,
    premoderation,
    author_policy,
)


def run_pipeline(facts: Facts, steps: tuple[Step, ...] = PIPELINE) -> Verdict:
    """First decisive verdict wins; holds (pending) gather their reasons and block approval."""
    holds: list[Verdict] = []
    for index, step in enumerate(steps):
        verdict = step(facts)
        if verdict is None or (holds and index == len(steps) - 1):
            continue  # the last step (site default) only decides when nothing held the comment
        if verdict.status == "pending":
            holds.append(verdict)
        elif verdict.status != "approved" or not holds:
            return verdict
    if not holds:
        raise ValueError("the pipeline must end with a deciding step")
    details: dict[str, Any] = {}
    for hold in holds:
        details.update(hold.details)
    reasons = tuple(r for hold in holds for r in hold.reasons)
    return Verdict("pending", reasons, holds[0].step, details=details)


# What the writer sees: spam looks like a held comment, so spammers learn nothing.
_WRITER: dict[str, tuple[str, str, str]] = {
    "approved": ("approved", "Your comment has been published.", "نُشر تعليقك."),
    "pending": ("pending", "Your comment is awaiting review.", "تعليقك بانتظار المراجعة."),
    "spam": ("pending", "Your comment is awaiting review.", "تعليقك بانتظار المراجعة."),
    "rejected": ("rejected", "Your comment could not be published.", "تعذّر نشر تعليقك."),
}


def writer_view(status: str) -> tuple[str, str, str]:
    """(public status, English message, Arabic message) for the comment's writer."""
    return _WRITER[status]
