"""The comment use cases of writers and readers: submit a comment (through the moderation
pipeline), read an article's threads, report a comment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.comments import lifecycle
from services.comments.clients import Clients
from services.comments.domain import Facts, Verdict, run_pipeline, writer_view
from services.comments.errors import already_reported, comment_not_found, comments_closed, refused
from services.comments.facts import gather_facts
from services.comments.records import new_comment, submission_events
from services.comments.repository import CommentRepository
from services.comments.schemas import (
    CommentIn,
    CommentPage,
    PublicComment,
    ReportIn,
    ReportOut,
    SubmitOut,
)
from services.comments.writes import change_status, flood_claim, store_comment
from shared import mongo
from shared.errors import ApiError, invalid_field, not_found
from shared.events import utcnow
from shared.unit_of_work import UnitOfWork

Doc = dict[str, Any]


async def find_article(repo: CommentRepository, key: str) -> dict[str, Any]:
    """The read model of a commentable article by id, slug or old slug; 404 otherwise."""
    article = await repo.article_by_key(key)
    if article is None or lifecycle.accepts_comments(article) == "unknown":
        raise not_found("Article", "المقال")
    return article


def _bad_parent(why: str, why_ar: str, arabic: bool) -> ApiError:
    return invalid_field("parent_id", why, why_ar, arabic)


async def _parent(
    repo: CommentRepository, *, article_id: str, parent_id: str | None, max_depth: int, arabic: bool
) -> Doc | None:
    """The approved comment on this article being replied to, if any; 422 otherwise."""
    if parent_id is None:
        return None
    parent = await repo.comment(parent_id)
    if not parent or parent["article_id"] != article_id or parent["status"] != "approved":
        raise _bad_parent(
            "No approved comment with this id on this article.",
            "لا يوجد تعليق منشور بهذا المعرّف على هذا المقال.",
            arabic,
        )
    if parent["depth"] >= max_depth:
        raise _bad_parent("Replies cannot nest deeper.", "لا يمكن الرد بعمق أكبر.", arabic)
    return parent


# --- submitting ---------------------------------------------------------------------------


async def _open_article(repo: CommentRepository, key: str) -> Doc:
    """The article a comment is written on: 404 when unknown, 409 when its comments are closed
    (its read model held in memory, dropped by the article's events)."""
    article = await repo.submit_article(key)
    state = lifecycle.accepts_comments(article)
    if state == "unknown":
        raise not_found("Article", "المقال")
    if state == "closed":
        raise comments_closed()
    assert article is not None
    return article


def _now_ms() -> datetime:
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)  # MongoDB keeps milliseconds


def _decide(facts: Facts) -> Verdict:
    """The pipeline's verdict; a refusal (flood, duplicate) is the writer's 429 or 409."""
    verdict = run_pipeline(facts)
    if verdict.stored:
        return verdict
    wait = None
    if verdict.reasons[0] == "flood" and facts.seconds_since_last is not None:
        wait = facts.policy.flood_interval_seconds - facts.seconds_since_last
    raise refused(verdict.reasons[0], verdict.http_status, wait)


def _submitted(doc: Doc) -> SubmitOut:
    """What the writer is told (spam looks held)."""
    status, message, message_ar = writer_view(doc["status"])
    return SubmitOut(
        id=doc["_id"],
        article_id=doc["article_id"],
        parent_id=doc["parent_id"],
        status=status,
        message=message,
        message_ar=message_ar,
        created_at=doc["created_at"],
    )


async def submit(
    repo: CommentRepository,
    uow: UnitOfWork,
    clients: Clients,
    *,
    article_id: str,
    data: CommentIn,
    client_ip: str | None,
    arabic: bool,
    max_depth: int,
    request_id: str | None,
) -> SubmitOut:
    """Check the article and parent, gather the facts, run the pipeline, store what it keeps."""
    article = await _open_article(repo, article_id)
    article_id = article["_id"]
    parent = await _parent(
        repo, article_id=article_id, parent_id=data.parent_id, max_depth=max_depth, arabic=arabic
    )
    # Counted once the target exists: a retry on a not-yet-known article costs no slot.
    await clients.limit("submit", client_ip)
    writer = clients.writer(str(data.author_email), client_ip)
    policy, now = await repo.submit_policy(), _now_ms()
    # No read for a twin: the write's body claim refuses one with the same 409 (claims.py).
    facts = await gather_facts(
        repo, writer, article=article, body=data.body, honeypot=data.website, policy=policy,
        now=now, twins=False,
    )  # fmt: skip
    verdict = _decide(facts)
    doc = new_comment(data, writer, article_id=article_id, parent=parent, verdict=verdict, now=now)
    events = submission_events(doc, request_id)
    doc["version"] = len(events)
    flood = flood_claim(verdict, policy, writer.flood_keys())
    await uow.commit(store_comment(repo, uow, doc, events, flood))
    return _submitted(doc)


