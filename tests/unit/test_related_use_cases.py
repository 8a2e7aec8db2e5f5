"""The related service's use cases with in-memory fakes of the store, the search index and the
inbox: the live index and the engine are the real ones (the integration tests use MongoDB)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.related import service
from services.related.engine import EngineConfig
from services.related.index import LiveIndex
from services.related.rebuild import Report
from services.related.rebuild_jobs import new_job, run_job
from services.related.semantic import Basis
from shared import inbox, mongo
from shared.errors import ApiError
from shared.events import (
    ArticleDeleted,
    ArticleEvent,
    ArticlePublished,
    ArticleSnapshot,
    ArticleUnpublished,
    ArticleUpdated,
    Block,
    Event,
    RelatedUpdated,
    utcnow,
)
from shared.unit_of_work import InMemoryUnitOfWork

Document = dict[str, Any]
TEXTS = {
    "a": "مباراة الترجي والنجم في الدوري التونسي لكرة القدم انتهت بالتعادل",
    "b": "الترجي يفوز على النجم في مباراة قمة الدوري التونسي لكرة القدم",
    "c": "النجم الساحلي يستعد لمباراة الدوري التونسي أمام الترجي الرياضي",
    "d": "أسعار النفط ترتفع في الأسواق العالمية بعد قرار أوبك خفض الإنتاج",
}


class InMemoryIndexStore:
    """What the live index and the list reads keep in MongoDB, in dictionaries."""

    def __init__(self) -> None:
        self.meta: Document = {"_id": "index", "seq": 0, "epoch": 0}
        self.docs: dict[str, Document] = {}
        self.lists: dict[str, Document] = {}

    async def get_meta(self, session: Any = None) -> Document:
        return copy.deepcopy(self.meta)

    async def bump_seq(self, session: Any, extra: Document | None = None) -> Document:
        self.meta["seq"] += 1
        for key, value in (extra or {}).items():  # dotted keys, as $set takes them
            *path, last = key.split(".")
            target = self.meta
            for part in path:
                target = target.setdefault(part, {})
            target[last] = value
        return copy.deepcopy(self.meta)

    async def load_stats(self, epoch: int) -> Document | None:
        return None

    async def load_basis(self, epoch: int) -> Basis | None:
        return None

    async def published_docs(self) -> list[Document]:
        return [copy.deepcopy(d) for d in self.docs.values() if d["status"] == "published"]

    async def docs_between(self, after: int, upto: int, session: Any = None) -> list[Document]:
        found = [d for d in self.docs.values() if after < d["seq"] <= upto]
        return copy.deepcopy(sorted(found, key=lambda d: d["seq"]))

    async def get_doc(self, article_id: str, session: Any = None) -> Document | None:
        return copy.deepcopy(self.docs.get(article_id))

    async def save_doc(self, doc: Document, session: Any = None) -> None:
        self.docs[doc["_id"]] = copy.deepcopy(doc)

    async def list_hashes(
        self, ids: Iterable[str] | None = None, session: Any = None
    ) -> dict[str, str]:
        wanted = self.lists if ids is None else {i for i in ids if i in self.lists}
        return {i: self.lists[i]["hash"] for i in wanted}

    async def lists_containing(self, article_id: str, session: Any = None) -> dict[str, str]:
        return {i: d["hash"] for i, d in self.lists.items() if article_id in d["members"]}

    async def write_lists(
        self, upserts: list[Document], deletes: Iterable[str], session: Any = None
    ) -> None:
        self.lists.update({d["_id"]: copy.deepcopy(d) for d in upserts})
        for article_id in deletes:
            self.lists.pop(article_id, None)

    async def get_list(self, article_id: str) -> Document | None:
        return copy.deepcopy(self.lists.get(article_id))

    async def id_of_slug(self, slug: str) -> str | None:
        published = [d for d in self.docs.values() if d["status"] == "published"]
        for field_matches in (lambda d: d["slug"] == slug, lambda d: slug in d.get("slugs", [])):
            for doc in published:
                if field_matches(doc):
                    return str(doc["_id"])
        return None


class InMemorySearch:
    """The search index's side: the version it holds of each article, and what it shows."""

    def __init__(self) -> None:
        self.held: dict[str, tuple[int, bool]] = {}  # id -> (version, shown)

    async def apply(
        self, session: Any, *, article_id: str, version: int, snapshot: ArticleSnapshot | None
    ) -> bool:
        if article_id in self.held and self.held[article_id][0] >= version:
            return False
        self.held[article_id] = (version, snapshot is not None)
        return True


class InMemoryInbox(InMemoryUnitOfWork):
    """Applies an event at most once (by event id), with the events its change emits."""

    def __init__(self) -> None:
        super().__init__()
        self.processed: set[str] = set()

    async def once(self, event: Event, apply: inbox.Apply) -> bool:
        if event.event_id in self.processed:
            return False

        async def work(session: mongo.Session) -> None:
            await apply(session)

        await self.commit(work)
        self.processed.add(event.event_id)
        return True


