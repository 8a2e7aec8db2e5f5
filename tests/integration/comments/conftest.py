"""Fixtures for the comments service: the real app on the session's MongoDB and Redis."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.comments.config import Settings
from services.comments.context import Context
from services.comments.main import create_app
from shared.broker import decode_entry
from shared.events import (
    ARTICLES_STREAM,
    COMMENTS_STREAM,
    ArticleDeleted,
    ArticlePublished,
    ArticleSnapshot,
    ArticleUnpublished,
    ArticleUpdated,
)
from tests.conftest import ADMIN, MODERATOR, settings_for
from tests.helpers import app_client, eventually

_EVENTS = {
    "published": ArticlePublished,
    "updated": ArticleUpdated,
    "unpublished": ArticleUnpublished,
    "deleted": ArticleDeleted,
}
_ips = itertools.count(1)


@dataclass
class Comments:
    """The running comments app and the moves tests make against it."""

    app: FastAPI
    client: httpx.AsyncClient
    versions: dict[str, int] = field(default_factory=dict)

    @property
    def ctx(self) -> Context:
        ctx: Context = self.app.state.comments
        return ctx

    async def article_event(
        self,
        article_id: str,
        kind: str = "published",
        *,
        version: int,
        comments_open: bool = True,
        wait: bool = True,
    ) -> None:
        """Publish an article event onto the (prefixed) stream, as the articles service would."""
        status = {"published": "published", "updated": "published"}.get(kind, kind)
        snapshot = ArticleSnapshot(
            id=article_id,
            slug=article_id,
            title="عنوان",
            status=status,
            comments_open=comments_open,
            version=version,
        )
        event = _EVENTS[kind](
            producer="articles", aggregate_id=article_id, aggregate_version=version, data=snapshot
        )
        await self.ctx.runtime.publish(ARTICLES_STREAM, event)
        if wait:
            await eventually(lambda: self._processed(event.event_id))

    async def _processed(self, event_id: str) -> bool:
        return await self.ctx.runtime.db.processed_events.find_one({"_id": event_id}) is not None

    async def publish(self, article_id: str = "a1", **kw: Any) -> str:
        version = self.versions.get(article_id, 0) + 1
        self.versions[article_id] = version
        await self.article_event(article_id, "published", version=version, **kw)
        return article_id

    async def policy(self, **fields: Any) -> dict[str, Any]:
        response = await self.client.put("/moderation/settings", json=fields, headers=ADMIN)
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def submit(
        self,
        article_id: str = "a1",
        *,
        ip: str | None = None,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> httpx.Response:
        """POST a comment from its own client IP (unless given), so flood control stays out."""
        body = {
            "author_name": "سارة",
            "author_email": "sara@example.com",
            "body": "مقال رائع، شكراً للكاتب.",
            **fields,
        }
        n = next(_ips)
        sent = {
            "X-Forwarded-For": ip or f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
            **(headers or {}),
        }
        return await self.client.post(f"/articles/{article_id}/comments", json=body, headers=sent)

    async def comment(self, comment_id: str) -> dict[str, Any]:
        doc = await self.ctx.repo.comment(comment_id)
        assert doc is not None
        return doc

    async def act(self, comment_id: str, action: str, **body: Any) -> httpx.Response:
        return await self.client.post(
            f"/moderation/comments/{comment_id}/{action}", json=body or None, headers=MODERATOR
        )

    async def queue(self, status: str = "pending", **params: Any) -> list[dict[str, Any]]:
        response = await self.client.get(
            "/moderation/queue", params={"status": status, **params}, headers=MODERATOR
        )
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def history(self, comment_id: str) -> list[dict[str, Any]]:
        response = await self.client.get(
            f"/moderation/comments/{comment_id}/history", headers=MODERATOR
        )
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    async def stream_events(self) -> list[dict[str, Any]]:
        """Events the relay has published on comments.events, in order."""
        stream = self.ctx.settings.stream(COMMENTS_STREAM)
        return [decode_entry(fields) for _, fields in await self.ctx.runtime.redis.xrange(stream)]


def make_settings(infra: dict[str, object], isolation: str, **overrides: object) -> Settings:
    settings: Settings = settings_for(Settings, infra, isolation, trust_proxy=True, **overrides)
    return settings


@pytest.fixture
async def comments(infra: dict[str, object], isolation: str) -> AsyncIterator[Comments]:
    """The comments app with one published, open article `a1` and flood control off."""
    app = create_app(make_settings(infra, isolation))
    async with app_client(app) as client:
        svc = Comments(app=app, client=client)
        await svc.publish("a1")
        await svc.policy(flood_interval_seconds=0)
        yield svc


@pytest.fixture(autouse=True)
def _quiet_logs(caplog):  # type: ignore[no-untyped-def]
    caplog.set_level("ERROR", logger="akhbar.faststream")
