"""The moderators' page use cases: the searchable queue, tab counts and live changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from services.comments import lifecycle
from services.comments.context import Context, page_cursor
from services.comments.queries import CHANGES_LIMIT, position
from services.comments.schemas import (
    ArticleRef,
    Change,
    ChangesOut,
    Counts,
    QueueFilters,
    QueueItem,
    QueuePage,
    ReportReason,
)
from services.comments.search import Filters, matches
from shared import pagination
from shared.errors import invalid_field
from shared.events import utcnow

Doc = dict[str, Any]


_invalid = invalid_field  # one builder for every service (shared.errors)


async def _filters(ctx: Context, f: QueueFilters, arabic: bool) -> Filters:
    """The search filters: the email as its HMAC hash, an article given by id or slug."""
    if f.since and f.until and f.since >= f.until:
        raise _invalid("until", "Must be after `since`.", "يجب أن يكون بعد تاريخ البداية.", arabic)
    article_id = f.article_id
    if article_id and not await ctx.repo.article(article_id):
        by_slug = await ctx.store.article_by_slug(article_id)
        article_id = by_slug["_id"] if by_slug else article_id
    filters = Filters(
        text=f.q or None,
        author=f.author or None,
        email_hash=ctx.keyed("email", str(f.email).lower()) if f.email else None,
        article_id=article_id or None,
        reason=f.reason,
        since=f.since,
        until=f.until,
    )
    if filters.empty_words:
        raise _invalid("q", "Nothing to search for.", "لا كلمات للبحث عنها.", arabic)
    return filters


def _actions(doc: Doc) -> list[str]:
    valid = []
    for action in lifecycle.ACTIONS:
        try:
            lifecycle.target_status(action, doc["status"], doc.get("previous_status"))
        except lifecycle.InvalidTransition:
            continue
        valid.append(action)
    return valid


def _article(ctx: Context, doc: Doc | None, article_id: str) -> ArticleRef:
    if doc is None:
        return ArticleRef(id=article_id)
    slug = doc.get("slug") or None
    template = ctx.settings.article_url
    return ArticleRef(
        id=article_id,
        slug=slug,
        title=doc.get("title") or None,
        url=template.format(slug=quote(slug or article_id, safe=""), id=quote(article_id)),
        deleted=bool(doc.get("deleted")),
    )


async def items(ctx: Context, docs: list[Doc]) -> list[QueueItem]:
    """Queue items with the article, the author's history and ban, and readers' reasons."""
    if not docs:
        return []
    hashes = list({d["email_hash"] for d in docs})
    articles = await ctx.store.articles_by_id(list({d["article_id"] for d in docs}))
    history = await ctx.repo.history_counts(hashes)
    banned = await ctx.store.banned_hashes(hashes, utcnow())
    reported = [d["_id"] for d in docs if d.get("report_count")]
    reasons = await ctx.store.report_reasons(reported) if reported else {}
    out = []
    for d in docs:
        given = sorted(reasons.get(d["_id"], {}).items(), key=lambda kv: (-kv[1], kv[0]))
        out.append(
            QueueItem.model_validate(
                {
                    **{k: d.get(k) for k in QueueItem.model_fields},
                    "id": d["_id"],
                    "article": _article(ctx, articles.get(d["article_id"]), d["article_id"]),
                    "author_history": history.get(d["email_hash"], {}),
                    "author_banned": d["email_hash"] in banned,
                    "report_reasons": [ReportReason(reason=r, count=n) for r, n in given],
                    "actions": _actions(d),
                    "version": d.get("version", 0),
                }
            )
        )
    return out


async def queue(ctx: Context, *, query: QueueFilters, arabic: bool = True) -> QueuePage:
    """Comments in one status matching the filters, oldest (or newest) first."""
    filters = await _filters(ctx, query, arabic)
    docs, last = await ctx.store.search(
        status=query.status,
        filters=filters,
        after=position(page_cursor(query.cursor)),
        newest=query.sort == "newest",
        limit=query.limit,
    )
    next_cursor = pagination.encode_cursor([last[0].isoformat(), last[1]]) if last else None
    return QueuePage(items=await items(ctx, docs), next_cursor=next_cursor)


async def counts(ctx: Context) -> Counts:
    return Counts(**await ctx.counters.totals())


def _changes_since(cursor: str | None) -> datetime | None:
    at = position(page_cursor(cursor)) if cursor else None
    return at[0] if at else None


async def changes(
    ctx: Context, *, cursor: str | None, query: QueueFilters, arabic: bool = True
) -> ChangesOut:
    """Changes since the cursor (none on the first call, which only sets the cursor).

    `items` are the changed comments that now belong to the page's view (status and
    filters); `changed` lists every changed comment so the page can mark what left its view.
    """
    since, now = _changes_since(cursor), utcnow()
    docs = await ctx.store.changes(since) if since else []
    more = len(docs) > CHANGES_LIMIT
    docs = docs[:CHANGES_LIMIT]
    filters = await _filters(ctx, query, arabic)
    keys = filters.keys()
    in_view = [d for d in docs if d["status"] == query.status and matches(d, keys, filters)]
    last = max([since or now, *(d["updated_at"] for d in docs)]) if since else now
    return ChangesOut(
        items=await items(ctx, in_view),
        changed=[
            Change(
                id=d["_id"], status=d["status"], version=d["version"], updated_at=d["updated_at"]
            )
            for d in docs
        ],
        counts=await counts(ctx),
        cursor=pagination.encode_cursor([last.isoformat(), "~"]),
        more=more,
    )
