"""The FastAPI skeleton every service's create_app() fills in."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI

from shared import auth, http
from shared.errors import install_error_handlers
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings


def build_app(
    *,
    title: str,
    runtime: Runtime,
    routers: Sequence[APIRouter],
    on_start: Callable[[], Awaitable[None]] | None = None,
    on_stop: Callable[[], Awaitable[None]] | None = None,
) -> FastAPI:
    """An app whose lifespan opens the runtime (Mongo, broker, relay, consumers)."""
    settings = runtime.settings

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with running(runtime):
            if on_start:
                await on_start()
            try:
                yield
            finally:
                if on_stop:
                    await on_stop()

    app = FastAPI(title=title, version="1.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.tokens = auth.parse_tokens(settings.tokens.get_secret_value())
    install_error_handlers(app)
    http.install(app, max_body_bytes=settings.max_body_bytes, registry=runtime.registry)
    app.include_router(
        http.ops_router(ready=runtime.ready, registry=runtime.registry, asyncapi=runtime.asyncapi)
    )
    for router in routers:
        app.include_router(router)
    return app


def serve(create_app: Callable[[Any], FastAPI], settings: ServiceSettings) -> None:
    """Run a service under uvicorn (`python -m services.<name>`); SIGTERM drains it."""
    import uvicorn

    http.configure_logging(settings.log_level)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
