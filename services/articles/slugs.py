"""Choosing a free slug: derived from the title, unique with a numeric suffix."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.articles import domain
from services.articles.errors import invalid_slug, slug_taken
from services.articles.repository import ArticleRepository
from shared import mongo

T = TypeVar("T")
FALLBACK = "maqal"  # a title with no letters or digits (emoji only) still gets a slug
_ATTEMPTS = 5


async def choose_slug(
    repo: ArticleRepository, article_id: str, *, title: str, given: str | None, max_len: int
) -> str:
    """A slug free for `article_id` (or already its own); 409 for a given slug held by another."""
    if given is not None:
        slug = domain.slugify(given, max_len=max_len)
        if not slug:
            raise invalid_slug()
        if await repo.slug_owner(slug) not in (None, article_id):
            raise slug_taken(slug)
        return slug
    base = domain.slugify(title, max_len=max_len) or FALLBACK
    for candidate in domain.slug_candidates(base, max_len=max_len):
        if await repo.slug_owner(candidate) in (None, article_id):
            return candidate
    raise AssertionError("unreachable")  # slug_candidates never ends


async def with_slug_retry(attempt: Callable[[], Awaitable[T]], *, given: str | None) -> T:
    """Run `attempt`, choosing again when a concurrent writer took the slug first."""
    for _ in range(_ATTEMPTS - 1):
        try:
            return await attempt()
        except mongo.DuplicateKeyError as exc:
            if given is not None:
                raise slug_taken(domain.slugify(given)) from exc
    return await attempt()
