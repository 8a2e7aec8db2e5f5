"""Category use cases: a hierarchy whose path gives every article its breadcrumb."""

from __future__ import annotations

from services.articles import domain
from services.articles.domain import Doc
from services.articles.errors import invalid_slug, unknown_category
from services.articles.repository import ArticleRepository
from shared import mongo
from shared.errors import ApiError, not_found


async def category_fields(repo: ArticleRepository, slug: str | None) -> Doc:
    """The article fields that follow from its category (422 for an unknown one)."""
    if slug is None:
        return {"category": None, "category_path": [], "breadcrumb": []}
    category = await repo.get_category(slug)
    if category is None:
        raise unknown_category(slug)
    return {
        "category": slug,
        "category_path": category["path"],
        "breadcrumb": category["breadcrumb"],
    }


async def list_categories(repo: ArticleRepository) -> list[Doc]:
    """Every category, flat, ordered by path (parents before children)."""
    return await repo.list_categories()


async def create_category(
    *, repo: ArticleRepository, name: str, slug: str | None = None, parent: str | None = None
) -> Doc:
    """A category under `parent` (or a root); 409 when the name or given slug is taken."""
    parent_doc = await repo.get_category(parent) if parent else None
    if parent and parent_doc is None:
        raise ApiError(
            422,
            "unknown_category",
            f"No parent category {parent!r}.",
            "التصنيف الأب غير موجود.",
            {"parent": "unknown category"},
        )
    if await repo.find_category(name=name, parent=parent):
        raise _exists("name")
    base = domain.slugify(slug if slug is not None else name, max_len=60)
    if not base:
        raise invalid_slug()
    for candidate in domain.slug_candidates(base, max_len=60):
        doc = {
            "_id": candidate,
            "name": name,
            "parent": parent,
            "path": [*(parent_doc or {}).get("path", []), candidate],
            "breadcrumb": [
                *(parent_doc or {}).get("breadcrumb", []),
                {"slug": candidate, "name": name},
            ],
            "created_at": domain.now(),
        }
        try:
            await repo.insert_category(doc)
            return doc
        except mongo.DuplicateKeyError as exc:
            if slug is not None or await repo.find_category(name=name, parent=parent):
                raise _exists("slug" if slug is not None else "name") from exc
    raise AssertionError("unreachable")


async def ensure_path(repo: ArticleRepository, names: list[str]) -> Doc | None:
    """The leaf of a root → leaf chain of category names, creating what is missing."""
    leaf: Doc | None = None
    for name in names:
        parent = leaf["_id"] if leaf else None
        leaf = await repo.find_category(name=name, parent=parent)
        if leaf is None:
            try:
                leaf = await create_category(repo=repo, name=name, parent=parent)
            except ApiError:  # created concurrently by another importer
                leaf = await repo.find_category(name=name, parent=parent)
                if leaf is None:
                    raise
    return leaf


async def delete_category(*, repo: ArticleRepository, slug: str) -> None:
    """Delete an empty leaf category; 409 when it has subcategories or articles."""
    if await repo.get_category(slug) is None:
        raise not_found("Category", "التصنيف")
    if await repo.has_children(slug):
        raise ApiError(
            409,
            "category_has_children",
            "The category has subcategories.",
            "التصنيف يحتوي على تصنيفات فرعية.",
            {"slug": slug},
        )
    if await repo.count_in_category(slug):
        raise ApiError(
            409,
            "category_not_empty",
            "The category still has articles.",
            "التصنيف ما زال يحتوي على مقالات.",
            {"slug": slug},
        )
    await repo.delete_category(slug)


def _exists(field: str) -> ApiError:
    return ApiError(
        409,
        "category_exists",
        f"A category with this {field} already exists.",
        "يوجد تصنيف بهذا الاسم أو المعرّف.",
        {field: "already exists"},
    )