class Refresh:
    def __init__(self, due: bool = False) -> None:
        self.is_due, self.started = due, 0

    def due(self) -> bool:
        return self.is_due

    async def start(self) -> None:
        self.started += 1


class Related:
    """The pieces the use cases take, wired as context.py wires the real ones."""

    def __init__(self) -> None:
        self.store = InMemoryIndexStore()
        self.search = InMemorySearch()
        self.inbox = InMemoryInbox()
        self.refresh = Refresh()
        self.take_overs = 0
        self.index = LiveIndex(EngineConfig(), "replica-a", self.store, take_over=self._take_over)

    async def _take_over(self, index: LiveIndex) -> bool:
        self.take_overs += 1
        await self.store.bump_seq(None, {"lease.owner": None, "lease.until": None})
        await index.load()
        return True

    async def apply(self, event: ArticleEvent) -> None:
        await service.index_article_event(
            event, index=self.index, search=self.search, work=self.inbox, refresh=self.refresh
        )

    async def related(self, key: str, limit: int = 10) -> list[str]:
        found = await service.related_list(key, lists=self.store, limit=limit)
        return [item.id for item in found.items]


def article(aid: str, *, version: int, status: str = "published", **fields: Any) -> Any:
    snapshot = ArticleSnapshot(
        id=aid, slug=fields.pop("slug", f"مقال-{aid}"), title=fields.pop("title", TEXTS[aid]),
        body=[Block(type="paragraph", text=TEXTS[aid])], status=status, version=version,
        published_at=datetime(2024, 5, 1) + timedelta(hours=ord(aid)), **fields,
    )  # fmt: skip
    kinds = {"published": ArticlePublished, "draft": ArticleUnpublished}
    kind = kinds.get(status, ArticleDeleted)
    return kind(producer="articles", aggregate_id=aid, aggregate_version=version, data=snapshot)


@pytest.fixture
def related() -> Related:
    return Related()


async def test_published_articles_are_indexed_and_listed_with_each_other(related: Related):
    for aid in "abcd":
        await related.apply(article(aid, version=1))
    assert set(await related.related("a")) == {"b", "c"}  # the oil story shares nothing
    assert await related.related("مقال-b") == await related.related("b")  # by slug too
    assert len(await related.related("a", limit=1)) == 1
    assert related.store.docs["a"]["version"] == 1 and related.index.seq == 4
    updates = [e for e in related.inbox.events if isinstance(e, RelatedUpdated)]
    assert updates and {e.causation_id for e in updates} <= {e for e in related.inbox.processed}
    assert set().union(*(e.data.article_ids for e in updates)) >= {"a", "b", "c"}


async def test_an_update_changes_the_cards_and_old_slugs_keep_working(related: Related):
    for aid in "abc":
        await related.apply(article(aid, version=1))
    moved = ArticleUpdated(
        producer="articles", aggregate_id="b", aggregate_version=2,
        data=article("b", version=2, slug="رابط-جديد", title="عنوان جديد للترجي").data,
    )  # fmt: skip
    await related.apply(moved)
    assert await related.related("مقال-b") == await related.related("رابط-جديد")
    shown = await service.related_list("a", lists=related.store, limit=10)
    card = next(item for item in shown.items if item.id == "b")
    assert card.slug == "رابط-جديد" and card.title == "عنوان جديد للترجي"


async def test_unpublished_articles_leave_every_list(related: Related):
    for aid in "abc":
        await related.apply(article(aid, version=1))
    await related.apply(article("b", version=2, status="draft"))
    with pytest.raises(ApiError) as missing:
        await related.related("b")
    assert missing.value.status == 404
    assert "b" not in await related.related("a") and "b" not in await related.related("c")
    assert related.store.docs["b"]["status"] == "unpublished"  # a tombstone keeps the version
    assert "b" not in related.index.engine and related.search.held["b"] == (2, False)


async def test_stale_versions_and_redeliveries_change_nothing(related: Related):
    for aid in "abc":
        await related.apply(article(aid, version=1))
    await related.apply(article("b", version=3, status="draft"))
    seq, events = related.index.seq, len(related.inbox.events)
    lists = copy.deepcopy(related.store.lists)
    late = article("b", version=2)  # an older version arriving late: no resurrection
    await related.apply(late)
    await related.apply(late)  # and redelivered: the inbox drops it
    assert related.index.seq == seq and len(related.inbox.events) == events
    assert related.store.lists == lists and related.store.docs["b"]["version"] == 3
    assert related.inbox.commits == 5  # the redelivery did not even run


