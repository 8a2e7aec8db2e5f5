"""Factories and drivers for the related service's tests: ANT articles, events, a fake source."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Query

from services.related import domain
from services.related.config import Settings
from services.related.context import engine_config
from services.related.engine import RelatedEngine
from services.related.main import create_app
from services.related.repository import IndexRepository
from services.related.scoring import Stats
from services.related.semantic import Basis
from shared.events import (
    ARTICLES_STREAM,
    ArticleDeleted,
    ArticlePublished,
    ArticleSnapshot,
    ArticleUnpublished,
    ArticleUpdated,
    Block,
    CategoryRef,
    Event,
)
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings
from tests.conftest import settings_for
from tests.helpers import app_client, eventually

SUBSET = Path(__file__).resolve().parents[3] / "data/ant-subset/articles.jsonl.gz"
CATEGORIES = {"sport": "رياضة", "economy": "اقتصاد", "culture": "ثقافة"}
TAGS = ["تونس", "كرة القدم", "الاقتصاد", "السينما"]
EVENT_TYPES = {
    "published": ArticlePublished,
    "updated": ArticleUpdated,
    "unpublished": ArticleUnpublished,
    "deleted": ArticleDeleted,
}


def ant_articles(n: int, seed: int = 5) -> list[dict[str, Any]]:
    """n ANT subset articles (title, summary, paragraphs, category, a tag), deterministic."""
    rng = random.Random(seed)
    rows = []
    with gzip.open(SUBSET, "rt", encoding="utf-8") as lines:
        for line in lines:
            raw = json.loads(line)
            if raw["title"].strip() and raw["text"].strip():
                rows.append(raw)
    rng.shuffle(rows)
    base = datetime(2017, 1, 1, tzinfo=UTC)
    return [
        {
            "id": f"art-{i:03d}", "slug": f"مقال-{i}", "title": raw["title"].strip(),
            "summary": raw.get("abstract", ""),
            "paragraphs": [p for p in raw["text"].split("\n") if p.strip()][:12],
            "category": raw["category"] if raw["category"] in CATEGORIES else None,
            "tags": [rng.choice(TAGS)], "published_at": base + timedelta(hours=i),
        }
        for i, raw in enumerate(rows[:n])
    ]  # fmt: skip


def snapshot(
    article: dict[str, Any], *, version: int, status: str = "published"
) -> ArticleSnapshot:
    cat = article.get("category")
    return ArticleSnapshot(
        id=article["id"], slug=article["slug"], title=article["title"],
        summary=article.get("summary", ""),
        body=[Block(type="paragraph", text=p) for p in article["paragraphs"]],
        category=CategoryRef(slug=cat, name=CATEGORIES[cat]) if cat else None,
        tags=article.get("tags", []), status=status, version=version,
        published_at=article.get("published_at"),
    )  # fmt: skip


def event(kind: str, article: dict[str, Any], version: int) -> Event:
    """A typed article event: kind is published, updated, unpublished or deleted."""
    status = {"unpublished": "draft", "deleted": "archived"}.get(kind, "published")
    return EVENT_TYPES[kind](
        producer="articles", aggregate_id=article["id"], aggregate_version=version,
        data=snapshot(article, version=version, status=status),
    )  # fmt: skip


@contextlib.asynccontextmanager
async def producer(infra: dict[str, object], isolation: str) -> AsyncIterator[Runtime]:
    """A runtime that writes onto the test's prefixed article stream, standing for articles."""
    settings = ServiceSettings(
        **{**infra, "service_name": "articles-test", "mongo_db": f"articles_test_{isolation}"}
    )
    runtime = Runtime(settings)
    async with running(runtime):
        yield runtime


async def send(runtime: Runtime, *events: Event) -> None:
    for item in events:
        await runtime.publish(ARTICLES_STREAM, item)


def related_settings(infra: dict[str, object], isolation: str, **overrides: object) -> Settings:
    """Settings with automatic stats refreshes off unless a test turns them on."""
    overrides = {"auto_rebuild_growth": None, **overrides}
    return settings_for(Settings, infra, isolation, **overrides)  # type: ignore[no-any-return]


