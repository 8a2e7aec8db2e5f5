"""The article use cases on an in-memory repository and unit of work: the workflow, versions,
slugs and the events each write emits (the integration tests run them on the real servers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.articles import catalog, comment_counts, queries, recovery, scheduler, service
from services.articles.domain import Doc, Limits
from services.articles.schemas import ArticleCreate, ArticlePatch
from shared.errors import ApiError
from shared.events import CommentModerated, CommentSubmitted, Event, utcnow
from shared.unit_of_work import InMemoryUnitOfWork
from tests.unit.articles_fake import FakeArticleRepository

LIMITS = Limits(body_max_bytes=1000, slug_max_chars=40)


class World:
    """One fake repository and unit of work, and the use cases called on them."""

    def __init__(self) -> None:
        self.repo = FakeArticleRepository()
        self.uow = InMemoryUnitOfWork()

    def on(self) -> dict[str, Any]:
        return {"repo": self.repo, "uow": self.uow}

    async def create(self, title: str = "عنوان المقال", **fields: Any) -> Doc:
        body = fields.pop("body", [{"type": "paragraph", "text": "نص الفقرة."}])
        data = ArticleCreate.model_validate({"title": title, "body": body, **fields})
        return await service.create_article(**self.on(), data=data, limits=LIMITS, author="ed")

    async def act(self, doc: Doc, action: str, **kw: Any) -> Doc:
        kw.setdefault("expected", None)
        return await service.transition(**self.on(), article_id=doc["_id"], action=action, **kw)

    async def update(self, doc: Doc, expected: int | None = None, **fields: Any) -> Doc:
        patch = ArticlePatch.model_validate(fields)
        return await service.update_article(
            **self.on(), article_id=doc["_id"], patch=patch, expected=expected, limits=LIMITS
        )

    def event_types(self) -> list[str]:
        return [e.type for e in self.uow.events]


@pytest.fixture
def world() -> World:
    return World()


def code(exc: pytest.ExceptionInfo[ApiError]) -> tuple[int, str]:
    return exc.value.status, exc.value.code


async def test_create_stores_a_draft_with_a_slug_from_the_title_and_emits_nothing(world):
    doc = await world.create("مؤتمر دولي للسلام", tags=["سياسة", " سياسة ", "Gaza"])
    assert doc["status"] == "draft" and doc["version"] == 1 and doc["author"] == "ed"
    assert doc["slug"] == "مؤتمر-دولي-للسلام" and world.repo.slugs[doc["slug"]] == doc["_id"]
    assert doc["tags"] == ["سياسة", "gaza"] and doc["excerpt"] == "نص الفقرة."
    assert world.repo.articles[doc["_id"]] == doc
    assert world.uow.events == [] and world.repo.tag_counts == {}


async def test_same_title_gets_a_numbered_slug_and_a_given_slug_held_by_another_is_409(world):
    first = await world.create("خبر")
    second = await world.create("خبر")
    assert (first["slug"], second["slug"]) == ("خبر", "خبر-2")
    with pytest.raises(ApiError) as taken:
        await world.create("آخر", slug="خبر")
    assert code(taken) == (409, "slug_taken")
    with pytest.raises(ApiError) as empty:
        await world.create("آخر", slug="!!!")
    assert code(empty) == (422, "validation_failed")
    assert len(world.repo.articles) == 2


async def test_a_slug_taken_by_a_racing_writer_is_chosen_again(world):
    world.repo.taken_meanwhile["عاجل"] = "other-article"
    doc = await world.create("عاجل")
    assert doc["slug"] == "عاجل-2" and world.repo.slugs["عاجل"] == "other-article"


async def test_slugs_are_cut_to_the_limit_and_emoji_titles_get_the_fallback(world):
    doc = await world.create("كلمة " * 20)
    assert len(doc["slug"]) <= LIMITS.slug_max_chars and not doc["slug"].endswith("-")
    assert (await world.create("🎉🎉"))["slug"] == "maqal"


async def test_a_body_over_the_limit_is_413_and_nothing_is_written(world):
    with pytest.raises(ApiError) as big:
        await world.create(body=[{"type": "paragraph", "text": "ن" * 600}])
    assert code(big) == (413, "body_too_large")
    assert world.repo.articles == {} and world.uow.commits == 0


async def test_publish_emits_published_with_the_snapshot_and_the_correlation_id(world):
    draft = await world.create(tags=["اقتصاد"])
    published = await world.act(draft, "publish", expected=1, correlation_id="req-7")
    assert published["status"] == "published" and published["version"] == 2
    assert published["published_at"] is not None
    [event] = world.uow.events
    assert event.type == "article.published" and event.correlation_id == "req-7"
    assert (event.aggregate_id, event.aggregate_version) == (draft["_id"], 2)
    assert event.data.slug == draft["slug"] and event.data.status == "published"
    assert world.repo.tag_counts == {"اقتصاد": 1}


async def test_update_with_a_stale_version_is_412_and_changes_nothing(world):
    doc = await world.act(await world.create(), "publish")
    before = len(world.uow.events)
    with pytest.raises(ApiError) as stale:
        await world.update(doc, expected=1, summary="ملخص")
    assert code(stale) == (412, "version_conflict")
    assert stale.value.fields == {"If-Match": "current version is 2"}
    assert world.repo.articles[doc["_id"]]["version"] == 2
    assert len(world.uow.events) == before


async def test_updating_a_published_title_moves_the_slug_keeps_the_old_one_and_emits(world):
    doc = await world.act(await world.create("عنوان أول"), "publish")
    updated = await world.update(doc, expected=2, title="عنوان ثان")
    assert updated["slug"] == "عنوان-ثان" and updated["version"] == 3
    assert world.repo.slugs == {"عنوان-أول": doc["_id"], "عنوان-ثان": doc["_id"]}
    assert world.event_types() == ["article.published", "article.updated"]
    found, via_alias = await queries.find_article(repo=world.repo, key="عنوان-أول", editor=False)
    assert found["_id"] == doc["_id"] and via_alias
    assert (await world.create("عنوان أول"))["slug"] == "عنوان-أول-2"  # old slugs stay reserved


async def test_updating_a_draft_emits_nothing(world):
    doc = await world.create()
    await world.update(doc, summary="ملخص جديد", tags=["رياضة"])
    assert world.uow.events == [] and world.repo.tag_counts == {}


async def test_unpublish_emits_unpublished_and_hides_the_article_from_the_public(world):
    doc = await world.act(await world.create(tags=["ثقافة"]), "publish")
    await world.act(doc, "unpublish", expected=2)
    assert world.event_types() == ["article.published", "article.unpublished"]
    assert world.repo.tag_counts == {"ثقافة": 0}
    with pytest.raises(ApiError) as hidden:
        await queries.find_article(repo=world.repo, key=doc["_id"], editor=False)
    assert code(hidden) == (404, "not_found")
    seen, _ = await queries.find_article(repo=world.repo, key=doc["_id"], editor=True)
    assert seen["status"] == "unpublished"


async def test_a_transition_the_status_does_not_allow_is_409(world):
    doc = await world.create()
    with pytest.raises(ApiError) as invalid:
        await world.act(doc, "unpublish")
    assert code(invalid) == (409, "invalid_transition") and world.uow.events == []


async def test_schedule_needs_a_future_time_and_the_scheduler_publishes_once(world):
    doc = await world.create()
    with pytest.raises(ApiError) as past:
        await world.act(doc, "schedule", publish_at=utcnow() - timedelta(minutes=1))
    assert code(past) == (422, "validation_failed")
    scheduled = await world.act(doc, "schedule", publish_at=utcnow() + timedelta(minutes=1))
    assert scheduled["status"] == "scheduled" and world.uow.events == []
    world.repo.articles[doc["_id"]]["publish_at"] = utcnow() - timedelta(seconds=1)  # now due
    assert await scheduler.publish_due(repo=world.repo, uow=world.uow) == 1
    assert await scheduler.publish_due(repo=world.repo, uow=world.uow) == 0
    [event] = world.uow.events
    assert event.type == "article.published" and event.aggregate_version == 3


async def test_delete_announces_only_articles_consumers_heard_of(world):
    draft = await world.create("مسودة")
    await service.delete_article(**world.on(), article_id=draft["_id"], expected=1)
    assert world.uow.events == []
    doc = await world.act(await world.create("منشور"), "publish")
    await service.delete_article(**world.on(), article_id=doc["_id"], expected=None)
    assert world.event_types() == ["article.published", "article.deleted"]
    with pytest.raises(ApiError) as gone:
        await world.act(doc, "publish")
    assert code(gone) == (404, "not_found")


async def test_an_unknown_category_is_422_and_a_known_one_gives_the_breadcrumb(world):
    with pytest.raises(ApiError) as unknown:
        await world.create(category="nowhere")
    assert code(unknown) == (422, "unknown_category")
    root = await catalog.create_category(repo=world.repo, name="أخبار العالم")
    leaf = await catalog.create_category(repo=world.repo, name="الشرق الأوسط", parent=root["_id"])
    doc = await world.create(category=leaf["_id"])
    assert doc["category_path"] == [root["_id"], leaf["_id"]]
    assert [c["name"] for c in doc["breadcrumb"]] == ["أخبار العالم", "الشرق الأوسط"]
    with pytest.raises(ApiError) as busy:
        await catalog.delete_category(repo=world.repo, slug=leaf["_id"])
    assert code(busy) == (409, "category_not_empty")


async def test_lists_page_by_keyset_and_the_worklist_takes_no_filters(world):
    start = utcnow() - timedelta(hours=1)
    for n in range(3):
        doc = await world.create(f"خبر {n}", tags=["عاجل"])
        await world.act(doc, "publish", published_at=start + timedelta(minutes=n))
    await world.create("مسودة")
    page, cursor = await queries.list_articles(repo=world.repo, tag="عاجل", limit=2, cursor=None)
    rest, end = await queries.list_articles(repo=world.repo, tag="عاجل", limit=2, cursor=cursor)
    assert [d["title"] for d in page + rest] == ["خبر 2", "خبر 1", "خبر 0"] and end is None
    drafts, _ = await queries.list_articles(repo=world.repo, status="draft", limit=5, cursor=None)
    assert [d["title"] for d in drafts] == ["مسودة"]
    with pytest.raises(ApiError) as filtered:
        await queries.list_articles(repo=world.repo, status="draft", tag="x", limit=5, cursor=None)
    assert code(filtered) == (400, "unsupported_filter")


async def test_reemit_states_the_current_status_of_articles_consumers_know(world):
    published = await world.act(await world.create("أ"), "publish")
    await world.create("مسودة لم تنشر")
    ids = [published["_id"], *world.repo.articles]
    world.uow.events.clear()
    assert await recovery.reemit(**world.on(), ids=ids) == 1
    [event] = world.uow.events
    assert event.type == "article.published" and event.causation_id == "reemit"


def _comment(article_id: str, version: int, status: str) -> Event:
    if version == 1:
        data = {"comment_id": "c1", "article_id": article_id, "status": status}
        return CommentSubmitted.model_validate(
            {"producer": "comments", "aggregate_id": "c1", "aggregate_version": 1, "data": data}
        )
    data = {"comment_id": "c1", "article_id": article_id, "from_status": "x", "to_status": status}
    return CommentModerated.model_validate(
        {"producer": "comments", "aggregate_id": "c1", "aggregate_version": version, "data": data}
    )


async def test_comment_events_move_the_count_once_and_stale_ones_are_ignored(world):
    doc = await world.act(await world.create(), "publish")
    seen: set[str] = set()

    async def once(event: Event, apply: Any) -> bool:  # the inbox: each event id applied once
        if event.event_id in seen:
            return False
        seen.add(event.event_id)
        await apply(None)
        return True

    approved = _comment(doc["_id"], 2, "approved")
    for event in (_comment(doc["_id"], 1, "pending"), approved, approved):
        await comment_counts.apply_comment_event(repo=world.repo, once=once, event=event)
    assert world.repo.articles[doc["_id"]]["comment_count"] == 1
    stale = _comment(doc["_id"], 1, "rejected")
    await comment_counts.apply_comment_event(repo=world.repo, once=once, event=stale)
    assert world.repo.articles[doc["_id"]]["comment_count"] == 1
