"""Admin and moderator policy use cases: settings, bans, per-article pre-moderation."""

from __future__ import annotations

import secrets

from services.comments.context import Context
from services.comments.domain import Policy
from services.comments.schemas import BanIn, BanOut, BanPage, SettingsIn, WordSuggestion
from shared.arabic import broken_plural_candidates, moderation_key, sound_forms, word_key
from shared.auth import Principal
from shared.errors import ApiError, not_found
from shared.events import utcnow


async def get_settings(ctx: Context) -> Policy:
    return await ctx.policy()


async def put_settings(ctx: Context, *, data: SettingsIn) -> Policy:
    """Replace the fields the request names; the next submission uses them."""
    fields = data.model_dump(exclude_unset=True, exclude_none=True)
    if fields:
        await ctx.repo.save_policy(fields)
    return await ctx.policy()


def suggest_forms(word: str, *, arabic: bool = True) -> WordSuggestion:
    """Forms of a listed word: the sound plural and dual endings matched automatically, and
    broken-plural candidates from the common patterns for the moderator to confirm as `forms`
    (never matched unless listed: حمار → حمر would also hold "الخطوط الحمر")."""
    key = word_key(word)
    if not key:
        raise ApiError(
            422,
            "validation_failed",
            "Some fields are missing or invalid.",
            "بعض الحقول ناقصة أو غير صالحة.",
            {"word": "يجب أن تحتوي على حرف." if arabic else "Must contain a letter."},
        )
    single = " " not in key
    return WordSuggestion(
        word=word,
        key=moderation_key(word),
        automatic=sound_forms(key) if single else [],
        broken_plural_candidates=broken_plural_candidates(key) if single else [],
    )


def _ban_out(doc: dict[str, object]) -> BanOut:
    return BanOut.model_validate({"id": doc["_id"], **doc})


async def ban(ctx: Context, *, data: BanIn, who: Principal, arabic: bool = True) -> BanOut:
    """Ban an email (again: replaces the earlier ban's reason and expiry)."""
    expires = data.expires_at
    if expires is not None:
        if expires <= utcnow():
            raise ApiError(
                422,
                "validation_failed",
                "Some fields are missing or invalid.",
                "بعض الحقول ناقصة أو غير صالحة.",
                {"expires_at": "يجب أن يكون في المستقبل." if arabic else "Must be in the future."},
            )
    email = str(data.email).lower()
    doc = await ctx.repo.upsert_ban(
        {
            "_id": secrets.token_hex(12),
            "email": email,
            "email_hash": ctx.keyed("email", email),
            "reason": data.reason,
            "expires_at": expires,
            "created_at": utcnow(),
            "created_by": who.name,
        }
    )
    return _ban_out(doc)


async def list_bans(ctx: Context) -> BanPage:
    return BanPage(items=[_ban_out(d) for d in await ctx.repo.list_bans()])


async def unban(ctx: Context, *, ban_id: str) -> None:
    if not await ctx.repo.delete_ban(ban_id):
        raise not_found("Ban", "الحظر")


async def set_premoderation(ctx: Context, *, article_id: str, enabled: bool) -> dict[str, object]:
    """Hold every new comment on one article for review (or stop doing so); 404 if unknown."""
    article = await ctx.repo.article(article_id)
    if article is None or article.get("deleted"):
        raise not_found("Article", "المقال")
    await ctx.repo.set_article(article_id, {"premoderation": enabled})
    return {"article_id": article_id, "premoderation": enabled}