async def processed(app: FastAPI, count: int, wait_s: float = 30.0) -> None:
    """Wait until the related service recorded `count` events in its inbox."""
    db = app.state.related.runtime.db

    async def done() -> bool:
        return int(await db.processed_events.count_documents({})) >= count

    await eventually(done, timeout=wait_s)


async def stored_lists(app: FastAPI) -> dict[str, list[dict[str, Any]]]:
    db = app.state.related.runtime.db
    return {d["_id"]: d["items"] async for d in db.lists.find({})}


def expected_lists(
    settings: Settings,
    articles: dict[str, dict[str, Any]],
    stats: Stats | None,
    basis: Basis | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The lists a full build over the given published articles yields, rendered as stored.

    stats None: fresh statistics and basis of these articles (what a rebuild computes).
    """
    snaps = {aid: snapshot(a, version=1) for aid, a in articles.items()}
    engine = RelatedEngine.build(
        [domain.engine_input(s) for s in snaps.values()],
        config=engine_config(settings),
        stats=stats,
        basis=basis,
    )
    names = {aid: domain.card(s) for aid, s in snaps.items()}
    return {aid: domain.render_items(engine.related(aid), names) for aid in snaps}


def articles_app(store: dict[str, ArticleSnapshot], gate: asyncio.Event | None = None) -> FastAPI:
    """Stands for the articles service's internal listing (published snapshots, paginated)."""
    app = FastAPI()

    @app.get("/internal/articles")
    async def listing(limit: int = Query(500), cursor: str | None = None) -> dict[str, Any]:
        ids = sorted(i for i, s in store.items() if s.status == "published")
        start = ids.index(cursor) if cursor in ids else 0
        if start and gate is not None:
            await gate.wait()  # the test holds the rebuild mid-listing
        page = ids[start : start + limit]
        following = ids[start + limit] if start + limit < len(ids) else None
        return {
            "items": [store[i].model_dump(mode="json") for i in page],
            "next_cursor": following,
            "total": len(ids) if cursor is None else None,
        }

    return app


def transport(
    store: dict[str, ArticleSnapshot], gate: asyncio.Event | None = None
) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=articles_app(store, gate))


__all__ = ["app_client", "create_app", "eventually"]


async def index_stats(app: FastAPI) -> Stats:
    """The frozen stats of the service's current epoch (empty before the first rebuild)."""
    store: IndexRepository = app.state.related.repository
    stored = await store.load_stats(int((await store.get_meta()).get("epoch", 0)))
    return Stats.from_dict(stored) if stored else Stats()


async def index_basis(app: FastAPI) -> Basis | None:
    """The semantic basis of the service's current epoch, as stored."""
    store: IndexRepository = app.state.related.repository
    return await store.load_basis(int((await store.get_meta()).get("epoch", 0)))


class History:
    """A random life of articles: versions only grow; deleted articles stay deleted."""

    def __init__(self, articles: list[dict[str, Any]], seed: int) -> None:
        self.rng = random.Random(seed)
        self.pool = {a["id"]: dict(a) for a in articles}
        self.version = dict.fromkeys(self.pool, 0)
        self.state: dict[str, str] = {}  # id -> published | unpublished | deleted
        self.sent: list[Event] = []

    def step(self) -> Event:
        aid = self.rng.choice(sorted(i for i in self.pool if self.state.get(i) != "deleted"))
        self.version[aid] += 1
        article, state = self.pool[aid], self.state.get(aid)
        roll = self.rng.random()
        if state != "published":
            kind = "published" if roll < 0.8 else "unpublished"
        elif roll < 0.45:
            kind = "updated"
            article["title"] = article["title"] + " تحديث"
            article["paragraphs"] = article["paragraphs"][: max(1, len(article["paragraphs"]) - 2)]
            article["tags"] = [self.rng.choice(TAGS)]
        elif roll < 0.75:
            kind = "unpublished"
        else:
            kind = "deleted"
        self.state[aid] = {"updated": "published"}.get(kind, kind)
        item = event(kind, article, self.version[aid])
        self.sent.append(item)
        return item

    def published(self) -> dict[str, dict[str, Any]]:
        return {aid: self.pool[aid] for aid, s in self.state.items() if s == "published"}

    def snapshots(self) -> dict[str, ArticleSnapshot]:
        return {aid: snapshot(a, version=self.version[aid]) for aid, a in self.published().items()}