async def test_unknown_articles_are_not_found(related: Related):
    await related.apply(article("a", version=1))
    for key in ("nope", "مقال-لا-يوجد"):
        with pytest.raises(ApiError) as missing:
            await related.related(key)
        assert missing.value.code == "not_found"


async def test_a_grown_corpus_starts_a_statistics_refresh(related: Related):
    related.refresh.is_due = True
    await related.apply(article("a", version=1))
    assert related.refresh.started == 1


async def test_an_event_waits_for_a_rebuild_holding_the_lease(related: Related):
    await related.apply(article("a", version=1))
    until = utcnow() + timedelta(minutes=1)
    related.store.meta["lease"] = {"owner": "rebuild-job", "token": 1, "until": until}
    waiting = asyncio.create_task(related.apply(article("b", version=1)))
    await asyncio.sleep(0.3)
    assert not waiting.done() and "b" not in related.store.docs  # IndexBusy: retried
    related.store.meta["lease"] = {"owner": None, "token": 1, "until": None}
    await asyncio.wait_for(waiting, 5)
    assert await related.related("b") == ["a"]


async def test_a_dead_lease_holder_is_taken_over_before_the_change(related: Related):
    await related.apply(article("a", version=1))
    gone = utcnow() - timedelta(seconds=1)
    related.store.meta["lease"] = {"owner": "dead-job", "token": 1, "until": gone}
    await related.apply(article("b", version=1))
    assert related.take_overs == 1 and await related.related("b") == ["a"]


class InMemoryJobs:
    def __init__(self) -> None:
        self.jobs: dict[str, Document] = {}

    async def insert(self, job: Document) -> None:
        self.jobs[job["_id"]] = dict(job)

    async def update(self, job_id: str, fields: Document) -> None:
        self.jobs[job_id].update(fields)

    async def get(self, job_id: str) -> Document | None:
        return dict(self.jobs[job_id]) if job_id in self.jobs else None

    async def active(self, fresh_since: datetime) -> list[Document]:
        running = [j for j in self.jobs.values() if j["status"] in ("queued", "running")]
        return [j for j in running if j["heartbeat_at"] >= fresh_since]


class Launcher:
    def __init__(self) -> None:
        self.launched: list[str] = []

    def launch(self, job_id: str) -> None:
        self.launched.append(job_id)


async def test_one_rebuild_at_a_time_and_a_silent_runner_is_reported_failed():
    jobs, launcher = InMemoryJobs(), Launcher()
    first = await service.start_rebuild(
        jobs=jobs, launcher=launcher, stale_s=60, requested_by="adam"
    )
    again = await service.start_rebuild(jobs=jobs, launcher=launcher, stale_s=60, requested_by="x")
    assert again.job_id == first.job_id and launcher.launched == [first.job_id]
    assert (await service.rebuild_job(first.job_id, jobs=jobs, stale_s=60)).status == "queued"
    jobs.jobs[first.job_id]["heartbeat_at"] = utcnow() - timedelta(seconds=61)
    stale = await service.rebuild_job(first.job_id, jobs=jobs, stale_s=60)
    assert stale.status == "failed" and stale.error == "interrupted: the runner stopped"
    with pytest.raises(ApiError):
        await service.rebuild_job("none", jobs=jobs, stale_s=60)


async def test_a_job_beats_while_it_runs_and_its_outcome_is_recorded(caplog):
    jobs = InMemoryJobs()
    await jobs.insert(new_job("job-1", "adam"))
    writes: list[Document] = []
    real_update = jobs.update

    async def update(job_id: str, fields: Document) -> None:
        writes.append(fields)
        if len(writes) == 2:  # the first heartbeat: MongoDB away for a moment
            raise RuntimeError("MongoDB went away")
        await real_update(job_id, fields)

    jobs.update = update  # type: ignore[method-assign]

    async def run(report: Report) -> dict[str, int]:
        await report("fetching", 1, 2, force=True)
        await asyncio.sleep(0.3)  # the heartbeat beats meanwhile
        return {"articles": 2}

    await run_job(jobs, "job-1", run, heartbeat_s=0.05)
    job = jobs.jobs["job-1"]
    assert job["status"] == "succeeded" and job["result"] == {"articles": 2}
    beats = [
        w for w in writes[2:] if set(w) == {"status", "phase", "processed", "total", "heartbeat_at"}
    ]
    assert beats, "the heartbeat went on after its failure"
    assert caplog.text.count("related-rebuild-heartbeat failed") == 1  # once per failure streak

    async def broken(report: Report) -> dict[str, int]:
        raise RuntimeError("articles service answered 500")

    await jobs.insert(new_job("job-2", "adam"))
    with pytest.raises(RuntimeError):
        await run_job(jobs, "job-2", broken, heartbeat_s=0.05)
    assert jobs.jobs["job-2"]["status"] == "failed"
    assert "articles service answered 500" in jobs.jobs["job-2"]["error"]
