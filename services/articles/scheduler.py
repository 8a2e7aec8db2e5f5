"""Publishes scheduled articles when due; safe with any number of replicas running."""

from __future__ import annotations

import logging

from services.articles import domain
from services.articles.domain import Doc
from services.articles.repository import ArticleRepository
from shared import mongo
from shared.loops import Loop, LoopMetrics
from shared.unit_of_work import UnitOfWork

log = logging.getLogger("akhbar.articles.scheduler")


async def publish_due(*, repo: ArticleRepository, uow: UnitOfWork) -> int:
    """Publish every due article; returns how many this process published.

    Each claim is a conditional update in the same transaction as its outbox event: when two
    replicas race for one article, one transaction conflicts, retries, and finds it no longer
    scheduled, so the article is published — and announced — exactly once.
    """

    async def claim(session: mongo.Session) -> Doc | None:
        doc = await repo.claim_due(domain.now(), session)
        if doc is not None:
            await repo.move_tag_counts(None, doc, session)
            await uow.emit(session, domain.article_event("article.published", doc))
        return doc

    published = 0
    while await uow.commit(claim) is not None:
        published += 1
    return published


def scheduler_loop(
    repo: ArticleRepository, uow: UnitOfWork, *, interval_s: float, metrics: LoopMetrics
) -> Loop:
    """The background loop publishing what is due every `interval_s` seconds."""

    async def step() -> None:
        count = await publish_due(repo=repo, uow=uow)
        if count:
            log.info("scheduler published %d article(s)", count)

    return Loop("article-scheduler", step, interval=interval_s, metrics=metrics, logger=log)
