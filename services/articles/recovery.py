"""Recovery tools of the articles service: re-emit article events, rebuild comment counts.

Both are safe to run at any time: re-emitted events carry each article's current version (a
consumer that holds it ignores them), and the comment-count rebuild recomputes each count
from the comments service's truth while comment events keep flowing.
"""

from __future__ import annotations

from datetime import datetime

from services.articles import domain
from services.articles.domain import Doc
from services.articles.repository import ArticleRepository
from shared import mongo
from shared.peers import Peer
from shared.unit_of_work import UnitOfWork

COUNTS_PATH = "/internal/comment-counts"
EMIT_BATCH = 100


def _event_type(doc: Doc) -> str | None:
    """The event that states an article's current status to a consumer that lost track."""
    if doc["status"] == domain.PUBLISHED:
        return "article.published"
    if not doc.get("published_at"):
        return None  # never published: consumers never heard of it
    return "article.deleted" if doc["status"] == domain.DELETED else "article.unpublished"


async def reemit(
    *,
    repo: ArticleRepository,
    uow: UnitOfWork,
    since: datetime | None = None,
    ids: list[str] | None = None,
) -> int:
    """Emit each chosen article's current state again (changed since `since`, or `ids`)."""
    emitted, batch = 0, []
    async for doc in repo.changed(since=since, ids=ids):
        batch.append(doc)
        if len(batch) == EMIT_BATCH:
            emitted += await _emit(uow, batch)
            batch = []
    return emitted + await _emit(uow, batch)


async def _emit(uow: UnitOfWork, docs: list[Doc]) -> int:
    events = [
        domain.article_event(kind, doc, causation_id="reemit")
        for doc in docs
        if (kind := _event_type(doc))
    ]

    async def write(session: mongo.Session) -> None:
        await uow.emit(session, *events)

    if events:
        await uow.commit(write)
    return len(events)


async def rebuild_comment_counts(
    *, repo: ArticleRepository, uow: UnitOfWork, comments: Peer
) -> dict[str, int]:
    """Reload every comment's approval from the comments service, then recount per article."""
    seen = 0
    async for items in comments.pages(COUNTS_PATH):
        await repo.merge_comment_states(items)
        seen += len(items)
    return {"comments": seen, "articles_changed": await recount(repo=repo, uow=uow)}


async def recount(*, repo: ArticleRepository, uow: UnitOfWork) -> int:
    """Set every article's comment_count to its approved comment states; returns changes."""
    counts = await repo.approved_per_article()
    changed = 0
    async for article_id, held in repo.comment_counts():
        if held != counts.get(article_id, 0):

            async def fix(session: mongo.Session, article_id: str = article_id) -> None:
                await repo.recount_comments(article_id, session)

            await uow.commit(fix)
            changed += 1
    return changed
