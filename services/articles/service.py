"""Article use cases: every write and its event commit in one transaction.

Each takes what it uses: the repository, the unit of work (commit + emit), plain limits, and
the request's correlation id for the events it emits.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from services.articles import domain, presentation
from services.articles.catalog import category_fields
from services.articles.domain import Doc
from services.articles.errors import (
    body_too_large,
    invalid_transition,
    not_found,
    publish_at_not_future,
    stale,
)
from services.articles.repository import ArticleRepository
from services.articles.schemas import ArticleCreate, ArticlePatch
from services.articles.slugs import choose_slug, with_slug_retry
from shared import mongo
from shared.unit_of_work import UnitOfWork

Decide = Callable[[Doc, mongo.Session], Awaitable[Doc]]


def _check_body(body: list[Doc], limit: int) -> None:
    if domain.body_bytes(body) > limit:
        raise body_too_large(limit)


def _draft(
    data: ArticleCreate, body: list[Doc], category: Doc, author: str | None, source_ref: str | None
) -> Doc:
    """The stored document of a new draft (without its slug)."""
    now = domain.now()
    doc: Doc = {
        "_id": uuid.uuid4().hex,
        "title": data.title,
        "summary": data.summary,
        "body": body,
        **presentation.body_fields(body),
        "lead_image": data.lead_image.model_dump() if data.lead_image else None,
        **category,
        "tags": domain.clean_tags(data.tags),
        "author": data.author or author,
        "language": data.language,
        "comments_open": data.comments_open,
        "comment_count": 0,
        "status": "draft",
        "publish_at": None,
        "published_at": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    if source_ref:
        doc["source_ref"] = source_ref
    return doc


async def create_article(
    *,
    repo: ArticleRepository,
    uow: UnitOfWork,
    data: ArticleCreate,
    limits: domain.Limits,
    author: str | None = None,
    source_ref: str | None = None,
) -> Doc:
    """Create a draft; the slug is derived from the title unless one is given."""
    body = [block.stored() for block in data.body]
    _check_body(body, limits.body_max_bytes)
    doc = _draft(data, body, await category_fields(repo, data.category), author, source_ref)
    article_id = doc["_id"]

    async def attempt() -> Doc:
        slug = await choose_slug(
            repo, article_id, title=data.title, given=data.slug, max_len=limits.slug_max_chars
        )

        async def work(session: mongo.Session) -> Doc:
            await repo.reserve_slug(slug, article_id, session)
            await repo.insert({**doc, "slug": slug}, session)
            return {**doc, "slug": slug}

        return await uow.commit(work)

    return await with_slug_retry(attempt, given=data.slug)


async def _change(
    repo: ArticleRepository,
    uow: UnitOfWork,
    article_id: str,
    expected: int | None,
    decide: Decide,
    correlation_id: str | None = None,
) -> Doc:
    """Read, check the version, apply `decide`'s changes by compare-and-set, emit the event."""

    async def work(session: mongo.Session) -> Doc:
        doc = await repo.get(article_id, session)
        if doc is None or doc["status"] == domain.DELETED:
            raise not_found()
        if expected is not None and doc["version"] != expected:
            raise stale(doc["version"])
        changes = {**await decide(doc, session), "updated_at": domain.now()}
        updated = await repo.compare_and_set(article_id, doc["version"], changes, session)
        if updated is None:
            raise stale(doc["version"] + 1)
        await repo.move_tag_counts(doc, updated, session)
        event_type = domain.change_event_type(
            doc["status"], updated["status"], ever_published=doc.get("published_at") is not None
        )
        if event_type:
            event = domain.article_event(event_type, updated, correlation_id=correlation_id)
            await uow.emit(session, event)
        return updated

    return await uow.commit(work)


async def update_article(
    *,
    repo: ArticleRepository,
    uow: UnitOfWork,
    article_id: str,
    patch: ArticlePatch,
    expected: int | None,
    limits: domain.Limits,
    correlation_id: str | None = None,
) -> Doc:
    """Partial update; a title change moves the slug and keeps the old one as an alias."""
    changes = patch.changes()
    if "body" in changes:
        _check_body(changes["body"], limits.body_max_bytes)
        changes.update(presentation.body_fields(changes["body"]))
    if "category" in changes:
        changes.update(await category_fields(repo, changes["category"]))
    if "tags" in changes:
        changes["tags"] = domain.clean_tags(changes["tags"])
    explicit = changes.pop("slug", None)
    rederive = "slug" in patch.model_fields_set or "title" in changes

    async def attempt() -> Doc:
        slug = None
        if rederive:
            current = await repo.get(article_id)
            title = changes.get("title") or (current or {}).get("title", "")
            slug = await choose_slug(
                repo, article_id, title=title, given=explicit, max_len=limits.slug_max_chars
            )

        async def decide(_doc: Doc, session: mongo.Session) -> Doc:
            if slug is None:
                return changes
            await repo.reserve_slug(slug, article_id, session)
            return {**changes, "slug": slug}

        return await _change(repo, uow, article_id, expected, decide, correlation_id)

    return await with_slug_retry(attempt, given=explicit)


async def transition(
    *,
    repo: ArticleRepository,
    uow: UnitOfWork,
    article_id: str,
    action: str,
    expected: int | None,
    publish_at: datetime | None = None,
    published_at: datetime | None = None,
    correlation_id: str | None = None,
) -> Doc:
    """publish / unpublish / archive / schedule; 409 when the status does not allow it."""

    async def decide(doc: Doc, _session: mongo.Session) -> Doc:
        target = domain.next_status(action, doc["status"])
        if target is None:
            raise invalid_transition(action, doc["status"])
        changes: Doc = {"status": target, "publish_at": None}
        if target == domain.PUBLISHED:
            changes["published_at"] = published_at or doc.get("published_at") or domain.now()
        if action == "schedule":
            if publish_at is None or publish_at <= domain.now():
                raise publish_at_not_future()
            changes["publish_at"] = publish_at
        return changes

    return await _change(repo, uow, article_id, expected, decide, correlation_id)


async def delete_article(
    *,
    repo: ArticleRepository,
    uow: UnitOfWork,
    article_id: str,
    expected: int | None,
    correlation_id: str | None = None,
) -> Doc:
    """Soft delete: the article disappears from every read; its slugs stay reserved."""

    async def decide(_doc: Doc, _session: mongo.Session) -> Doc:
        return {"status": domain.DELETED, "deleted_at": domain.now(), "publish_at": None}

    return await _change(repo, uow, article_id, expected, decide, correlation_id)


async def set_published_at(
    *, repo: ArticleRepository, uow: UnitOfWork, article_id: str, published_at: datetime
) -> Doc:
    """Correct when a published article came out (an import that got the date wrong)."""

    async def decide(doc: Doc, _session: mongo.Session) -> Doc:
        if doc["status"] != domain.PUBLISHED:
            raise invalid_transition("redate", doc["status"])
        return {"published_at": published_at}

    return await _change(repo, uow, article_id, None, decide)
