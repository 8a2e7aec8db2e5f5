"""Article lists, keyset-paginated: the public one (published, newest first) and the editors'
worklist (one status, most recently changed first)."""

from __future__ import annotations

from typing import Any

from services.articles import domain, presentation, repository
from shared import mongo, pagination
from shared.errors import not_found

Doc = dict[str, Any]


async def list_articles(
    *, db: mongo.Database, category: str | None, tag: str | None, limit: int, cursor: str | None
) -> tuple[list[Doc], str | None]:
    """A page of published articles (a category includes its subcategories) and the next cursor.

    The cursor is the (published_at, id) of the last item, so articles published meanwhile
    land before it and never shift or repeat the pages that follow.
    """
    after = _after(cursor)
    if category and await repository.get_category(db, category) is None:
        raise not_found("Category", "التصنيف")
    tag_key = domain.clean_tags([tag])[0] if tag and domain.clean_tags([tag]) else None
    docs = await repository.list_published(
        db, category=category, tag=tag_key, after=after, limit=limit + 1
    )
    page, next_cursor = _page(docs, limit, "published_at")
    return await with_body_fields(db, page), next_cursor


async def list_worklist(
    *, db: mongo.Database, status: str, limit: int, cursor: str | None
) -> tuple[list[Doc], str | None]:
    """A page of articles in one status (drafts, scheduled…), most recently changed first."""
    docs = await repository.list_by_status(db, status=status, after=_after(cursor), limit=limit + 1)
    page, next_cursor = _page(docs, limit, "updated_at")
    return await with_body_fields(db, page), next_cursor


async def with_body_fields(db: mongo.Database, docs: list[Doc]) -> list[Doc]:
    """Fill excerpt and reading time of articles stored before they were kept (one read)."""
    missing = [d["_id"] for d in docs if "excerpt" not in d]
    if not missing:
        return docs
    bodies = await repository.bodies(db, missing)
    return [
        d if "excerpt" in d else {**d, **presentation.body_fields(bodies.get(d["_id"], []))}
        for d in docs
    ]


def _page(docs: list[Doc], limit: int, field: str) -> tuple[list[Doc], str | None]:
    """Trim a limit+1 fetch to the page and make the next page's cursor."""
    page = docs[:limit]
    if len(docs) <= limit or not page:
        return page, None
    return page, domain.encode_cursor(page[-1][field], page[-1]["_id"])


def _after(cursor: str | None) -> tuple[Any, str] | None:
    return pagination.keyset_or_400(cursor)
