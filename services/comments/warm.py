"""The submission path's shared reads served from memory: the moderation policy and the article
read model, so a comment costs no database round trip for either.

Freshness:
- The article read model is kept in the app's read cache (shared/cache.py), whose event tail
  sees every replica's events: an article event (published, updated: comments closed, deleted)
  drops the entry at once in every replica, and the replica that applied it drops it again
  right after its commit. A write made here without an event (a moderator's pre-moderation
  switch) drops it here at once. While the tail is not reading, nothing is cached.
- The policy is dropped here at once when this process saves it.
- What another replica writes without an event (the policy, pre-moderation) applies here
  within `REFRESH_S`: no entry is used once it is older.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from services.comments.domain import Policy
from shared.cache import ReadCache, article_tag

Doc = dict[str, Any]
REFRESH_S = 2.0  # the bound on another replica's event-less change (policy, pre-moderation)
_FIELDS = ("_id", "status", "comments_open", "deleted", "premoderation")  # what submit reads


class WarmPolicy:
    """The policy, read at most every `refresh_s`; `drop()` after a local save."""

    def __init__(self, load: Callable[[], Awaitable[Policy]], refresh_s: float = REFRESH_S):
        self._load = load
        self._refresh_s = refresh_s
        self._held: tuple[float, Policy] | None = None
        self._drops = 0  # a load that raced a drop is not kept

    async def get(self) -> Policy:
        held = self._held
        if held is not None and time.monotonic() - held[0] <= self._refresh_s:
            return held[1]
        drops, started = self._drops, time.monotonic()
        policy = await self._load()
        if drops == self._drops:
            self._held = (started, policy)
        return policy

    def drop(self) -> None:
        self._drops += 1
        self._held = None


class WarmArticles:
    """The submit path's fields of an article by id or slug, in the app's read cache once
    `cache` is set (the app's lifespan); straight from the database before."""

    def __init__(
        self, load: Callable[[str], Awaitable[Doc | None]], refresh_s: float = REFRESH_S
    ) -> None:
        self._load = load
        self._refresh_s = refresh_s
        self.cache: ReadCache | None = None

    async def get(self, key: str) -> Doc | None:
        cache, name = self.cache, f"comments:article:{key}"
        if cache is None:
            return await self._load(key)
        item = cache.get(name)
        if item is not None and time.monotonic() - item.stored_at <= self._refresh_s:
            held: Doc = json.loads(item.body)
            return held
        since = cache.begin()
        doc = await self._load(key)
        if doc is None:
            return None  # unknown yet: its first event must be seen at once, so not kept
        fields = {k: doc[k] for k in _FIELDS if k in doc}
        # Tagged so that the article's events drop it, not the comments written on it.
        tag = article_tag(str(doc["_id"]))
        cache.put(name, json.dumps(fields).encode(), tags=[tag], since=since)
        return fields

    def drop(self, article_id: str) -> None:
        if self.cache is not None:
            self.cache.invalidate(article_tag(article_id))
