"""Pure rules: which event changes what, the engine's input, list rendering, rebuild merging."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from services.related.engine import Item
from shared.events import ArticleSnapshot, block_text

PUBLISHED = "published"
Action = Literal["index", "remove", "ignore"]
_REMOVING = {"article.unpublished": "unpublished", "article.deleted": "deleted"}


def decide(held_version: int | None, *, event_type: str, version: int, status: str) -> Action:
    """What an article event does: older or equal versions than the one held change nothing."""
    if held_version is not None and version <= held_version:
        return "ignore"
    if event_type in _REMOVING or status != PUBLISHED:
        return "remove"
    return "index"


def removed_status(event_type: str, status: str) -> str:
    """The tombstone status an event leaves (kept so a late older event cannot resurrect)."""
    return _REMOVING.get(event_type) or (status if status != PUBLISHED else "unpublished")


def engine_input(snapshot: ArticleSnapshot) -> dict[str, Any]:
    """The engine's view of an article: text fields, tags, category slug, publication time."""
    return {
        "id": snapshot.id,
        "title": snapshot.title,
        "summary": snapshot.summary,
        "body": "\n".join(filter(None, (block_text(block) for block in snapshot.body))),
        "tags": list(snapshot.tags),
        "category": snapshot.category.slug if snapshot.category else None,
        "published_at": snapshot.published_at,
    }


def card(snapshot: ArticleSnapshot) -> dict[str, Any]:
    """What a list or search result shows of an article, so pages need no call per item.

    Plain JSON values (the time as ISO text), so a stored card reads back exactly as written.
    """
    shown = snapshot.model_dump(
        mode="json", include={"id", "slug", "title", "published_at", "category", "breadcrumb"}
    )
    summary = snapshot.summary.strip() or snapshot.excerpt.strip() or snapshot.title
    image = snapshot.lead_image.model_dump(mode="json") if snapshot.lead_image else None
    return {**shown, "summary": summary, "lead_image": image}


def card_of(doc: dict[str, Any]) -> dict[str, Any]:
    """The card of a stored doc (docs stored before cards existed show id, slug and title)."""
    return doc.get("card") or {"id": doc["_id"], "slug": doc["slug"], "title": doc["title"]}


def doc_of(snapshot: ArticleSnapshot, *, version: int, seq: int) -> dict[str, Any]:
    """The stored doc of a published article."""
    return {
        "_id": snapshot.id,
        "version": version,
        "status": PUBLISHED,
        "seq": seq,
        "slug": snapshot.slug,
        "title": snapshot.title,
        "card": card(snapshot),
        "input": engine_input(snapshot),
    }


def with_old_slugs(doc: dict[str, Any], held: dict[str, Any] | None) -> dict[str, Any]:
    """The doc keeping every slug the article had, so old links still find its list."""
    slugs = {*(held or {}).get("slugs", []), (held or {}).get("slug"), doc.get("slug")}
    return {**doc, "slugs": sorted(s for s in slugs if s)}


def tombstone(article_id: str, *, version: int, status: str, seq: int) -> dict[str, Any]:
    """The stored doc of an article that is not (or no longer) published."""
    return {"_id": article_id, "version": version, "status": status, "seq": seq}


Names = Mapping[str, dict[str, Any]]  # id -> card


def render_items(items: Iterable[Item], names: Names) -> list[dict[str, Any]]:
    """List items as served: the article's card, score, reasons, source (which side found it)."""
    return [
        {
            **names[item.article_id],
            "score": round(item.score, 6),
            "reasons": {
                "terms": list(item.reasons.terms),
                "tags": list(item.reasons.tags),
                "same_category": item.reasons.same_category,
            },
            "source": item.reasons.source,
        }
        for item in items
    ]


def served_item(item: dict[str, Any]) -> dict[str, Any]:
    """A stored list item as served (lists stored before items carried `id` are renamed)."""
    if "id" in item:
        return item
    return {"id": item.get("article_id"), **{k: v for k, v in item.items() if k != "article_id"}}


def list_hash(items: list[dict[str, Any]]) -> str:
    """A digest of a rendered list, to skip rewriting an unchanged one."""
    raw = json.dumps(items, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.blake2b(raw, digest_size=12).hexdigest()


def list_doc(article_id: str, items: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """The stored list of an article: one read serves GET /articles/{id}/related."""
    return {
        "_id": article_id,
        "items": items,
        "members": [i["id"] for i in items],
        "hash": list_hash(items),
        "computed_at": now,
    }


@dataclass(frozen=True)
class Head:
    """What the index holds about an article: version, status, and the sequence of its change."""

    version: int
    status: str
    seq: int


def merge_rebuild(
    snapshots: Mapping[str, int], held: Mapping[str, Head], *, started_seq: int
) -> tuple[set[str], set[str], set[str]]:
    """Merge a fresh listing (id -> version) with what events brought meanwhile.

    Returns (from_listing, keep_held, remove): the newer version wins; a held published article
    missing from the listing is removed unless an event changed it after the rebuild started.
    """
    from_listing: set[str] = set()
    keep_held: set[str] = set()
    remove: set[str] = set()
    for article_id, version in snapshots.items():
        head = held.get(article_id)
        if head is not None and head.version > version:
            (keep_held if head.status == PUBLISHED else remove).add(article_id)
        else:
            from_listing.add(article_id)
    for article_id, head in held.items():
        if article_id in snapshots or head.status != PUBLISHED:
            continue
        (keep_held if head.seq > started_seq else remove).add(article_id)
    return from_listing, keep_held, remove
