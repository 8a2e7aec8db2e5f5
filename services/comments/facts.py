"""The pipeline's facts about one text and its writer, read (never written) from the repository:
shared by a real submission and the moderators' dry run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.comments.clients import Writer
from services.comments.domain import Facts, Policy
from services.comments.records import body_hash
from services.comments.repository import CommentRepository


async def gather_facts(
    repo: CommentRepository,
    writer: Writer,
    *,
    article: dict[str, Any] | None,
    body: str,
    honeypot: str,
    policy: Policy,
    now: datetime,
    twins: bool = True,
) -> Facts:
    """What the pipeline decides on: the writer's last post, ban, twin and trust, the article.
    `twins=False`: no read for a twin (a submission's write claims the body, claims.py)."""
    # Not read when the policy makes them moot: no flood control, no trusted-author approval.
    keys = writer.flood_keys() if policy.flood_interval_seconds > 0 else []
    known = await repo.known(
        email_hash=writer.email_hash or "",
        article_id=article["_id"] if article else "",
        body_hash=body_hash(body),
        flood_keys=keys,
        trust=policy.trusted_author_autoapprove,
        twins=twins,
        now=now,
    )
    last = known.last_seen
    return Facts(
        body=body,
        policy=policy,
        honeypot=honeypot,
        banned_author=known.banned,
        seconds_since_last=(now - last).total_seconds() if last else None,
        duplicate=known.duplicate,
        article_premoderated=bool(article and article.get("premoderation")),
        trusted_author=known.trusted,
    )
