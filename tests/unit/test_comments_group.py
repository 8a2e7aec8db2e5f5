"""Group commit (concurrent submissions share a transaction) and the policy held in memory:
the submission rules stay as they were (fakes for the repository; the real database's side is
in tests/integration/comments/test_warm_submission.py)."""

from __future__ import annotations

import asyncio
import copy

from prometheus_client import CollectorRegistry

from services.comments.domain import Policy
from services.comments.group import GroupCommit
from services.comments.warm import WarmArticles, WarmPolicy
from shared import mongo
from shared.cache import ReadCache, events_tags
from shared.events import ArticleSnapshot, ArticleUpdated, CommentSubmitted
from shared.unit_of_work import InMemoryUnitOfWork
from tests.unit.comments_fakes import World, refusal


class Rollback(InMemoryUnitOfWork):
    """A transaction that fails leaves the fake repository as it found it, as MongoDB does."""

    def __init__(self, repo: object) -> None:
        super().__init__()
        self.repo = repo

    async def commit(self, work):  # type: ignore[no-untyped-def]
        saved = copy.deepcopy(vars(self.repo))
        try:
            return await super().commit(work)
        except BaseException:
            vars(self.repo).clear()
            vars(self.repo).update(saved)
            raise


def grouped(world: World) -> InMemoryUnitOfWork:
    """Route the world's submissions through a GroupCommit; the inner unit of work."""
    inner = Rollback(world.repo)
    world.uow = GroupCommit(inner)  # type: ignore[assignment]
    return inner


async def test_concurrent_submissions_share_one_commit_in_arrival_order():
    world = World()
    inner = grouped(world)
    outs = await asyncio.gather(*(world.submit(f"تعليق رقم {n}", ip=None) for n in range(5)))
    assert inner.commits == 1
    submitted = [e.aggregate_id for e in inner.events if e.type == "comment.submitted"]
    assert submitted == [o.id for o in outs]
    assert len(world.repo.comments) == 5 and len(world.repo.audit) == 5


async def test_a_refused_twin_leaves_the_group_and_the_others_are_stored():
    world = World()
    inner = grouped(world)
    results = await asyncio.gather(
        world.submit("تعليق أول", ip=None),
        world.submit("توأم", ip=None),
        world.submit("توأم", ip=None),
        world.submit("تعليق أخير", ip=None),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert [getattr(e, "code", e) for e in errors] == ["duplicate_comment"]
    assert len(world.repo.comments) == 3
    assert {e.aggregate_id for e in inner.events} == {r.id for r in results if r not in errors}


async def test_twins_of_each_other_and_of_a_stored_comment_leave_one_group_together():
    world = World()
    await world.submit("مخزّن من قبل", ip=None)
    inner = grouped(world)
    bodies = ["أ", "ب", "أ", "مخزّن من قبل", "ب", "ج"]
    results = await asyncio.gather(
        *(world.submit(body, ip=None) for body in bodies), return_exceptions=True
    )
    codes = [getattr(r, "code", "stored") for r in results]
    dup = "duplicate_comment"
    assert codes == ["stored", "stored", dup, dup, dup, "stored"]
    assert len(world.repo.comments) == 4  # three new and the one stored before
    stored = {r.id for r in results if not isinstance(r, Exception)}
    assert {e.aggregate_id for e in inner.events} == stored


async def test_flood_stays_atomic_inside_a_group():
    world = World(flood_interval_seconds=60)
    grouped(world)
    results = await asyncio.gather(
        *(world.submit(f"تعليق {n}", ip="10.0.0.9") for n in range(3)), return_exceptions=True
    )
    codes = sorted(getattr(r, "code", "stored") for r in results)
    assert codes == ["flood", "flood", "stored"]


async def test_a_failed_database_reaches_every_writer_of_the_group():
    class Broken(InMemoryUnitOfWork):
        async def commit(self, work):  # type: ignore[no-untyped-def]
            raise mongo.ConnectionFailure("down")

    group = GroupCommit(Broken())

    async def work(session):  # type: ignore[no-untyped-def]
        return "written"

    results = await asyncio.gather(*(group.commit(work) for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, mongo.ConnectionFailure) for r in results)
    assert await GroupCommit(InMemoryUnitOfWork()).commit(work) == "written"


async def test_a_lone_submission_is_refused_as_before():
    world = World()
    grouped(world)
    await world.submit("مرة")
    error = await refusal(world.submit("مرة"))
    assert error.code == "duplicate_comment"


async def test_the_policy_held_in_memory_is_dropped_by_a_local_save_and_refreshed():
    stored = [Policy(flood_interval_seconds=5)]
    reads = 0

    async def load() -> Policy:
        nonlocal reads
        reads += 1
        return stored[0]

    warm = WarmPolicy(load, refresh_s=0.05)
    assert (await warm.get()).flood_interval_seconds == 5
    stored[0] = Policy(flood_interval_seconds=9)  # another replica's save
    assert (await warm.get()).flood_interval_seconds == 5 and reads == 1  # within the bound
    await asyncio.sleep(0.06)
    assert (await warm.get()).flood_interval_seconds == 9 and reads == 2
    stored[0] = Policy(flood_interval_seconds=1)
    warm.drop()  # this process saved it
    assert (await warm.get()).flood_interval_seconds == 1


async def test_a_policy_read_that_raced_a_save_is_not_kept():
    release = asyncio.Event()
    stored = [Policy(flood_interval_seconds=5)]

    async def slow_load() -> Policy:
        old = stored[0]
        await release.wait()
        return old

    warm = WarmPolicy(slow_load, refresh_s=60)
    reading = asyncio.create_task(warm.get())
    await asyncio.sleep(0)
    stored[0] = Policy(flood_interval_seconds=9)
    warm.drop()  # saved while the read was in flight
    release.set()
    assert (await reading).flood_interval_seconds == 5  # that request saw the old one
    assert (await warm.get()).flood_interval_seconds == 9  # the next one does not


async def test_comments_on_an_article_keep_its_warm_fields_and_its_own_events_drop_them():
    loads = 0

    async def load(key: str) -> dict[str, str]:
        nonlocal loads
        loads += 1
        return {"_id": "a1", "status": "published"}

    warm = WarmArticles(load, refresh_s=60)
    warm.cache = ReadCache("t", registry=CollectorRegistry())
    warm.cache.enabled = True
    data = {"comment_id": "c1", "article_id": "a1", "status": "pending"}
    submitted = CommentSubmitted(
        producer="comments", aggregate_id="c1", aggregate_version=1, data=data
    )
    await warm.get("a1")
    warm.cache.invalidate(*events_tags([submitted]))  # what a commit or the event tail does
    await warm.get("a1")
    assert loads == 1  # a stream of comments does not send every submission to the database
    closed = ArticleUpdated(
        producer="articles", aggregate_id="a1", aggregate_version=2,
        data=ArticleSnapshot(id="a1", slug="a1", title="t", status="published", version=2),
    )  # fmt: skip
    warm.cache.invalidate(*events_tags([closed]))
    await warm.get("a1")
    assert loads == 2
    warm.drop("a1")  # a local write to the read model (pre-moderation)
    await warm.get("a1")
    assert loads == 3
