"""What a decision writes, built without I/O: a new comment's document, audit records, events."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from services.comments.domain import Verdict
from services.comments.schemas import CommentIn
from services.comments.search import comment_keys
from shared.events import (
    CommentModerated,
    CommentModeratedData,
    CommentSubmitted,
    CommentSubmittedData,
    Event,
)

Doc = dict[str, Any]
PRODUCER = "comments"
PIPELINE = "system:pipeline"  # the actor of every decision taken at submission


def body_hash(body: str) -> str:
    """The body's fingerprint for duplicate checks: whitespace runs count as one space."""
    return hashlib.sha256(" ".join(body.split()).encode()).hexdigest()


def new_comment(
    *,
    article_id: str,
    data: CommentIn,
    parent: Doc | None,
    verdict: Verdict,
    email: str,
    email_hash: str,
    now: datetime,
) -> Doc:
    """The stored document of a submission the pipeline kept, with its search keys."""
    ancestors = [*parent["ancestors"], parent["_id"]] if parent else []
    doc = {
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
    doc["keys"] = comment_keys(doc)
    return doc


def audit_record(
    comment_id: str,
    *,
    at: datetime,
    actor: str,
    action: str,
    from_status: str,
    to_status: str,
    reason: str | None,
    reasons: list[str] | None = None,
) -> Doc:
    """One line of a comment's audit trail: who moved it, from which status to which, why."""
    return {
        "comment_id": comment_id,
        "at": at,
        "actor": actor,
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "reason": reason,
        "reasons": reasons or [],
    }


def moderated_event(
    doc: Doc,
    *,
    version: int,
    from_status: str,
    to_status: str,
    reason: str | None,
    actor: str,
    correlation_id: str | None,
) -> CommentModerated:
    """comment.moderated: the comment went from one status to another (version `version`)."""
    return CommentModerated(
        producer=PRODUCER,
        aggregate_id=doc["_id"],
        aggregate_version=version,
        correlation_id=correlation_id,
        data=CommentModeratedData(
            comment_id=doc["_id"],
            article_id=doc["article_id"],
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            actor=actor,
        ),
    )


def submission_events(doc: Doc, verdict: Verdict, correlation_id: str | None) -> list[Event]:
    """comment.submitted always; an approval at submission is also a comment.moderated."""
    events: list[Event] = [
        CommentSubmitted(
            producer=PRODUCER,
            aggregate_id=doc["_id"],
            aggregate_version=1,
            correlation_id=correlation_id,
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
        approval = moderated_event(
            doc,
            version=2,
            from_status="new",
            to_status="approved",
            reason=verdict.reasons[0],
            actor=PIPELINE,
            correlation_id=correlation_id,
        )
        events.append(approval)
    return events
