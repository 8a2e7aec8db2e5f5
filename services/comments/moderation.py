"""Moderator use cases: the queue, transitions (single and bulk) and the audit trail."""

from __future__ import annotations

from typing import Any

from services.comments import lifecycle
from services.comments.context import PRODUCER, Context
from services.comments.schemas import ActionResult, AuditPage, AuditRecord
from services.comments.search import comment_keys
from shared import mongo
from shared.auth import Principal
from shared.errors import ApiError, not_found
from shared.events import CommentModerated, CommentModeratedData, utcnow
from shared.http import request_id_var


def comment_not_found() -> ApiError:
    return not_found("Comment", "التعليق")


def _conflict(message: str) -> ApiError:
    return ApiError(
        409, "invalid_transition", message, "لا يمكن تطبيق هذا الإجراء على حالة التعليق."
    )


def _changed() -> ApiError:
    return ApiError(
        409,
        "concurrent_change",
        "The comment changed meanwhile; reload.",
        "تغيّر التعليق في الأثناء؛ أعد التحميل.",
    )


async def transition(
    ctx: Context,
    session: mongo.Session,
    doc: dict[str, Any],
    *,
    to_status: str,
    action: str,
    actor: str,
    reason: str | None,
) -> None:
    """Change a comment's status in the caller's transaction: audit record + comment.moderated."""
    now = utcnow()
    fields = {"status": to_status, "previous_status": doc["status"], "updated_at": now}
    if to_status == "reported":
        fields["reasons"] = ["reader_reports"]
    if to_status == "approved":  # a moderator's approval outweighs the reports so far
        fields["report_count"] = 0
    fields["moderation_reason"] = reason
    fields["keys"] = comment_keys({**doc, **fields})
    if not await ctx.repo.update_status(doc["_id"], doc["version"], fields, session):
        raise _changed()
    await ctx.counters.bump(session, {doc["status"]: -1, to_status: 1})
    await ctx.repo.add_audit(
        {
            "comment_id": doc["_id"],
            "at": now,
            "actor": actor,
            "action": action,
            "from_status": doc["status"],
            "to_status": to_status,
            "reason": reason,
            "reasons": [],
        },
        session,
    )
    await ctx.runtime.emit(
        session,
        CommentModerated(
            producer=PRODUCER,
            aggregate_id=doc["_id"],
            aggregate_version=doc["version"] + 1,
            correlation_id=request_id_var.get(),
            data=CommentModeratedData(
                comment_id=doc["_id"],
                article_id=doc["article_id"],
                from_status=doc["status"],
                to_status=to_status,
                reason=reason,
                actor=actor,
            ),
        ),
    )


async def act(
    ctx: Context,
    *,
    comment_id: str,
    action: str,
    reason: str | None,
    who: Principal,
    expected_status: str | None = None,
) -> ActionResult:
    """Approve, reject, mark as spam or restore one comment (if still in `expected_status`)."""

    async def write(session: mongo.Session) -> str:
        doc = await ctx.repo.comment(comment_id, session)
        if doc is None:
            raise comment_not_found()
        if expected_status and doc["status"] != expected_status:
            raise _changed()
        try:
            target = lifecycle.target_status(action, doc["status"], doc.get("previous_status"))
        except lifecycle.InvalidTransition as exc:
            raise _conflict(str(exc)) from None
        await transition(
            ctx, session, doc, to_status=target, action=action, actor=who.name, reason=reason
        )
        return target

    status = await ctx.runtime.commit(write)
    return ActionResult(id=comment_id, ok=True, status=status)


async def bulk(
    ctx: Context, *, ids: list[str], action: str, reason: str | None, who: Principal
) -> list[ActionResult]:
    """One transaction per comment, so one failure does not undo the others."""
    results = []
    for comment_id in dict.fromkeys(ids):
        try:
            results.append(
                await act(ctx, comment_id=comment_id, action=action, reason=reason, who=who)
            )
        except ApiError as err:
            results.append(ActionResult(id=comment_id, ok=False, error=err.code))
    return results


async def history(ctx: Context, *, comment_id: str) -> AuditPage:
    """The audit trail of one comment, oldest first."""
    if await ctx.repo.comment(comment_id) is None:
        raise comment_not_found()
    records = await ctx.repo.audit_trail(comment_id)
    return AuditPage(items=[AuditRecord.model_validate(r) for r in records])
