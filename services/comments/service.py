"""Submitting a comment: gather the facts, run the pipeline, store it with its events."""

from __future__ import annotations

import asyncio
import hashlib
import math
import secrets
from datetime import datetime
from typing import Any

from services.comments import lifecycle
from services.comments.context import PRODUCER, Context
from services.comments.domain import Facts, Policy, Verdict, run_pipeline, writer_view
from services.comments.schemas import (
    CommentIn,
    SubmitOut,
)
from services.comments.search import comment_keys
from shared import mongo
from shared.errors import ApiError, invalid_field, not_found
from shared.events import (
    CommentModerated,
    CommentModeratedData,
    CommentSubmitted,
    CommentSubmittedData,
    utcnow,
)
from shared.http import request_id_var

_REFUSALS = {
    "flood": (
        "flood",
        "You are commenting too fast; wait a few seconds.",
        "أنت تعلّق بسرعة كبيرة؛ انتظر بضع ثوانٍ.",
    ),
    "duplicate": (
        "duplicate_comment",
        "You already posted this comment.",
        "سبق أن نشرت هذا التعليق.",
    ),
}
_UNCLAIMED = ("honeypot", "banned_author")  # decided before the flood step


def _refused(reason: str, status: int, retry_after_s: float | None = None) -> ApiError:
    code, message, message_ar = _REFUSALS[reason]
    headers = (
        None if retry_after_s is None else {"Retry-After": str(max(1, math.ceil(retry_after_s)))}
    )
    return ApiError(status, code, message, message_ar, headers=headers)


async def find_article(ctx: Context, key: str) -> dict[str, Any]:
    """The read model of a commentable article by id, slug or old slug; 404 otherwise."""
    article = await ctx.repo.article_by_key(key)
    if article is None or lifecycle.accepts_comments(article) == "unknown":
        raise not_found("Article", "المقال")
    return article


def _bad_parent(why: str, why_ar: str, arabic: bool) -> ApiError:
    return invalid_field("parent_id", why, why_ar, arabic)


def body_hash(body: str) -> str:
    return hashlib.sha256(" ".join(body.split()).encode()).hexdigest()


async def _parent(ctx: Context, *, article_id: str, parent_id: str | None, arabic: bool) -> Any:
    if parent_id is None:
        return None
    parent = await ctx.repo.comment(parent_id)
    if not parent or parent["article_id"] != article_id or parent["status"] != "approved":
        raise _bad_parent(
            "No approved comment with this id on this article.",
            "لا يوجد تعليق منشور بهذا المعرّف على هذا المقال.",
            arabic,
        )
    if parent["depth"] >= ctx.settings.max_depth:
        raise _bad_parent("Replies cannot nest deeper.", "لا يمكن الرد بعمق أكبر.", arabic)
    return parent


async def gather_facts(
    ctx: Context,
    *,
    article: dict[str, Any] | None,
    body: str,
    honeypot: str,
    email_hash: str | None,
    client_ip: str | None,
    policy: Policy,
    now: datetime,
) -> tuple[Facts, list[str]]:
    """The pipeline's facts (read only) and the flood keys of the writer's email and IP."""
    flood_keys = [f"e:{email_hash}"] if email_hash else []
    flood_keys += [f"i:{ctx.keyed('ip', client_ip)}"] if client_ip else []
    article_id = article["_id"] if article else ""

    async def nothing() -> None:
        return None

    # The facts are independent reads: ask for them at once rather than one after another.
    last, ban, duplicate, trusted = await asyncio.gather(
        ctx.repo.last_seen(flood_keys) if flood_keys else nothing(),
        ctx.repo.active_ban(email_hash, now) if email_hash else nothing(),
        ctx.repo.is_duplicate(article_id, email_hash, body_hash(body)) if email_hash else nothing(),
        ctx.repo.is_trusted(email_hash) if email_hash else nothing(),
    )
    facts = Facts(
        body=body,
        policy=policy,
        honeypot=honeypot,
        banned_author=ban is not None,
        seconds_since_last=(now - last).total_seconds() if last else None,
        duplicate=bool(duplicate),
        article_premoderated=bool(article and article.get("premoderation")),
        trusted_author=bool(trusted),
    )
    return facts, flood_keys


