"""Article reads: one article by id or slug, the keyset-paginated lists (the public one,
published and newest first, and the editors' worklist: one status, most recently changed
first), tag pages and the full export consumers rebuild from."""

from __future__ import annotations

from typing import Any

from services.articles import domain, presentation
from services.articles.domain import Doc
from services.articles.errors import not_found, unsupported_filter
from services.articles.repository import ArticleRepository
from shared import errors, pagination

PUBLISHED = domain.PUBLISHED


async def find_article(*, repo: ArticleRepository, key: str, editor: bool) -> tuple[Doc, bool]:
    """An article by id, current slug or old slug (then True); drafts only for editors."""
    doc = await repo.get(key) or await repo.get_by_slug(key)
    via_alias = False
    if doc is None:
        owner = await repo.slug_owner(key)
        doc = await repo.get(owner) if owner else None
        via_alias = doc is not None
    if doc is None or doc["status"] == domain.DELETED:
        raise not_found()
    if not editor and doc["status"] != domain.PUBLISHED:
        raise not_found()  # 404, not 403: the public must not learn that a draft exists
    return doc, via_alias


async def list_articles(
    *,
    repo: ArticleRepository,
    status: str = PUBLISHED,
    category: str | None = None,
    tag: str | None = None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Doc], str | None]:
    """A page of articles in `status` and the next page's cursor.

    Published ones, newest first, may be filtered by category (its subcategories included) or
    tag; any other status is the editors' worklist, most recently changed first. The cursor is
    the (timestamp, id) of the last item, so articles written meanwhile land before it and
    never shift or repeat the pages that follow.
    """
    if status != PUBLISHED and (category or tag):
        raise unsupported_filter("category" if category else "tag")
    after = pagination.keyset_or_400(cursor)
    if status != PUBLISHED:
        docs = await repo.list_by_status(status=status, after=after, limit=limit + 1)
        return await _page(repo, docs, limit, "updated_at")
    if category and await repo.get_category(category) is None:
        raise errors.not_found("Category", "التصنيف")
    tag_key = domain.clean_tags([tag])[0] if tag and domain.clean_tags([tag]) else None
    docs = await repo.list_published(category=category, tag=tag_key, after=after, limit=limit + 1)
    return await _page(repo, docs, limit, "published_at")


async def _page(
    repo: ArticleRepository, docs: list[Doc], limit: int, field: str
) -> tuple[list[Doc], str | None]:
    """Trim a limit+1 fetch to the page, fill what old documents lack, make the next cursor."""
    page = docs[:limit]
    last = domain.encode_cursor(page[-1][field], page[-1]["_id"]) if page else None
    return await with_body_fields(repo, page), last if len(docs) > limit else None


async def with_body_fields(repo: ArticleRepository, docs: list[Doc]) -> list[Doc]:
    """Fill excerpt and reading time of articles stored before they were kept (one read)."""
    missing = [d["_id"] for d in docs if "excerpt" not in d]
    if not missing:
        return docs
    bodies = await repo.bodies(missing)
    return [
        d if "excerpt" in d else {**d, **presentation.body_fields(bodies.get(d["_id"], []))}
        for d in docs
    ]


async def list_tags(
    *, repo: ArticleRepository, limit: int, cursor: str | None
) -> tuple[list[Doc], str | None]:
    """Tags of published articles with how many carry each, most used first."""
    return await repo.tag_page(limit=limit, cursor=cursor)


async def export_published(
    *, repo: ArticleRepository, limit: int, cursor: str | None
) -> dict[str, Any]:
    """A page of full public snapshots of published articles, in id order, for rebuilds."""
    docs = await repo.published_by_id(after=cursor, limit=limit)
    total = await repo.count_published() if cursor is None else None
    return {
        "items": [domain.snapshot(doc).model_dump(mode="json") for doc in docs],
        "next_cursor": docs[-1]["_id"] if len(docs) == limit else None,
        "total": total,
    }
