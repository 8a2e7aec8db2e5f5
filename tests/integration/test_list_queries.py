"""Every list query is served by an index: the finds the real list functions send, explained.

A recorder on the driver (command monitoring) keeps each `find` a list function sends, first
page and a page after a cursor, and the test asks the server to explain exactly that command.
An `$or` keyset condition would show here as a COLLSCAN followed by an in-memory sort.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from motor.motor_asyncio import AsyncIOMotorClient
from pymongo import monitoring

from services.articles import tags
from services.articles.repository import ARTICLES, ArticleRepository
from services.comments import known
from services.comments.counters import StatusCounters
from services.comments.queries import QueueStore
from services.comments.repository import CommentRepository
from services.comments.search import Filters, comment_keys
from shared import mongo, outbox
from shared.events import utcnow
from tests.integration.test_delivery import article_event

_EXPLAINED = ("find", "filter", "sort", "projection", "limit", "skip", "hint")


class Finds(monitoring.CommandListener):
    """Keeps every find command sent while `on` is set (and the names of all commands)."""

    def __init__(self) -> None:
        self.on = False
        self.commands: list[tuple[str, dict[str, Any]]] = []
        self.names: list[tuple[str, Any]] = []  # (command, collection)

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.on:
            self.names.append((event.command_name, event.command.get(event.command_name)))
        if self.on and event.command_name == "find":
            command = {k: v for k, v in event.command.items() if k in _EXPLAINED}
            self.commands.append((event.database_name, command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
async def recorded(mongo_server, isolation) -> AsyncIterator[tuple[Any, Finds]]:  # type: ignore[no-untyped-def]
    finds = Finds()
    client: AsyncIOMotorClient[Any] = AsyncIOMotorClient(
        mongo_server.url, tz_aware=True, event_listeners=[finds]
    )
    try:
        yield client[f"lists_{isolation}"], finds
    finally:
        client.close()


async def _assert_index_served(db: Any, finds: Finds, expected: int) -> None:
    assert len(finds.commands) >= expected, finds.commands
    for _, command in finds.commands:
        explained = await db.command({"explain": command, "verbosity": "queryPlanner"})
        plan = str(explained["queryPlanner"]["winningPlan"])
        assert "IXSCAN" in plan and "COLLSCAN" not in plan, f"not index-served: {command}"
        assert "$or" not in str(command["filter"]), command


async def test_article_lists_are_index_served(recorded):
    db, finds = recorded
    articles = ArticleRepository(db)
    await articles.ensure_indexes()
    now = utcnow()
    docs = [
        {
            "_id": f"a{i}",
            "slug": f"a{i}",
            "status": "published" if i % 2 else "draft",
            "published_at": now - timedelta(minutes=i // 2),  # ties on the sort key
            "updated_at": now - timedelta(minutes=i // 2),
            "category_path": ["world"],
            "tags": ["x", "y"],
        }
        for i in range(8)
    ]
    await db[ARTICLES].insert_many(docs)
    await db[tags.TAG_COUNTS].insert_many([{"_id": "x", "count": 4}, {"_id": "y", "count": 4}])
    finds.on = True
    for after in (None, (docs[3]["published_at"], "a3")):
        for category, tag in ((None, None), ("world", None), (None, "x")):
            await articles.list_published(category=category, tag=tag, after=after, limit=2)
        await articles.list_by_status(status="draft", after=after, limit=2)
    _, cursor = await articles.tag_page(limit=1, cursor=None)
    await articles.tag_page(limit=1, cursor=cursor)
    finds.on = False
    await _assert_index_served(db, finds, expected=8 + 3)


async def test_comment_lists_are_index_served(recorded):
    db, finds = recorded
    counters = StatusCounters(db)
    repo, store = CommentRepository(db, counters), QueueStore(db, counters)
    await repo.ensure_indexes()
    await store.ensure_indexes()
    now = utcnow()
    comments = []
    for i in range(6):
        doc = {
            "_id": f"c{i}",
            "article_id": "a1",
            "status": "approved" if i % 2 else "pending",
            "parent_id": None,
            "root_id": f"c{i}",
            "created_at": now - timedelta(minutes=i // 2),
            "updated_at": now,
            "email_hash": "h1",
            "author_name": "سارة",
            "body": "خبر عاجل",
            "version": 1,
        }
        comments.append({**doc, "keys": comment_keys(doc)})
    await db.comments.insert_many(comments)
    await db.bans.insert_many(
        [{"_id": f"b{i}", "email_hash": f"h{i}", "created_at": now} for i in range(3)]
    )
    base = {"article_id": "a1", "status": "approved", "parent_id": None}
    at = (comments[2]["created_at"], "c2")
    span = Filters(since=now - timedelta(days=1), until=now + timedelta(days=1))
    finds.on = True
    for after in (None, at):
        for newest in (False, True):
            await repo.page(base, after=after, newest=newest, limit=1)  # per article, public
            for filters in (Filters(), Filters(text="عاجل", email_hash="h1"), span):
                await store.search(  # the moderation queue
                    status="pending", filters=filters, after=after, newest=newest, limit=1
                )
        await store.bans_page(after, 1)
    finds.on = False
    await _assert_index_served(db, finds, expected=2 * (2 * 4 + 1))


async def test_the_outbox_pending_query_is_index_served(recorded):
    db, finds = recorded
    await outbox.ensure_indexes(db)
    published: list[str] = []

    async def publish(batch: list[tuple[str, Any]]) -> None:
        published.extend(event.event_id for _, event in batch)

    async def write(session: Any) -> None:
        await outbox.add(db, session, article_event("o1", 1), article_event("o1", 2))

    await mongo.transaction(db.client, write)
    relay = outbox.Relay(db, publish, batch=1)
    finds.on = True
    assert await relay.publish_pending() == 2
    await outbox.backlog(db)
    finds.on = False
    assert len(published) == 2
    pending = [c for _, c in finds.commands if c["find"] == outbox.COLLECTION]
    assert pending
    await _assert_index_served(db, finds, expected=len(pending))


async def test_each_read_of_a_writers_facts_is_index_served(recorded):
    db, _ = recorded
    await CommentRepository(db).ensure_indexes()
    asked = known.queries(
        email_hash="e1", article_id="a1", body_hash="b1", flood_keys=["e:e1", "i:ip"],
        twins=True,
    )  # fmt: skip
    assert sorted(asked) == ["author", "duplicate", "flood"]
    for collection, query in asked.values():
        command = {"find": collection, "filter": query}
        explained = await db.command({"explain": command, "verbosity": "queryPlanner"})
        plan = str(explained["queryPlanner"]["winningPlan"])
        assert "COLLSCAN" not in plan, f"not index-served: {command}: {plan}"


async def test_writes_that_return_the_document_are_index_served(recorded):
    """An article's compare-and-set, the scheduler's claim and a comment's report count return
    the document they wrote without a findAndModify: SecantusDB runs that command's write as a
    scan of the whole collection (12-19 ms at 2,000 documents against 1 ms by _id)."""
    db, finds = recorded
    articles = ArticleRepository(db)
    await articles.ensure_indexes()
    rows = [{"_id": f"a{i}", "slug": f"a{i}", "version": 1} for i in range(50)]
    due = utcnow() - timedelta(minutes=1)
    rows[20].update(status="scheduled", publish_at=due)
    rows[21].update(status="scheduled", publish_at=due + timedelta(hours=2))
    await db[ARTICLES].insert_many(rows)
    repo = CommentRepository(db, StatusCounters(db))
    await repo.ensure_indexes()
    await db.comments.insert_many([{"_id": f"c{i}", "report_count": 0} for i in range(50)])

    async def write(session):  # type: ignore[no-untyped-def]
        updated = await articles.compare_and_set("a7", 1, {"title": "جديد"}, session)
        stale = await articles.compare_and_set("a8", 5, {"title": "قديم"}, session)
        reported = await repo.bump_reports("c3", session)
        missing = await repo.bump_reports("nope", session)
        claimed = await articles.claim_due(utcnow(), session)
        return updated, stale, reported, missing, claimed

    finds.on = True
    updated, stale, reported, missing, claimed = await mongo.transaction(db.client, write)
    nothing_due = await mongo.transaction(db.client, lambda s: articles.claim_due(utcnow(), s))
    finds.on = False
    assert claimed["_id"] == "a20" and claimed["status"] == "published"
    assert "publish_at" not in claimed and claimed["version"] == 2
    assert nothing_due is None  # a21 is due in two hours
    assert updated["version"] == 2 and updated["title"] == "جديد"
    assert stale is None and (await db[ARTICLES].find_one({"_id": "a8"}))["version"] == 1
    assert reported["report_count"] == 1 and missing is None
    # a moderator's ban, its replacement and its lift (each its own transaction)
    finds.on = True
    ban = {"_id": "b1", "email": "x@example.com", "email_hash": "hx", "reason": "abuse"}
    first = await repo.upsert_ban(ban)
    again = await repo.upsert_ban({**ban, "_id": "b2", "reason": "spam"})
    lifted, gone = await repo.delete_ban("b1"), await repo.delete_ban("b1")
    finds.on = False
    assert first["_id"] == again["_id"] == "b1" and again["reason"] == "spam"
    assert lifted and not gone and await db.bans.count_documents({}) == 0
    assert (await db.authors.find_one({"_id": "hx"})).get("ban") is None
    assert not [n for n in finds.names if n[0] == "findAndModify"], finds.names
    await _assert_index_served(db, finds, expected=4)
