"""The three apps on the session's real MongoDB and Redis, for cross-service abuse tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from services.articles.config import Settings as ArticlesSettings
from services.articles.main import create_app as articles_app
from services.comments.config import Settings as CommentsSettings
from services.comments.main import create_app as comments_app
from services.related.config import Settings as RelatedSettings
from services.related.main import create_app as related_app
from tests.conftest import EDITOR, settings_for
from tests.helpers import app_client, eventually


@dataclass
class Stack:
    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]

    async def published_article(self) -> dict[str, object]:
        """An article published through the articles API, known to comments once relayed."""
        articles = self.clients["articles"]
        body = {"title": "عنوان", "body": [{"type": "paragraph", "text": "نص الفقرة."}]}
        created = (await articles.post("/articles", json=body, headers=EDITOR)).json()
        published = await articles.post(f"/articles/{created['id']}/publish", headers=EDITOR)
        assert published.status_code == 200, published.text
        repo = self.apps["comments"].state.comments.repo
        await eventually(lambda: _known(repo, created["id"]))
        return dict(published.json())


async def _known(repo, article_id: str) -> bool:  # type: ignore[no-untyped-def]
    return await repo.article(article_id) is not None


def stack_settings(infra: dict[str, object], isolation: str) -> dict[str, object]:
    return {
        "articles": settings_for(ArticlesSettings, infra, isolation, scheduler_interval_s=0.2),
        "comments": settings_for(CommentsSettings, infra, isolation, trust_proxy=True),
        "related": settings_for(
            RelatedSettings, infra, isolation, articles_url="http://127.0.0.1:9"
        ),
    }


FACTORIES = {"articles": articles_app, "comments": comments_app, "related": related_app}


@pytest.fixture
async def stack(infra: dict[str, object], isolation: str) -> AsyncIterator[Stack]:
    """All three services in process (ASGI), each with its own database, sharing streams."""
    settings = stack_settings(infra, isolation)
    apps = {name: FACTORIES[name](settings[name]) for name in FACTORIES}
    async with contextlib.AsyncExitStack() as exits:
        clients = {
            name: await exits.enter_async_context(app_client(app)) for name, app in apps.items()
        }
        yield Stack(apps=apps, clients=clients)
