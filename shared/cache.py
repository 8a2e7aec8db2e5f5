"""Public reads served from memory, dropped by the events that change them.

A `ReadCache` holds rendered JSON bodies keyed by request, each tagged with the article ids it
depends on. Every replica tails the streams (`EventTail`, XREAD without a group: each replica
sees every event) and drops the entries an event touches; a service also drops them itself
right after its own writes commit, so a client reads its own write at once. A read that raced
an invalidation is not stored (generation check), so a replica never keeps a body older than
the last event it has seen. An event's effect applied by another replica of a consumer group
lands a moment after the event is seen, so the tail drops the same entries again after
`settle_s`; entries live `max_age_s` at most. While the tail is not reading (Redis down,
starting), the cache is bypassed and emptied: missed events cannot leave stale bodies behind.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.broker import decode_entry
from shared.events import Event, parse_event
from shared.loops import Loop, LoopMetrics

log = logging.getLogger("akhbar.cache")


@dataclass(frozen=True)
class Cached:
    body: bytes
    etag: str
    tags: frozenset[str]
    stored_at: float
    max_age_s: int = 30
    route: Any = None  # the route that rendered it (its template labels the HTTP metrics)


class ReadCache:
    """An LRU of rendered bodies with tag invalidation; off until `enabled` is set."""

    def __init__(
        self,
        name: str,
        *,
        maxsize: int = 10_000,
        max_age_s: float = 60.0,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self.name = name
        self._items: OrderedDict[str, Cached] = OrderedDict()
        self._maxsize = maxsize
        self._max_age = max_age_s
        self._generation = 0
        self._cleared_at = 0  # reads begun before this generation are not stored
        self._dropped_at: dict[str, int] = {}  # tag -> generation of its last invalidation
        self._keys_of: dict[str, set[str]] = {}  # tag -> cache keys that depend on it
        self.enabled = False
        kwargs: dict[str, Any] = {"registry": registry} if registry is not None else {}
        self._lookups = Counter(
            "akhbar_cache_lookups",
            "Read cache lookups by cache and result (hit, miss, bypass).",
            ["cache", "result"],
            **kwargs,
        )

    def begin(self) -> int:
        """The generation a read starts at; pass it to `put`."""
        return self._generation

    def get(self, key: str, *, count_misses: bool = True) -> Cached | None:
        """The entry, if fresh; `count_misses=False` for a look-up another one follows."""
        if not self.enabled:
            if count_misses:
                self._lookups.labels(self.name, "bypass").inc()
            return None
        item = self._items.get(key)
        if item is None or time.monotonic() - item.stored_at > self._max_age:
            if count_misses:
                self._lookups.labels(self.name, "miss").inc()
            return None
        self._items.move_to_end(key)
        self._lookups.labels(self.name, "hit").inc()
        return item

    def put(
        self,
        key: str,
        body: bytes,
        *,
        tags: Iterable[str],
        since: int,
        aliases: Iterable[str] = (),
        max_age_s: int = 30,
        route: Any = None,
    ) -> Cached:
        """Store `body` (under `key` and its `aliases`) unless a tag it depends on was
        invalidated after the read began."""
        tagset = frozenset(tags)
        etag = f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
        item = Cached(body, etag, tagset, time.monotonic(), max_age_s, route)
        stale = since < self._cleared_at or any(self._dropped_at.get(t, -1) > since for t in tagset)
        if not self.enabled or stale:
            return item
        for name in (key, *aliases):
            self._drop_key(name)
            self._items[name] = item
            for tag in tagset:
                self._keys_of.setdefault(tag, set()).add(name)
        while len(self._items) > self._maxsize:
            self._drop_key(next(iter(self._items)))
        return item

    def invalidate(self, *tags: str) -> None:
        self._generation += 1
        for tag in tags:
            self._dropped_at[tag] = self._generation
            for key in self._keys_of.pop(tag, ()):
                self._drop_key(key)
        if len(self._dropped_at) > 4 * self._maxsize:  # old marks matter only to reads in flight
            horizon = self._generation - 1000
            self._dropped_at = {t: g for t, g in self._dropped_at.items() if g > horizon}
            self._cleared_at = max(self._cleared_at, horizon)

    def clear(self) -> None:
        self._generation += 1
        self._items.clear()
        self._keys_of.clear()
        self._dropped_at.clear()
        self._cleared_at = self._generation

    def _drop_key(self, key: str) -> None:
        item = self._items.pop(key, None)
        if item is None:
            return
        for tag in item.tags:
            keys = self._keys_of.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_of[tag]


def article_tag(article_id: str) -> str:
    """The tag only an article's own events carry (not the comments on it): for what is kept
    about the article itself, which a stream of comments must not keep dropping."""
    return f"article:{article_id}"


def tags_of_event(event: Event) -> set[str]:
    """The article ids whose public reads an event may change (and, for an article's own
    events, its `article_tag`)."""
    data = getattr(event, "data", None)
    tags = {event.aggregate_id}
    if event.type.startswith("article."):
        tags.add(article_tag(event.aggregate_id))
    for name in ("article_id",):
        value = getattr(data, name, None)
        if isinstance(value, str):
            tags.add(value)
    tags.update(getattr(data, "article_ids", None) or ())
    return tags


def events_tags(events: Iterable[Event]) -> set[str]:
    tags: set[str] = set()
    for event in events:
        tags |= tags_of_event(event)
    return tags


class EventTail:
    """Reads `streams` from their end (no group: every replica sees every event) and
    invalidates the cache; while it can't read, the cache is off and emptied.

    A background `Loop` whose rounds are one blocking XREAD each; a failed round turns the
    cache off, and the round that reads again starts from the streams' ends, cache emptied.
    """

    def __init__(
        self,
        redis: Redis,
        streams: list[str],
        cache: ReadCache,
        *,
        block_ms: int = 1000,
        settle_s: float = 2.0,
        metrics: LoopMetrics | None = None,
    ) -> None:
        self._settle_s = settle_s
        self._again: deque[tuple[float, set[str]]] = deque()
        self._redis = redis
        self._streams = streams
        self._cache = cache
        self._block_ms = block_ms
        self._positions: dict[str, str] | None = None  # None: not reading (start again)
        # Retries after 0.2 s, 0.4 s, ... at most 5 s while Redis is away.
        self._loop = Loop(
            f"cache-tail-{cache.name}", self._read_once, interval=0.1, max_backoff=5.0,
            metrics=metrics, logger=log,
        )  # fmt: skip

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        self._cache.enabled = False
        await self._loop.stop()

    async def _ends(self) -> dict[str, str]:
        """Each stream's current last id: events before it are already in the database."""
        positions = {}
        for stream in self._streams:
            try:
                info = await self._redis.xinfo_stream(stream)
                last = info["last-generated-id"]
                positions[stream] = last.decode() if isinstance(last, bytes) else str(last)
            except RedisError as exc:
                if "no such key" not in str(exc).lower():
                    raise
                positions[stream] = "0-0"
        return positions

    async def _read_once(self) -> float:
        """One XREAD (blocking up to block_ms); on failure the cache is off until a round reads."""
        try:
            if self._positions is None:
                self._positions = await self._ends()
                self._cache.clear()  # whatever was missed before this point is dropped
                self._cache.enabled = True
            streams: dict[Any, Any] = dict(self._positions)
            replies: Any = await self._redis.xread(streams, count=500, block=self._block_ms)
        except Exception:
            if self._cache.enabled:  # once per outage; the loop logs the error itself
                log.warning("cache %s: reads bypass the cache until the event tail reads again",
                            self._cache.name)  # fmt: skip
            self._positions = None
            self._cache.enabled = False
            self._cache.clear()
            raise
        self._settled()
        for stream, entries in replies or ():
            name = _text(stream)
            for entry_id, fields in entries:
                self._positions[name] = _text(entry_id)
                self._apply(fields)
        return 0.0  # the next XREAD at once: it waits for events itself

    def _apply(self, fields: dict[bytes, bytes]) -> None:
        try:
            event = parse_event(decode_entry(fields))
        except Exception as exc:  # noqa: BLE001 - an entry we can't read: drop everything
            log.warning("cache %s: unreadable event entry (%s); cache emptied",
                        self._cache.name, type(exc).__name__)  # fmt: skip
            self._cache.clear()
            return
        tags = tags_of_event(event)
        self._cache.invalidate(*tags)
        # Another replica of a consumer group may commit this event's effect a moment after we
        # see it (a comment count, a read model): drop the same entries again once it has.
        self._again.append((time.monotonic() + self._settle_s, tags))

    def _settled(self) -> None:
        """Drop again the entries of events seen `settle_s` ago."""
        now = time.monotonic()
        while self._again and self._again[0][0] <= now:
            self._cache.invalidate(*self._again.popleft()[1])


