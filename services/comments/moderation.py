"""Moderators' use cases on comments: transitions (single and bulk) and the audit trail."""

from __future__ import annotations

import logging

from services.comments import lifecycle
from services.comments.errors import comment_not_found, concurrent_change, invalid_transition
from services.comments.repository import CommentRepository
from services.comments.schemas import ActionResult, AuditPage, AuditRecord
from services.comments.writes import change_status
from shared import mongo
from shared.auth import Principal
from shared.errors import ApiError
from shared.unit_of_work import UnitOfWork

log = logging.getLogger("akhbar.comments")


async def act(
    repo: CommentRepository,
    uow: UnitOfWork,
    *,
    comment_id: str,
    action: str,
    reason: str | None,
    who: Principal,
    expected_status: str | None = None,
    request_id: str | None,
) -> ActionResult:
    """Approve, reject, mark as spam or restore one comment (if still in `expected_status`)."""

    async def write(session: mongo.Session) -> str:
        doc = await repo.comment(comment_id, session)
        if doc is None:
            raise comment_not_found()
        if expected_status and doc["status"] != expected_status:
            raise concurrent_change()
        try:
            target = lifecycle.target_status(action, doc["status"], doc.get("previous_status"))
        except lifecycle.InvalidTransition as exc:
            raise invalid_transition(str(exc)) from None
        await change_status(
            repo, uow, session, doc, to_status=target, action=action, actor=who.name,
            reason=reason, request_id=request_id,
        )  # fmt: skip
        return target

    status = await uow.commit(write)
    return ActionResult(id=comment_id, ok=True, status=status)


async def bulk(
    repo: CommentRepository,
    uow: UnitOfWork,
    *,
    ids: list[str],
    action: str,
    reason: str | None,
    who: Principal,
    request_id: str | None,
) -> list[ActionResult]:
    """One transaction per comment, so one failure does not undo the others."""
    results = []
    for comment_id in dict.fromkeys(ids):
        try:
            done = await act(
                repo, uow, comment_id=comment_id, action=action, reason=reason, who=who,
                request_id=request_id,
            )  # fmt: skip
        except ApiError as err:
            log.info("bulk %s of comment %s refused: %s", action, comment_id, err.code)
            done = ActionResult(id=comment_id, ok=False, error=err.code)
        results.append(done)
    return results


async def history(repo: CommentRepository, *, comment_id: str) -> AuditPage:
    """The audit trail of one comment, oldest first."""
    if await repo.comment(comment_id) is None:
        raise comment_not_found()
    records = await repo.audit_trail(comment_id)
    return AuditPage(items=[AuditRecord.model_validate(r) for r in records])
