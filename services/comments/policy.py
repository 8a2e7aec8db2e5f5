"""Admin and moderator policy use cases: settings, bans, per-article pre-moderation."""

from __future__ import annotations

import secrets

from services.comments import lifecycle
from services.comments.clients import Clients
from services.comments.domain import Policy
from services.comments.queries import QueueStore, position
from services.comments.repository import CommentRepository
from services.comments.schemas import BanIn, BanOut, BanPage, SettingsIn, WordSuggestion
from shared.arabic import broken_plural_candidates, moderation_key, sound_forms, word_key
from shared.auth import Principal
from shared.errors import invalid_field, not_found
from shared.events import utcnow


async def get_settings(repo: CommentRepository) -> Policy:
    return await repo.policy()


async def put_settings(repo: CommentRepository, *, data: SettingsIn) -> Policy:
    """Replace the fields the request names; the next submission uses them."""
    fields = data.model_dump(exclude_unset=True, exclude_none=True)
    if fields:
        await repo.save_policy(fields)
    return await repo.policy()


def suggest_forms(word: str, *, arabic: bool = True) -> WordSuggestion:
    """Forms of a listed word: the sound plural and dual endings matched automatically, and
    broken-plural candidates from the common patterns for the moderator to confirm as `forms`
    (never matched unless listed: حمار → حمر would also hold "الخطوط الحمر")."""
    key = word_key(word)
    if not key:
        raise invalid_field("word", "Must contain a letter.", "يجب أن تحتوي على حرف.", arabic)
    single = " " not in key
    return WordSuggestion(
        word=word,
        key=moderation_key(word),
        automatic=sound_forms(key) if single else [],
        broken_plural_candidates=broken_plural_candidates(key) if single else [],
    )


def _ban_out(doc: dict[str, object]) -> BanOut:
    return BanOut.model_validate({"id": doc["_id"], **doc})


_invalid = invalid_field  # one builder for every service (shared.errors)


async def _ban_email(repo: CommentRepository, data: BanIn, arabic: bool) -> str:
    """The email to ban: given, or the author's of the comment given (exactly one of them)."""
    if (data.email is None) == (data.comment_id is None):
        raise _invalid("email", "Give an email or a comment_id.", "حدّد بريداً أو تعليقاً.", arabic)
    if data.comment_id is None:
        return str(data.email).lower()
    comment = await repo.comment(data.comment_id)
    if comment is None:
        raise not_found("Comment", "التعليق")
    return str(comment["author_email"])


async def ban(
    repo: CommentRepository, clients: Clients, *, data: BanIn, who: Principal, arabic: bool = True
) -> BanOut:
    """Ban an email or a comment's author (again: replaces the earlier reason and expiry)."""
    expires = data.expires_at
    if expires is not None:
        if expires <= utcnow():
            raise _invalid(
                "expires_at", "Must be in the future.", "يجب أن يكون في المستقبل.", arabic
            )
    email = await _ban_email(repo, data, arabic)
    doc = await repo.upsert_ban(
        {
            "_id": secrets.token_hex(12),
            "email": email,
            "email_hash": clients.key("email", email),
            "reason": data.reason,
            "expires_at": expires,
            "created_at": utcnow(),
            "created_by": who.name,
        }
    )
    return _ban_out(doc)


async def list_bans(store: QueueStore, *, limit: int = 50, cursor: str | None = None) -> BanPage:
    """Bans, newest first, paged."""
    docs = await store.bans_page(position(lifecycle.page_cursor(cursor)), limit)
    docs, next_cursor = lifecycle.split_page(docs, limit)
    return BanPage(items=[_ban_out(d) for d in docs], next_cursor=next_cursor)


async def unban(repo: CommentRepository, *, ban_id: str) -> None:
    if not await repo.delete_ban(ban_id):
        raise not_found("Ban", "الحظر")


async def set_premoderation(
    repo: CommentRepository, *, article_id: str, enabled: bool
) -> dict[str, object]:
    """Hold every new comment on one article for review (or stop doing so); 404 if unknown."""
    article = await repo.article(article_id)
    if article is None or article.get("deleted"):
        raise not_found("Article", "المقال")
    await repo.set_article(article_id, {"premoderation": enabled})
    return {"article_id": article_id, "premoderation": enabled}
