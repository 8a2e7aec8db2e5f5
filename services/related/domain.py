"""Pure rules: which event changes what, the engine's input, list rendering, rebuild merging."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from services.related.engine import Item
from shared.events import ArticleSnapshot, block_text, utcnow

PUBLISHED = "published"
Action = Literal["index", "remove", "ignore"]
LeaseState = Literal["free", "held", "expired"]
_REMOVING = {"article.unpublished": "unpublished", "article.deleted": "deleted"}


def decide(held_version: int | None, *, event_type: str, version: int, status: str) -> Action:
    """What an article event does: older or equal versions than the one held change nothing."""
    if held_version is not None and version <= held_version:
        return "ignore"
    if event_type in _REMOVING or status != PUBLISHED:
        return "remove"
    return "index"


def publishes(event_type: str, status: str) -> bool:
    """Whether an event leaves its article published (else it leaves the indexes)."""
    return event_type not in _REMOVING and status == PUBLISHED


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


def stored_doc(
    action: Action,
    article_id: str,
    *,
    event_type: str,
    snapshot: ArticleSnapshot,
    version: int,
    seq: int,
    held: dict[str, Any] | None,
) -> dict[str, Any]:
    """The doc an event leaves (`action` index or remove), keeping the article's old slugs."""
    if action == "index":
        doc = doc_of(snapshot, version=version, seq=seq)
    else:
        status = removed_status(event_type, snapshot.status)
        doc = tombstone(article_id, version=version, status=status, seq=seq)
    return with_old_slugs(doc, held)


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


def rebuild_docs(
    snapshots: Mapping[str, ArticleSnapshot],
    held: Mapping[str, Head],
    from_listing: set[str],
    remove: set[str],
    *,
    seq: int,
) -> list[dict[str, Any]]:
    """The docs a rebuild writes: listed articles that are new or changed, and tombstones for
    published ones it removes (everything else is stored as it should be)."""
    docs = [
        doc_of(snapshots[i], version=snapshots[i].version, seq=seq)
        for i in sorted(from_listing)
        if i not in held or (held[i].version, held[i].status) != (snapshots[i].version, PUBLISHED)
    ]
    docs += [
        tombstone(i, version=held[i].version, status="unpublished", seq=seq)
        for i in sorted(remove)
        if i in held and held[i].status == PUBLISHED
    ]
    return docs


def lease_state(meta: Mapping[str, Any], now: datetime | None = None) -> LeaseState:
    """free | held | expired (a holder died or stalled: someone must take over and repair)."""
    lease = meta.get("lease") or {}
    if not lease.get("owner"):
        return "free"
    return "held" if lease["until"] > (now or utcnow()) else "expired"


def stats_outgrown(indexed: int, frozen_docs: int, *, growth: float | None, min_docs: int) -> bool:
    """True when the corpus grew past `growth` times the one the frozen statistics came from
    (and holds `min_docs` at least): idf from a much smaller corpus wants a refresh."""
    if not growth or indexed < min_docs:
        return False
    return indexed > frozen_docs * growth
