"""The pipeline's facts about one text and its writer, read (never written) from the repository:
shared by a real submission and the moderators' dry run."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from services.comments.clients import Writer
from services.comments.domain import Facts, Policy
from services.comments.records import body_hash
from services.comments.repository import CommentRepository


async def _nothing() -> None:
    return None


async def gather_facts(
    repo: CommentRepository,
    writer: Writer,
    *,
    article: dict[str, Any] | None,
    body: str,
    honeypot: str,
    policy: Policy,
    now: datetime,
) -> Facts:
    """What the pipeline decides on: the writer's last post, ban, twin and trust, the article."""
    keys, email_hash = writer.flood_keys(), writer.email_hash
    article_id = article["_id"] if article else ""
    # Not read when the policy makes them moot: no flood control, no trusted-author approval.
    keys = keys if policy.flood_interval_seconds > 0 else []
    trust = email_hash if policy.trusted_author_autoapprove else None
    # The facts are independent reads: ask for them at once rather than one after another.
    last, ban, duplicate, trusted = await asyncio.gather(
        repo.last_seen(keys) if keys else _nothing(),
        repo.active_ban(email_hash, now) if email_hash else _nothing(),
        repo.is_duplicate(article_id, email_hash, body_hash(body)) if email_hash else _nothing(),
        repo.is_trusted(trust) if trust else _nothing(),
    )
    return Facts(
        body=body,
        policy=policy,
        honeypot=honeypot,
        banned_author=ban is not None,
        seconds_since_last=(now - last).total_seconds() if last else None,
        duplicate=bool(duplicate),
        article_premoderated=bool(article and article.get("premoderation")),
        trusted_author=bool(trusted),
    )
