"""The FastAPI skeleton every service's create_app() fills in."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline

from shared import admin, auth, caching, http, logs, openapi
from shared.cache import CacheFront, EventTail, ReadCache, events_tags
from shared.errors import install_error_handlers
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings

Hook = Callable[[], Awaitable[None]]


def build_app(
    *,
    title: str,
    runtime: Runtime,
    routers: Sequence[APIRouter],
    on_start: Hook | None = None,
    on_stop: Hook | None = None,
    on_prepare: Hook | None = None,
    cache_streams: Sequence[str] = (),
    errors: Mapping[str, Iterable[int]] | None = None,
) -> FastAPI:
    """An app whose lifespan opens the runtime (Mongo, broker, relay, consumers).

    `on_prepare` runs before the runtime starts anything that writes in transactions (relay,
    consumers): the place to create collections and indexes. SecantusDB hangs when a
    collection is created (an index on a new collection) while an open transaction creates
    the same collection by writing to it.
    `cache_streams`: the streams whose events change this service's public reads; with them
    the app keeps a read cache (`app.state.read_cache`) invalidated by those events.
    `errors` names the domain error statuses per endpoint function (409, 412, 429...); the
    rest of each operation's documented errors is derived from the route (shared.openapi).
    """
    settings = runtime.settings
    read_cache, tail = _read_cache(runtime, cache_streams)
    # /docs and /redoc with Swagger UI and ReDoc served by the service itself (no CDN)
    app = FastAPIOffline(
        title=title,
        version="1.0",
        lifespan=_lifespan(runtime, tail, on_start, on_stop, on_prepare),
    )
    app.state.runtime = runtime
    app.state.read_cache = read_cache
    app.state.settings = settings
    app.state.tokens = auth.parse_tokens(settings.tokens.get_secret_value())
    _install_plumbing(app, runtime)
    for router in routers:
        app.include_router(router)
    openapi.document_errors(app, errors)
    return app


def _read_cache(
    runtime: Runtime, cache_streams: Sequence[str]
) -> tuple[ReadCache, EventTail | None]:
    """The read cache, dropped after the service's own commits and, when the service names
    the streams that change its reads, by their events (the tail)."""
    settings = runtime.settings
    read_cache = ReadCache(settings.service_name, registry=runtime.registry)
    runtime.after_commit.append(lambda events: read_cache.invalidate(*events_tags(events)))
    streams = [settings.stream(name) for name in cache_streams]
    if not streams:
        return read_cache, None
    return read_cache, EventTail(runtime.redis, streams, read_cache, metrics=runtime.loop_metrics)


def _lifespan(
    runtime: Runtime,
    tail: EventTail | None,
    on_start: Hook | None,
    on_stop: Hook | None,
    on_prepare: Hook | None,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if on_prepare:
            await on_prepare()
        async with running(runtime):
            if tail is not None:
                tail.start()
            if on_start:
                await on_start()
            try:
                yield
            finally:
                if tail is not None:
                    await tail.stop()
                if on_stop:
                    await on_stop()

    return lifespan


def _install_plumbing(app: FastAPI, runtime: Runtime) -> None:
    """Error handlers, middleware (body guard, request ids, caching, CORS), ops and admin routes."""
    settings = runtime.settings
    install_error_handlers(app)
    app.add_middleware(caching.ConditionalGet, max_age_s=settings.public_max_age_s)
    app.add_middleware(caching.cors, origins=caching.parse_origins(settings.cors_origins))
    # cached public reads answered here, before routing (outside CORS: requests with an Origin
    # pass through to it)
    app.add_middleware(CacheFront, cache=app.state.read_cache)
    # outside CORS: a refused preflight is counted and carries its request id too
    http.install(app, max_body_bytes=settings.max_body_bytes, registry=runtime.registry)
    app.include_router(
        http.ops_router(ready=runtime.ready, registry=runtime.registry, asyncapi=runtime.asyncapi)
    )
    app.include_router(admin.router)  # outbox replay, recovery after a Redis data loss


def serve(create_app: Callable[[Any], FastAPI], settings: ServiceSettings) -> None:
    """Run a service under uvicorn (`python -m services.<name>`); SIGTERM drains it."""
    import uvicorn

    logs.configure(settings.service_name, settings.log_level, settings.log_format)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
