"""The moderators' page use cases: the searchable queue, tab counts and live changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from services.comments import lifecycle
from services.comments.clients import Clients
from services.comments.queries import CHANGES_LIMIT, QueueStore, position
from services.comments.search import Filters, matches
from services.comments.workbench_schemas import (
    ArticleRef,
    Change,
    ChangesOut,
    Counts,
    QueueFilters,
    QueueItem,
    QueuePage,
    ReportReason,
)
from shared import pagination
from shared.errors import invalid_field
from shared.events import utcnow

Doc = dict[str, Any]


_invalid = invalid_field  # one builder for every service (shared.errors)


@dataclass(frozen=True)
class Workbench:
    """What the page's use cases read with: the queue's reads, the email keys, and where the
    page links an article ({slug} and {id} filled in)."""

    store: QueueStore
    clients: Clients
    article_url: str


async def _article_id(store: QueueStore, key: str | None) -> str | None:
    """The id of the article a filter names by id or by its current slug (kept if neither)."""
    if not key or await store.articles_by_id([key]):
        return key
    by_slug = await store.article_by_slug(key)
    return by_slug["_id"] if by_slug else key


async def _filters(wb: Workbench, f: QueueFilters, arabic: bool) -> Filters:
    """The search filters: the email as its HMAC hash, an article given by id or slug."""
    if f.since and f.until and f.since >= f.until:
        raise _invalid("until", "Must be after `since`.", "يجب أن يكون بعد تاريخ البداية.", arabic)
    article_id = await _article_id(wb.store, f.article_id)
    filters = Filters(
        text=f.q or None,
        author=f.author or None,
        email_hash=wb.clients.key("email", str(f.email).lower()) if f.email else None,
        article_id=article_id or None,
        reason=f.reason,
        since=f.since,
        until=f.until,
    )
    if filters.empty_words:
        raise _invalid("q", "Nothing to search for.", "لا كلمات للبحث عنها.", arabic)
    return filters


def _article(template: str, doc: Doc | None, article_id: str) -> ArticleRef:
    """The article as the page links it (`template` fills in {slug} and {id})."""
    if doc is None:
        return ArticleRef(id=article_id)
    slug = doc.get("slug") or None
    return ArticleRef(
        id=article_id,
        slug=slug,
        title=doc.get("title") or None,
        url=template.format(slug=quote(slug or article_id, safe=""), id=quote(article_id)),
        deleted=bool(doc.get("deleted")),
    )


def _reasons(given: dict[str, int]) -> list[ReportReason]:
    """Readers' reasons, the most given first."""
    ranked = sorted(given.items(), key=lambda kv: (-kv[1], kv[0]))
    return [ReportReason(reason=r, count=n) for r, n in ranked]


async def items(wb: Workbench, docs: list[Doc]) -> list[QueueItem]:
    """Queue items with the article, the author's history and ban, and readers' reasons."""
    if not docs:
        return []
    store, hashes = wb.store, list({d["email_hash"] for d in docs})
    articles = await store.articles_by_id(list({d["article_id"] for d in docs}))
    history = await store.history_counts(hashes)
    banned = await store.banned_hashes(hashes, utcnow())
    reported = [d["_id"] for d in docs if d.get("report_count")]
    reasons = await store.report_reasons(reported) if reported else {}
    return [
        QueueItem.model_validate(
            {
                **{k: d.get(k) for k in QueueItem.model_fields},
                "id": d["_id"],
                "article": _article(wb.article_url, articles.get(d["article_id"]), d["article_id"]),
                "author_history": history.get(d["email_hash"], {}),
                "author_banned": d["email_hash"] in banned,
                "report_reasons": _reasons(reasons.get(d["_id"], {})),
                "actions": lifecycle.valid_actions(d["status"], d.get("previous_status")),
                "version": d.get("version", 0),
            }
        )
        for d in docs
    ]


async def queue(wb: Workbench, *, query: QueueFilters, arabic: bool) -> QueuePage:
    """Comments in one status matching the filters, oldest (or newest) first."""
    filters = await _filters(wb, query, arabic)
    docs, last = await wb.store.search(
        status=query.status,
        filters=filters,
        after=position(lifecycle.page_cursor(query.cursor)),
        newest=query.sort == "newest",
        limit=query.limit,
    )
    next_cursor = pagination.encode_cursor([last[0].isoformat(), last[1]]) if last else None
    return QueuePage(items=await items(wb, docs), next_cursor=next_cursor)


async def counts(store: QueueStore) -> Counts:
    return Counts(**await store.counts())


def _changes_since(cursor: str | None) -> datetime | None:
    at = position(lifecycle.page_cursor(cursor)) if cursor else None
    return at[0] if at else None


async def changes(wb: Workbench, *, query: QueueFilters, arabic: bool) -> ChangesOut:
    """Changes since the query's cursor (none on the first call, which only sets the cursor).

    `items` are the changed comments that now belong to the page's view (status and
    filters); `changed` lists every changed comment so the page can mark what left its view.
    """
    since, now = _changes_since(query.cursor), utcnow()
    docs = await wb.store.changes(since) if since else []
    more = len(docs) > CHANGES_LIMIT
    docs = docs[:CHANGES_LIMIT]
    filters = await _filters(wb, query, arabic)
    keys = filters.keys()
    in_view = [d for d in docs if d["status"] == query.status and matches(d, keys, filters)]
    last = max([since or now, *(d["updated_at"] for d in docs)]) if since else now
    return ChangesOut(
        items=await items(wb, in_view),
        changed=[
            Change(
                id=d["_id"], status=d["status"], version=d["version"], updated_at=d["updated_at"]
            )
            for d in docs
        ],
        counts=await counts(wb.store),
        cursor=pagination.encode_cursor([last.isoformat(), "~"]),
        more=more,
    )
