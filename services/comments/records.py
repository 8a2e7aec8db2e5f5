"""What a decision writes, built without I/O: a new comment's document, audit records, events."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.comments.clients import Writer
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


@dataclass(frozen=True)
class Move:
    """One status change: what was done and by whom, from which status to which, and why."""

    action: str
    actor: str
    from_status: str
    to_status: str
    reason: str | None


def body_hash(body: str) -> str:
    """The body's fingerprint for duplicate checks: whitespace runs count as one space."""
    return hashlib.sha256(" ".join(body.split()).encode()).hexdigest()


def new_comment(
    data: CommentIn,
    writer: Writer,
    *,
    article_id: str,
    parent: Doc | None,
    verdict: Verdict,
    now: datetime,
) -> Doc:
    """The stored document of a submission the pipeline kept, with its search keys (the
    caller sets its version: one per event it commits with)."""
    ancestors = [*parent["ancestors"], parent["_id"]] if parent else []
    doc = {
        "_id": secrets.token_hex(12),
        "article_id": article_id,
        "parent_id": parent["_id"] if parent else None,
        "ancestors": ancestors,
        "root_id": ancestors[0] if ancestors else None,
        "depth": len(ancestors) + 1,
        "author_name": data.author_name,
        "author_email": writer.email,
        "email_hash": writer.email_hash,
        "body": data.body,
        "body_hash": body_hash(data.body),
        "dedup": f"{article_id}:{writer.email_hash}:{body_hash(data.body)}",
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


def audit_record(comment_id: str, move: Move, *, at: datetime, reasons: list[str]) -> Doc:
    """One line of a comment's audit trail (`reasons`: the pipeline's, at submission)."""
    return {
        "comment_id": comment_id,
        "at": at,
        "actor": move.actor,
        "action": move.action,
        "from_status": move.from_status,
        "to_status": move.to_status,
        "reason": move.reason,
        "reasons": reasons,
    }


def moderated_event(
    doc: Doc, move: Move, *, version: int, correlation_id: str | None
) -> CommentModerated:
    """comment.moderated: the comment's status moved (its version is now `version`)."""
    data = CommentModeratedData(
        comment_id=doc["_id"],
        article_id=doc["article_id"],
        from_status=move.from_status,
        to_status=move.to_status,
        reason=move.reason,
        actor=move.actor,
    )
    return CommentModerated(
        producer=PRODUCER,
        aggregate_id=doc["_id"],
        aggregate_version=version,
        correlation_id=correlation_id,
        data=data,
    )


def submission_move(doc: Doc) -> Move:
    """The pipeline's decision on a new comment, as a move from `new`."""
    return Move("submit", PIPELINE, "new", doc["status"], doc["reasons"][0])


def submission_events(doc: Doc, correlation_id: str | None) -> list[Event]:
    """comment.submitted always; an approval at submission is also a comment.moderated."""
    submitted = CommentSubmittedData(
        comment_id=doc["_id"],
        article_id=doc["article_id"],
        parent_id=doc["parent_id"],
        status=doc["status"],
        reasons=list(doc["reasons"]),
    )
    events: list[Event] = [
        CommentSubmitted(
            producer=PRODUCER,
            aggregate_id=doc["_id"],
            aggregate_version=1,
            correlation_id=correlation_id,
            data=submitted,
        )
    ]
    if doc["status"] == "approved":
        approval = submission_move(doc)
        events.append(moderated_event(doc, approval, version=2, correlation_id=correlation_id))
    return events