async def cached_json(
    request: Request,
    cache: ReadCache,
    key: str,
    produce: Callable[[], Awaitable[tuple[Any, Iterable[str]]]],
    *,
    max_age_s: int = 30,
) -> Response:
    """A public GET answered from the cache, else rendered by `produce` (value, tags) and kept.

    Requests with credentials are never cached. The ETag is the body's hash, so
    `If-None-Match` answers 304 whether the body came from the cache or not.
    """
    if "authorization" in request.headers:
        value, _ = await produce()
        return JSONResponse(jsonable_encoder(value))
    item = cache.get(key)
    if item is None:
        since = cache.begin()
        value, tags = await produce()
        body = JSONResponse(jsonable_encoder(value)).body
        # also under the request's own path and query, for `CacheFront` to answer before routing
        aliases = [front_key(request.scope)] if request.method == "GET" else []
        route = request.scope.get("route")
        item = cache.put(
            key, bytes(body), tags=tags, since=since, aliases=aliases, max_age_s=max_age_s,
            route=route,
        )  # fmt: skip
    headers = {"ETag": item.etag, "Cache-Control": f"public, max-age={max_age_s}"}
    if item.etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(item.body, media_type="application/json", headers=headers)


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}


def front_key(scope: Scope) -> str:
    """A GET's cache key in `CacheFront`: the raw path and query string."""
    return f"front:{scope['path']}?{scope.get('query_string', b'').decode('latin-1')}"