# --- reading and reporting ----------------------------------------------------------------


def _public(doc: Doc) -> Doc:
    keys = ("article_id", "parent_id", "author_name", "body", "created_at", "ancestors")
    shown = {"id": doc["_id"], **{k: doc.get(k) for k in keys}, "removed": False}
    if doc["status"] != "approved":  # a hidden thread start: its place, nothing of it
        shown |= {"author_name": None, "body": None, "removed": True}
    return shown


async def _thread_starts(
    repo: CommentRepository,
    article_id: str,
    after: tuple[datetime, str] | None,
    *,
    newest: bool,
    limit: int,
) -> list[Doc]:
    """Up to `limit` thread starts in page order: the approved ones, and hidden ones that hold
    approved replies (few: merged in by their sort key)."""
    query = {"article_id": article_id, "status": "approved", "parent_id": None}
    roots = await repo.page(query, after=after, newest=newest, limit=limit)
    placeholders = await repo.hidden_roots_with_replies(article_id)
    if not placeholders:
        return roots

    def key(doc: Doc) -> tuple[datetime, str]:
        return doc["created_at"], doc["_id"]

    if after is not None:
        placeholders = [d for d in placeholders if (key(d) < after if newest else key(d) > after)]
    return sorted([*roots, *placeholders], key=key, reverse=newest)[:limit]


async def list_public(
    repo: CommentRepository,
    *,
    article_id: str,
    newest: bool,
    limit: int,
    cursor: str | None,
    max_replies: int,
) -> tuple[CommentPage, str]:
    """Approved comments of a public article (by id or slug): a page of threads, oldest or
    newest first, and the article's id."""
    article_id = (await find_article(repo, article_id))["_id"]
    after = lifecycle.page_cursor(cursor)
    roots = await _thread_starts(repo, article_id, after, newest=newest, limit=limit + 1)
    roots, next_cursor = lifecycle.split_page(roots, limit)
    root_ids = [r["_id"] for r in roots]
    replies = await repo.replies(root_ids, max_replies) if roots else []
    tree = lifecycle.thread([_public(r) for r in roots], [_public(r) for r in replies])
    page = CommentPage(
        items=[PublicComment.model_validate(t) for t in tree],
        next_cursor=next_cursor,
        count=await repo.count_public(article_id),
    )
    return page, article_id


async def _reportable(repo: CommentRepository, comment_id: str) -> None:
    """Readers report approved comments on live articles; any other is not found."""
    comment = await repo.comment(comment_id)
    if not comment or comment["status"] != "approved":
        raise comment_not_found()
    if lifecycle.accepts_comments(await repo.article(comment["article_id"])) == "unknown":
        raise comment_not_found()


async def report(
    repo: CommentRepository,
    uow: UnitOfWork,
    clients: Clients,
    *,
    comment_id: str,
    data: ReportIn,
    client_ip: str | None,
    request_id: str | None,
) -> ReportOut:
    """A reader's flag, counted once per reader: per reader key and per client (IP hash), so
    fresh keys from one client do not add up. At the threshold the comment is re-queued."""
    await clients.limit("report", client_ip)
    await _reportable(repo, comment_id)
    readers = [clients.key("reader", data.reader_key)]
    if client_ip:
        readers.append("client:" + clients.key("ip", client_ip))
    threshold = (await repo.policy()).report_threshold

    async def write(session: mongo.Session) -> None:
        if not await repo.add_report(comment_id, readers, utcnow(), session, reason=data.reason):
            raise already_reported()
        doc = await repo.bump_reports(comment_id, session)
        if doc and lifecycle.reaches_threshold(doc["report_count"], threshold, doc["status"]):
            await change_status(
                repo, uow, session, doc, to_status="reported", action="report",
                actor="system:reports", reason="reader_reports", request_id=request_id,
            )  # fmt: skip

    await uow.commit(write)
    return ReportOut(
        id=comment_id,
        reported=True,
        message="Thank you, we will take a look.",
        message_ar="شكراً، سنراجع التعليق.",
    )
