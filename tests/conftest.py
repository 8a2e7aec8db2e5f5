"""Session-wide real servers (MongoDB wire + Redis) on free ports; fresh names per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from shared.embedded import Server, start_mongo, start_redis

TEST_TOKENS = "ed-token:editor:edith,mod-token:moderator:mona,adm-token:admin:adam"
EDITOR = {"Authorization": "Bearer ed-token"}
MODERATOR = {"Authorization": "Bearer mod-token"}
ADMIN = {"Authorization": "Bearer adm-token"}


@pytest.fixture(scope="session")
def mongo_server() -> Iterator[Server]:
    server = start_mongo()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Server]:
    server = start_redis()
    yield server
    server.stop()


@pytest.fixture
def isolation() -> str:
    """A unique suffix: each test gets its own databases and stream names."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def infra(mongo_server: Server, redis_server: Server, isolation: str) -> dict[str, object]:
    """Settings fields shared by every service under test, isolated per test."""
    return {
        "mongo_url": mongo_server.url,
        "redis_url": redis_server.url,
        "tokens": TEST_TOKENS,
        "stream_prefix": f"t{isolation}:",
        "claim_interval_s": 0.2,
        "claim_min_idle_ms": 300,
        "relay_interval_s": 0.1,
        "relay_max_backoff_s": 0.5,
        "graceful_timeout_s": 2.0,
    }


def settings_for(cls: type, infra: dict[str, object], isolation: str, **overrides: object):  # type: ignore[no-untyped-def]
    """Build a service's settings for a test with a fresh database name."""
    name = cls().service_name  # type: ignore[operator]
    return cls(**{**infra, "mongo_db": f"{name}_{isolation}", **overrides})