class CacheFront:
    """Answers a public GET whose body is in the read cache before routing.

    A cached read needs none of FastAPI's routing, dependency solving or response building:
    the body, its ETag and Cache-Control were kept by `cached_json` under the request's own
    path and query (`front_key`), dropped by the same events. Requests with credentials or an
    `Origin` (CORS decides those) and every miss go through the app as before; the response
    carries the same headers either way (`Vary: Authorization` as `ConditionalGet` adds it).
    """

    def __init__(self, app: ASGIApp, *, cache: ReadCache) -> None:
        self.app, self.cache = app, cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not self.cache.enabled:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if b"authorization" in headers or b"origin" in headers:
            await self.app(scope, receive, send)
            return
        item = self.cache.get(front_key(scope), count_misses=False)
        if item is None:
            await self.app(scope, receive, send)
            return
        if item.route is not None:
            scope["route"] = item.route  # the HTTP metrics label the request by its route
        common = [
            (b"etag", item.etag.encode()),
            (b"cache-control", f"public, max-age={item.max_age_s}".encode()),
            (b"vary", b"Authorization"),
        ]
        wanted = headers.get(b"if-none-match", b"").decode("latin-1")
        if wanted and item.etag in _etags(wanted):
            await send({"type": "http.response.start", "status": 304, "headers": common})
            await send({"type": "http.response.body", "body": b""})
            return
        start = [
            (b"content-length", str(len(item.body)).encode()),
            (b"content-type", b"application/json"),
            *common,
        ]
        await send({"type": "http.response.start", "status": 200, "headers": start})
        await send({"type": "http.response.body", "body": item.body})


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
