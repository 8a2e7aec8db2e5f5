"""Pure rules of the articles service: slugs, the workflow, events, cursors. No I/O."""

# Arabic letters in strings and comments are intended.

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.articles.presentation import excerpt
from shared import pagination
from shared.arabic import chars
from shared.events import (
    ArticleDeleted,
    ArticlePublished,
    ArticleSnapshot,
    ArticleUnpublished,
    ArticleUpdated,
    Event,
    utcnow,
)

PRODUCER = "articles"
PUBLISHED = "published"
DELETED = "deleted"
Doc = dict[str, Any]  # a stored document (article, category...), as the driver gives it

# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "publish": (frozenset({"draft", "scheduled", "unpublished", "archived"}), PUBLISHED),
    "unpublish": (frozenset({PUBLISHED, "scheduled"}), "unpublished"),
    "archive": (frozenset({"draft", PUBLISHED, "unpublished"}), "archived"),
    "schedule": (frozenset({"draft", "scheduled", "unpublished"}), "scheduled"),
}

# Marks, tatweel and every invisible format character: the shared Arabic character table.
_DROPPED = dict.fromkeys(chars.DELETED)
_NOT_WORD = re.compile(r"[^\w]+|_+")  # punctuation, symbols and spaces all separate words


def now() -> datetime:
    """The current UTC time at MongoDB's millisecond precision, so responses match reads."""
    moment = utcnow()
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def slugify(text: str, *, max_len: int = 80) -> str:
    """A URL slug that keeps Arabic letters: marks and punctuation dropped, spaces → '-'."""
    text = unicodedata.normalize("NFKC", text).translate(_DROPPED).lower()
    words = [w for w in _NOT_WORD.split(text) if w]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            return slug or word[:max_len]
        slug = candidate
    return slug


def slug_candidates(base: str, *, max_len: int = 80) -> Iterator[str]:
    """`base`, then `base-2`, `base-3`, ... each within max_len."""
    yield base
    n = 2
    while True:
        suffix = f"-{n}"
        yield base[: max_len - len(suffix)].rstrip("-") + suffix
        n += 1


def next_status(action: str, current: str) -> str | None:
    """The status `action` leads to from `current`, or None when the transition is invalid."""
    sources, target = TRANSITIONS[action]
    return target if current in sources else None


def body_bytes(blocks: Sequence[Mapping[str, Any]]) -> int:
    """Size of an article body: the UTF-8 bytes of its blocks' strings (texts, image fields)."""
    return sum(
        len(str(value).encode())
        for block in blocks
        for key, value in block.items()
        if key != "type" and value is not None
    )


def parse_if_match(header: str | None) -> int | None:
    """The version an `If-Match` header names; None when absent or `*`; ValueError if malformed."""
    if header is None or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise ValueError("If-Match must be a quoted version number")
    return int(value)


def etag(version: int) -> str:
    return f'"{version}"'


def snapshot(doc: Mapping[str, Any]) -> ArticleSnapshot:
    """The public snapshot carried by article events."""
    breadcrumb = doc.get("breadcrumb") or []
    return ArticleSnapshot.model_validate(
        {
            "id": doc["_id"],
            "slug": doc["slug"],
            "title": doc["title"],
            "summary": doc.get("summary", ""),
            "excerpt": doc.get("excerpt") or excerpt(doc.get("body", [])),
            "body": doc.get("body", []),
            "lead_image": doc.get("lead_image"),
            "category": breadcrumb[-1] if breadcrumb else None,
            "breadcrumb": breadcrumb,
            "tags": doc.get("tags", []),
            "author": doc.get("author"),
            "language": doc.get("language", "ar"),
            "status": doc["status"],
            "comments_open": doc.get("comments_open", True),
            "published_at": doc.get("published_at"),
            "updated_at": doc.get("updated_at"),
            "version": doc["version"],
        }
    )


def change_event_type(
    before: str, after: str, *, content_changed: bool = True, ever_published: bool = True
) -> str | None:
    """Which event a write emits, from the status before and after it (None: no event).

    Consumers only ever heard of articles that were published once, so only those announce
    their deletion; a draft deleted before publication leaves nothing to retract.
    """
    if after == DELETED:
        return "article.deleted" if ever_published else None
    if before != PUBLISHED and after == PUBLISHED:
        return "article.published"
    if before == PUBLISHED and after != PUBLISHED:
        return "article.unpublished"
    if before == after == PUBLISHED and content_changed:
        return "article.updated"
    return None


_EVENT_CLASSES: dict[str, Any] = {  # each sets its own `type`
    "article.published": ArticlePublished,
    "article.updated": ArticleUpdated,
    "article.unpublished": ArticleUnpublished,
    "article.deleted": ArticleDeleted,
}


def article_event(
    event_type: str,
    doc: Mapping[str, Any],
    *,
    correlation_id: str | None = None,
    causation_id: str | None = None,
) -> Event:
    """A typed article event with the full snapshot of `doc` (already at its new version)."""
    return _EVENT_CLASSES[event_type](
        producer=PRODUCER,
        aggregate_id=doc["_id"],
        aggregate_version=doc["version"],
        correlation_id=correlation_id,
        causation_id=causation_id,
        data=snapshot(doc),
    )


def encode_cursor(published_at: datetime, article_id: str) -> str:
    """Opaque cursor for (published_at desc, id desc) keyset pagination."""
    return pagination.encode_cursor([published_at.isoformat(), article_id])


def clean_tags(tags: list[str]) -> list[str]:
    """Tags in canonical form (NFKC, lower case, inner spaces single), duplicates dropped."""
    cleaned = (" ".join(unicodedata.normalize("NFKC", t).lower().split()) for t in tags)
    return list(dict.fromkeys(t for t in cleaned if t))


def approved_after(event_type: str, data: Mapping[str, Any]) -> bool:
    """Whether a comment counts as approved after a comment event."""
    status = data["status"] if event_type == "comment.submitted" else data["to_status"]
    return bool(status == "approved")


def author_ref(name: str | None) -> dict[str, str] | None:
    """The author as pages link it: name and a slug of the name."""
    if not name or not name.strip():
        return None
    return {"name": name.strip(), "slug": slugify(name) or "author"}


@dataclass(frozen=True)
class Limits:
    """Size limits of what editors write (from the service settings)."""

    body_max_bytes: int = 200 * 1024
    slug_max_chars: int = 80
