"""Readers' use cases: the approved threads of an article, and reporting a comment."""

from __future__ import annotations

from typing import Any

from services.comments import lifecycle
from services.comments.context import Context, page_cursor
from services.comments.moderation import transition
from services.comments.schemas import CommentPage, PublicComment, ReportIn, ReportOut
from services.comments.service import find_article
from shared import mongo
from shared.errors import ApiError, not_found
from shared.events import utcnow


async def list_public(
    ctx: Context, *, article_id: str, newest: bool, limit: int, cursor: str | None
) -> tuple[CommentPage, str]:
    """Approved comments of a public article (by id or slug): a page of threads, oldest or
    newest first, and the article's id."""
    article_id = (await find_article(ctx, article_id))["_id"]
    after = page_cursor(cursor)
    query = {"article_id": article_id, "status": "approved", "parent_id": None}
    roots = await ctx.repo.page(query, after=after, newest=newest, limit=limit + 1)
    roots, next_cursor = lifecycle.split_page(roots, limit)
    root_ids = [r["_id"] for r in roots]
    replies = await ctx.repo.replies(root_ids, ctx.settings.max_replies) if roots else []
    tree = lifecycle.thread([_public(r) for r in roots], [_public(r) for r in replies])
    page = CommentPage(
        items=[PublicComment.model_validate(t) for t in tree],
        next_cursor=next_cursor,
        count=await ctx.repo.count_public(article_id),
    )
    return page, article_id


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    keys = ("article_id", "parent_id", "author_name", "body", "created_at", "ancestors")
    return {"id": doc["_id"], **{k: doc.get(k) for k in keys}}


async def report(
    ctx: Context, *, comment_id: str, data: ReportIn, client_ip: str | None
) -> ReportOut:
    """A reader's flag, counted once per reader: per reader key and per client (IP hash), so
    fresh keys from one client do not add up. At the threshold the comment is re-queued."""
    await ctx.limit("report", client_ip, ctx.settings.reports_per_client_per_hour)
    comment = await ctx.repo.comment(comment_id)
    if not comment or comment["status"] != "approved":
        raise not_found("Comment", "التعليق")
    if lifecycle.accepts_comments(await ctx.repo.article(comment["article_id"])) == "unknown":
        raise not_found("Comment", "التعليق")
    readers = [ctx.keyed("reader", data.reader_key)]
    if client_ip:
        readers.append("client:" + ctx.keyed("ip", client_ip))
    threshold = (await ctx.policy()).report_threshold

    async def write(session: mongo.Session) -> None:
        if not await ctx.repo.add_report(
            comment_id, readers, utcnow(), session, reason=data.reason
        ):
            raise ApiError(
                409,
                "already_reported",
                "You already reported this comment.",
                "سبق أن أبلغت عن هذا التعليق.",
            )
        doc = await ctx.repo.bump_reports(comment_id, session)
        if doc and lifecycle.reaches_threshold(doc["report_count"], threshold, doc["status"]):
            await transition(
                ctx,
                session,
                doc,
                to_status="reported",
                action="report",
                actor="system:reports",
                reason="reader_reports",
            )

    await ctx.runtime.commit(write)
    return ReportOut(
        id=comment_id,
        reported=True,
        message="Thank you, we will take a look.",
        message_ar="شكراً، سنراجع التعليق.",
    )