async def submit(
    ctx: Context, *, article_id: str, data: CommentIn, client_ip: str | None, arabic: bool
) -> SubmitOut:
    """Check the article and parent, gather the facts, run the pipeline, store what it keeps."""
    article = await find_article(ctx, article_id)
    article_id = article["_id"]
    if lifecycle.accepts_comments(article) == "closed":
        raise ApiError(
            409,
            "comments_closed",
            "Comments are closed on this article.",
            "التعليقات مغلقة على هذا المقال.",
        )
    parent = await _parent(ctx, article_id=article_id, parent_id=data.parent_id, arabic=arabic)
    # Counted once the target exists: a retry on a not-yet-known article costs no slot.
    await ctx.limit("submit", client_ip, ctx.settings.submissions_per_client_per_hour)
    policy, now = await ctx.policy(), utcnow()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # MongoDB keeps milliseconds
    email = str(data.author_email).lower()
    email_hash = ctx.keyed("email", email)
    facts, flood_keys = await gather_facts(
        ctx,
        article=article,
        body=data.body,
        honeypot=data.website,
        email_hash=email_hash,
        client_ip=client_ip,
        policy=policy,
        now=now,
    )
    verdict = run_pipeline(facts)
    if not verdict.stored:
        wait = None
        if verdict.reasons[0] == "flood" and facts.seconds_since_last is not None:
            wait = policy.flood_interval_seconds - facts.seconds_since_last
        raise _refused(verdict.reasons[0], verdict.http_status, wait)
    doc = _new_comment(article_id, data, parent, verdict, email, email_hash, now)
    doc["keys"] = comment_keys(doc)
    events = _submission_events(doc, verdict)
    doc["version"] = len(events)
    claim = verdict.step not in _UNCLAIMED and policy.flood_interval_seconds > 0

    async def write(session: mongo.Session) -> None:
        if claim and not await ctx.repo.claim_flood(
            flood_keys, now, policy.flood_interval_seconds, session
        ):
            raise _refused("flood", 429, policy.flood_interval_seconds)
        if not await ctx.repo.claim_dedup(doc["dedup"], now, session):
            raise _refused("duplicate", 409)  # an identical post won the race
        await ctx.repo.insert_comment(doc, session)
        await ctx.counters.bump(session, {doc["status"]: 1})
        await ctx.repo.add_audit(
            {
                "comment_id": doc["_id"],
                "at": now,
                "actor": "system:pipeline",
                "action": "submit",
                "from_status": "new",
                "to_status": doc["status"],
                "reason": verdict.reasons[0],
                "reasons": list(verdict.reasons),
            },
            session,
        )
        await ctx.runtime.emit(session, *events)

    await ctx.runtime.commit(write)
    status, message, message_ar = writer_view(doc["status"])
    return SubmitOut(
        id=doc["_id"],
        article_id=article_id,
        parent_id=doc["parent_id"],
        status=status,
        message=message,
        message_ar=message_ar,
        created_at=now,
    )


def _new_comment(
    article_id: str,
    data: CommentIn,
    parent: Any,
    verdict: Verdict,
    email: str,
    email_hash: str,
    now: Any,
) -> dict[str, Any]:
    ancestors = [*parent["ancestors"], parent["_id"]] if parent else []
    return {
        "_id": secrets.token_hex(12),
        "article_id": article_id,
        "parent_id": parent["_id"] if parent else None,
        "ancestors": ancestors,
        "root_id": ancestors[0] if ancestors else None,
        "depth": len(ancestors) + 1,
        "author_name": data.author_name,
        "author_email": email,
        "email_hash": email_hash,
        "body": data.body,
        "body_hash": body_hash(data.body),
        "dedup": f"{article_id}:{email_hash}:{body_hash(data.body)}",
        "status": verdict.status,
        "previous_status": None,
        "reasons": list(verdict.reasons),
        "details": verdict.details,
        "report_count": 0,
        "created_at": now,
        "updated_at": now,
    }


def _submission_events(doc: dict[str, Any], verdict: Verdict) -> list[Any]:
    """comment.submitted always; an approval at submission is also a comment.moderated."""
    common = {
        "producer": PRODUCER,
        "aggregate_id": doc["_id"],
        "correlation_id": request_id_var.get(),
    }
    events: list[Any] = [
        CommentSubmitted(
            **common,
            aggregate_version=1,
            data=CommentSubmittedData(
                comment_id=doc["_id"],
                article_id=doc["article_id"],
                parent_id=doc["parent_id"],
                status=doc["status"],
                reasons=list(verdict.reasons),
            ),
        )
    ]
    if doc["status"] == "approved":
        events.append(
            CommentModerated(
                **common,
                aggregate_version=2,
                data=CommentModeratedData(
                    comment_id=doc["_id"],
                    article_id=doc["article_id"],
                    from_status="new",
                    to_status="approved",
                    reason=verdict.reasons[0],
                    actor="system:pipeline",
                ),
            )
        )
    return events
