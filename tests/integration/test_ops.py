"""Ops endpoints every service serves, and serving while Redis is away, on a real service."""

from __future__ import annotations

import contextlib
import importlib

import pytest

from services.articles.config import Settings
from services.articles.main import create_app
from shared import app as shared_app
from shared.embedded import free_port
from tests.conftest import EDITOR, settings_for
from tests.helpers import app_client

ARTICLE = {"title": "خبر عاجل", "body": [{"type": "paragraph", "text": "نص الخبر."}]}


async def test_health_metrics_and_specs(infra, isolation):
    app = create_app(settings_for(Settings, infra, isolation))
    async with app_client(app) as client:
        assert (await client.get("/health/live")).json() == {"status": "ok"}
        ready = await client.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {
            "mongo": True,
            "redis": True,
            "consumers": True,
            "outbox_relay": True,
            "groups": True,
        }
        assert (await client.post("/articles", json=ARTICLE, headers=EDITOR)).status_code == 201
        metrics = await client.get("/metrics")
        assert metrics.headers["content-type"].startswith("text/plain")
        assert 'akhbar_http_requests_total{method="POST",route="/articles",status="201"} 1.0' in (
            metrics.text
        )
        assert "akhbar_outbox_pending" in metrics.text
        asyncapi = (await client.get("/asyncapi.json")).json()
        channels = " ".join(asyncapi["channels"])
        assert "comments.events" in channels  # consumed
        assert "articles.events" in channels  # produced
        assert "ArticlePublished" in str(asyncapi["components"])
        assert "/articles" in (await client.get("/openapi.json")).json()["paths"]


async def test_not_ready_but_still_writing_while_redis_is_down(infra, isolation):
    dead = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(settings_for(Settings, infra, isolation, redis_url=dead))
    async with app_client(app) as client:
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["redis"] is False
        assert ready.json()["checks"]["consumers"] is False
        created = await client.post("/articles", json=ARTICLE, headers=EDITOR)
        assert created.status_code == 201  # an API write never fails because Redis is down
        published = await client.post(f"/articles/{created.json()['id']}/publish", headers=EDITOR)
        assert published.status_code == 200
        runtime = app.state.runtime
        assert await runtime.relay.pending_count() == 1  # article.published waits in the outbox


@pytest.mark.parametrize("service", ["articles", "comments", "related"])
async def test_collections_and_indexes_exist_before_any_transaction_can_run(
    infra, isolation, service, monkeypatch
):
    """SecantusDB hangs when an index creates a collection that an open transaction is creating
    by writing to it (a consumer's first event on a fresh database): every service creates its
    collections and indexes before its runtime starts the relay and consumers."""
    module = importlib.import_module(f"services.{service}.main")
    config = importlib.import_module(f"services.{service}.config")
    app = module.create_app(settings_for(config.Settings, infra, isolation))
    seen: list[set[str]] = []
    real = shared_app.running

    @contextlib.asynccontextmanager
    async def spy(runtime):  # type: ignore[no-untyped-def]
        seen.append(set(await runtime.db.list_collection_names()))
        async with real(runtime) as started:
            yield started

    monkeypatch.setattr(shared_app, "running", spy)
    async with app_client(app):
        indexed = {
            name
            for name in await app.state.runtime.db.list_collection_names()
            if len(await app.state.runtime.db[name].index_information()) > 1
        }
    own = {"outbox", "processed_events"}  # the runtime's, made first thing in Runtime.start
    assert indexed - own and seen and indexed - own <= seen[0], indexed - own - seen[0]
