"""The writes use cases commit, each with its audit record and events in the same transaction:
storing a new comment (after its flood and duplicate claims), and changing a comment's status
(moderators' actions and readers' reports both change a status this way)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.comments.domain import Policy, Verdict
from services.comments.errors import concurrent_change, refused
from services.comments.records import Move, audit_record, moderated_event, submission_move
from services.comments.repository import CommentRepository
from services.comments.search import comment_keys
from shared import mongo
from shared.errors import ApiError
from shared.events import Event, utcnow
from shared.unit_of_work import UnitOfWork

Doc = dict[str, Any]
_UNCLAIMED = ("honeypot", "banned_author")  # decided before the flood step


@dataclass(frozen=True)
class FloodClaim:
    """The flood slot a stored comment takes for each of its writer's keys."""

    keys: list[str]
    interval_s: int


def flood_claim(verdict: Verdict, policy: Policy, keys: list[str]) -> FloodClaim | None:
    """None when flood control is off or the comment was decided before the flood step (a
    bot's, a banned writer's): those take no slot."""
    if verdict.step in _UNCLAIMED or policy.flood_interval_seconds <= 0:
        return None
    return FloodClaim(keys, policy.flood_interval_seconds)


@dataclass(frozen=True)
class StoreComment:
    """The write of a submission: claim the flood slot and the body (twins race), store the
    comment, its audit record and its events. Alone, it is one transaction's work; in a group
    (group.py) each member claims its flood slot in turn, then the bodies are claimed and the
    rows written together."""

    repo: CommentRepository
    uow: UnitOfWork
    doc: Doc
    events: list[Event]
    flood: FloodClaim | None

    @property
    def record(self) -> Doc:
        doc = self.doc
        return audit_record(
            doc["_id"], submission_move(doc), at=doc["created_at"], reasons=list(doc["reasons"])
        )

    async def claim_flood(self, session: mongo.Session) -> None:
        """The flood slot, or the writer's 429."""
        now, flood = self.doc["created_at"], self.flood
        if flood and not await self.repo.claim_flood(flood.keys, now, flood.interval_s, session):
            raise refused("flood", 429, flood.interval_s)

    async def __call__(self, session: mongo.Session) -> None:
        await self.claim_flood(session)
        for error in (await claim_bodies([self], session)).values():
            raise error
        await self.repo.insert_comment(self.doc, session)
        await self.repo.add_audit(self.record, session)
        await self.uow.emit(session, *self.events)


async def claim_bodies(stores: list[StoreComment], session: mongo.Session) -> dict[int, ApiError]:
    """The bodies of submissions claimed in one statement: each refused one's 409 (an
    identical post won the race, or came earlier in `stores`), by position."""
    if not stores:
        return {}
    claims = [(s.doc["dedup"], s.doc["created_at"]) for s in stores]
    refused_at = await stores[0].repo.claim_dedups(claims, session)
    return {index: refused("duplicate", 409) for index in sorted(refused_at)}


async def store_together(stores: list[StoreComment], session: mongo.Session) -> None:
    """The rows of claimed submissions, one statement per collection (events: the caller's)."""
    if stores:
        repo = stores[0].repo
        await repo.insert_comments([s.doc for s in stores], session)
        await repo.add_audits([s.record for s in stores], session)


def store_comment(
    repo: CommentRepository,
    uow: UnitOfWork,
    doc: Doc,
    events: list[Event],
    flood: FloodClaim | None,
) -> StoreComment:
    """The write of a submission (see StoreComment)."""
    return StoreComment(repo, uow, doc, events, flood)


def changed_fields(doc: Doc, *, to_status: str, reason: str | None, now: datetime) -> Doc:
    """The fields a change sets: status, the one before it, and the search keys they change."""
    fields: Doc = {"status": to_status, "previous_status": doc["status"], "updated_at": now}
    if to_status == "reported":
        fields["reasons"] = ["reader_reports"]
    if to_status == "approved":  # a moderator's approval outweighs the reports so far
        fields["report_count"] = 0
    fields["moderation_reason"] = reason
    fields["keys"] = comment_keys({**doc, **fields})
    return fields


async def change_status(
    repo: CommentRepository,
    uow: UnitOfWork,
    session: mongo.Session,
    doc: Doc,
    *,
    to_status: str,
    action: str,
    actor: str,
    reason: str | None,
    request_id: str | None,
) -> None:
    """Move `doc` (as read in this transaction) to `to_status`; 409 if it changed meanwhile."""
    now = utcnow()
    fields = changed_fields(doc, to_status=to_status, reason=reason, now=now)
    if not await repo.update_status(doc, fields, session):
        raise concurrent_change()
    move = Move(action, actor, doc["status"], to_status, reason)
    await repo.add_audit(audit_record(doc["_id"], move, at=now, reasons=[]), session)
    event = moderated_event(doc, move, version=doc["version"] + 1, correlation_id=request_id)
    await uow.emit(session, event)
