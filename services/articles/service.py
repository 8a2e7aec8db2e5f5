"""Article use cases: every write and its event commit in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from services.articles import domain, presentation, repository, tags
from services.articles.catalog import category_fields
from services.articles.errors import (
    body_too_large,
    invalid_transition,
    not_found,
    publish_at_not_future,
    stale,
)
from services.articles.schemas import ArticleCreate, ArticlePatch
from services.articles.slugs import choose_slug, with_slug_retry
from shared import mongo
from shared.http import request_id_var
from shared.runtime import Runtime

Doc = dict[str, Any]
Decide = Callable[[Doc, mongo.Session], Awaitable[Doc]]


def _check_body(runtime: Runtime, body: list[Doc]) -> None:
    limit = runtime.settings.body_max_bytes  # type: ignore[attr-defined]
    if domain.body_bytes(body) > limit:
        raise body_too_large(limit)


async def create_article(
    *,
    runtime: Runtime,
    data: ArticleCreate,
    author: str | None = None,
    source_ref: str | None = None,
) -> Doc:
    """Create a draft; the slug is derived from the title unless one is given."""
    body = [block.stored() for block in data.body]
    _check_body(runtime, body)
    lead_image = data.lead_image.model_dump() if data.lead_image else None
    category = await category_fields(runtime.db, data.category)
    article_id = uuid.uuid4().hex
    now = domain.now()
    doc: Doc = {
        "_id": article_id,
        "title": data.title,
        "summary": data.summary,
        "body": body,
        **presentation.body_fields(body),
        "lead_image": lead_image,
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

    async def attempt() -> Doc:
        slug = await choose_slug(runtime, article_id, title=data.title, given=data.slug)

        async def work(session: mongo.Session) -> Doc:
            await repository.reserve_slug(runtime.db, slug, article_id, session)
            await repository.insert(runtime.db, {**doc, "slug": slug}, session)
            return {**doc, "slug": slug}

        return await runtime.commit(work)

    return await with_slug_retry(attempt, given=data.slug)


async def find_article(*, db: mongo.Database, key: str, editor: bool) -> tuple[Doc, bool]:
    """An article by id, current slug or old slug (then True); drafts only for editors."""
    doc = await repository.get(db, key) or await repository.get_by_slug(db, key)
    via_alias = False
    if doc is None:
        owner = await repository.slug_owner(db, key)
        doc = await repository.get(db, owner) if owner else None
        via_alias = doc is not None
    if doc is None or doc["status"] == domain.DELETED:
        raise not_found()
    if not editor and doc["status"] != domain.PUBLISHED:
        raise not_found()  # 404, not 403: the public must not learn that a draft exists
    return doc, via_alias


async def _change(
    runtime: Runtime,
    *,
    article_id: str,
    expected: int | None,
    decide: Decide,
    causation_id: str | None = None,
) -> Doc:
    """Read, check the version, apply `decide`'s changes by compare-and-set, emit the event."""
    db, correlation = runtime.db, request_id_var.get()

    async def work(session: mongo.Session) -> Doc:
        doc = await repository.get(db, article_id, session)
        if doc is None or doc["status"] == domain.DELETED:
            raise not_found()
        if expected is not None and doc["version"] != expected:
            raise stale(doc["version"])
        changes = {**await decide(doc, session), "updated_at": domain.now()}
        updated = await repository.compare_and_set(db, article_id, doc["version"], changes, session)
        if updated is None:
            raise stale(doc["version"] + 1)
        await tags.apply(db, doc, updated, session)
        event_type = domain.change_event_type(
            doc["status"], updated["status"], ever_published=doc.get("published_at") is not None
        )
        if event_type:
            event = domain.article_event(
                event_type, updated, correlation_id=correlation, causation_id=causation_id
            )
            await runtime.emit(session, event)
        return updated

    return await runtime.commit(work)


async def update_article(
    *, runtime: Runtime, article_id: str, patch: ArticlePatch, expected: int | None
) -> Doc:
    """Partial update; a title change moves the slug and keeps the old one as an alias."""
    changes = patch.changes()
    if "body" in changes:
        _check_body(runtime, changes["body"])
        changes.update(presentation.body_fields(changes["body"]))
    if "category" in changes:
        changes.update(await category_fields(runtime.db, changes["category"]))
    if "tags" in changes:
        changes["tags"] = domain.clean_tags(changes["tags"])
    explicit = changes.pop("slug", None)
    rederive = "slug" in patch.model_fields_set or "title" in changes

    async def attempt() -> Doc:
        slug = None
        if rederive:
            current = await repository.get(runtime.db, article_id)
            title = changes.get("title") or (current or {}).get("title", "")
            slug = await choose_slug(runtime, article_id, title=title, given=explicit)

        async def decide(_doc: Doc, session: mongo.Session) -> Doc:
            if slug is None:
                return changes
            await repository.reserve_slug(runtime.db, slug, article_id, session)
            return {**changes, "slug": slug}

        return await _change(runtime, article_id=article_id, expected=expected, decide=decide)

    return await with_slug_retry(attempt, given=explicit)


async def transition(
    *,
    runtime: Runtime,
    article_id: str,
    action: str,
    expected: int | None,
    publish_at: datetime | None = None,
    published_at: datetime | None = None,
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

    return await _change(runtime, article_id=article_id, expected=expected, decide=decide)


async def delete_article(*, runtime: Runtime, article_id: str, expected: int | None) -> Doc:
    """Soft delete: the article disappears from every read; its slugs stay reserved."""

    async def decide(_doc: Doc, _session: mongo.Session) -> Doc:
        return {"status": domain.DELETED, "deleted_at": domain.now(), "publish_at": None}

    return await _change(runtime, article_id=article_id, expected=expected, decide=decide)


async def set_published_at(*, runtime: Runtime, article_id: str, published_at: datetime) -> Doc:
    """Correct when a published article came out (an import that got the date wrong)."""

    async def decide(doc: Doc, _session: mongo.Session) -> Doc:
        if doc["status"] != domain.PUBLISHED:
            raise invalid_transition("redate", doc["status"])
        return {"published_at": published_at}

    return await _change(runtime, article_id=article_id, expected=None, decide=decide)
