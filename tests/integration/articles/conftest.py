"""Fixtures and factories for the articles service tests (real MongoDB-wire server + Redis)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.articles.config import Settings
from services.articles.main import create_app
from shared.runtime import Runtime
from tests.conftest import EDITOR, settings_for
from tests.helpers import app_client


@dataclass
class Svc:
    """A running articles app: its HTTP client and its runtime (database, redis)."""

    client: httpx.AsyncClient
    runtime: Runtime

    async def create(self, expect: int = 201, **fields: Any) -> dict[str, Any]:
        payload = {"title": "عنوان المقال", "body": [{"type": "paragraph", "text": "نص الفقرة."}]}
        response = await self.client.post("/articles", json={**payload, **fields}, headers=EDITOR)
        assert response.status_code == expect, response.text
        return dict(response.json())

    async def act(
        self, article_id: str, action: str, expect: int = 200, **kw: Any
    ) -> dict[str, Any]:
        response = await self.client.post(f"/articles/{article_id}/{action}", headers=EDITOR, **kw)
        assert response.status_code == expect, response.text
        return dict(response.json())

    async def published(self, **fields: Any) -> dict[str, Any]:
        return await self.act((await self.create(**fields))["id"], "publish")

    async def category(self, name: str, parent: str | None = None, **kw: Any) -> dict[str, Any]:
        body = {"name": name, **({"parent": parent} if parent else {}), **kw}
        response = await self.client.post("/categories", json=body, headers=EDITOR)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def events(self) -> list[dict[str, Any]]:
        """Every event this service emitted, in order (read from its outbox)."""
        docs = await self.runtime.db.outbox.find({}).sort("seq", 1).to_list(None)
        return [doc["event"] for doc in docs]

    async def article_count(self) -> int:
        return int(await self.runtime.db.articles.count_documents({}))


@pytest.fixture
def settings(infra: dict[str, object], isolation: str) -> Settings:
    return settings_for(Settings, infra, isolation, scheduler_interval_s=0.2)  # type: ignore[no-any-return]


@pytest.fixture
async def svc(settings: Settings) -> AsyncIterator[Svc]:
    app = create_app(settings)
    async with app_client(app) as client:
        yield Svc(client=client, runtime=app.state.runtime)
