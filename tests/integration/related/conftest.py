"""The related service under test: its app on the session's servers, with a producer standing
for the articles service, and the moves tests make against it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.related.config import Settings
from services.related.context import Context
from shared.events import ArticleSnapshot, Event
from shared.runtime import Runtime
from tests.integration.related import support


@dataclass
class Related:
    """A running related app, its HTTP client, and the runtime that sends it article events."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings
    articles: Runtime

    @property
    def ctx(self) -> Context:
        ctx: Context = self.app.state.related
        return ctx

    async def send(self, *events: Event) -> None:
        """Publish article events on the test's stream, as the articles service does."""
        await support.send(self.articles, *events)

    async def processed(self, count: int, wait_s: float = 30.0) -> None:
        """Wait until the service recorded `count` events in its inbox."""
        await support.processed(self.app, count, wait_s)

    async def lists(self) -> dict[str, list[dict[str, Any]]]:
        return await support.stored_lists(self.app)


StartRelated = Callable[..., AbstractAsyncContextManager[Related]]


@pytest.fixture
def start_related(infra: dict[str, object], isolation: str) -> StartRelated:
    """`async with start_related(**settings) as related:` runs the app; `store` (and `gate`)
    give it an articles listing to rebuild from (support.transport)."""

    @contextlib.asynccontextmanager
    async def start(
        store: dict[str, ArticleSnapshot] | None = None,
        gate: asyncio.Event | None = None,
        **overrides: object,
    ) -> AsyncIterator[Related]:
        settings = support.related_settings(infra, isolation, **overrides)
        listing = None if store is None else support.transport(store, gate)
        app = support.create_app(settings, articles_transport=listing)
        async with support.producer(infra, isolation) as articles:
            async with support.app_client(app) as client:
                yield Related(app, client, settings, articles)

    return start
