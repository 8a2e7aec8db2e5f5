"""Reading another service's internal listing page by page (for rebuilds from the owner)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx


async def pages(
    base_url: str,
    path: str,
    *,
    limit: int = 500,
    timeout_s: float = 30.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Yield the `items` of `GET {base_url}{path}?limit=&cursor=` until `next_cursor` is null."""
    async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=timeout_s) as http:
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            response = await http.get(path, params=params)
            response.raise_for_status()
            body = response.json()
            yield list(body["items"])
            cursor = body.get("next_cursor")
            if not cursor:
                return


@dataclass(frozen=True)
class Peer:
    """Another service a rebuild reads: where it is, how long to wait for it, how to reach it."""

    base_url: str
    timeout_s: float = 30.0
    transport: httpx.AsyncBaseTransport | None = None  # tests reach a peer app in-process

    def pages(self, path: str, *, limit: int = 500) -> AsyncIterator[list[dict[str, Any]]]:
        """The `items` of the peer's listing at `path`, page by page."""
        return pages(
            self.base_url, path, limit=limit, timeout_s=self.timeout_s, transport=self.transport
        )
