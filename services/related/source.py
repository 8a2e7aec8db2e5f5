"""The articles service's published articles, read page by page over its internal HTTP API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx

from shared.events import ArticleSnapshot

PATH = "/internal/articles"


class ArticlesSource:
    """Pages of `GET {articles_url}/internal/articles?limit=&cursor=` (published snapshots)."""

    def __init__(
        self,
        base_url: str,
        *,
        page_size: int = 500,
        timeout_s: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        retries: int = 3,
    ) -> None:
        self.base_url, self.page_size, self.timeout_s = base_url, page_size, timeout_s
        self.transport, self.retries = transport, retries

    async def pages(self) -> AsyncIterator[tuple[list[ArticleSnapshot], int | None]]:
        """Yield (snapshots, total if the server tells it) until the last page."""
        async with httpx.AsyncClient(
            base_url=self.base_url, transport=self.transport, timeout=self.timeout_s
        ) as client:
            cursor: str | None = None
            total: int | None = None
            while True:
                params: dict[str, str | int] = {"limit": self.page_size}
                if cursor:
                    params["cursor"] = cursor
                body = await self._get(client, params)
                items = await asyncio.to_thread(_snapshots, body["items"])  # a page: ~0.1 s CPU
                if body.get("total") is not None:  # the articles service sends it on page one
                    total = int(body["total"])
                yield items, total
                cursor = body.get("next_cursor")
                if not cursor:
                    return

    async def _get(self, client: httpx.AsyncClient, params: dict[str, str | int]) -> dict:  # type: ignore[type-arg]
        delay = 0.5
        for attempt in range(self.retries + 1):
            try:
                response = await client.get(PATH, params=params)
                if response.status_code < 500:
                    response.raise_for_status()
                    return dict(response.json())
                response.raise_for_status()
            except (httpx.TransportError, httpx.HTTPStatusError) as exc:
                retryable = (
                    not isinstance(exc, httpx.HTTPStatusError) or exc.response.status_code >= 500
                )
                if not retryable or attempt == self.retries:
                    raise
            await asyncio.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")


def _snapshots(items: list[dict[str, Any]]) -> list[ArticleSnapshot]:
    return [ArticleSnapshot.model_validate(item) for item in items]
