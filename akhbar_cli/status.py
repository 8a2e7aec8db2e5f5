"""`akhbar status`: streams and groups, DLQs, outboxes and readiness, gathered concurrently."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from redis.asyncio import Redis

from akhbar_cli.context import SERVICES, Target
from shared import mongo
from shared.events import dlq_stream


def _id_age_s(entry_id: str, now_ms: float) -> float:
    """Age of a stream entry from the milliseconds in its id."""
    return round(max(0.0, now_ms - int(entry_id.split("-")[0])) / 1000, 1)


async def stream_report(redis: Redis, stream: str) -> dict[str, Any]:
    """Length, DLQ size and, per group: consumers, lag, pending and the oldest pending's age."""
    now_ms = time.time() * 1000
    report: dict[str, Any] = {
        "stream": stream,
        "length": await redis.xlen(stream),
        "dlq": await redis.xlen(dlq_stream(stream)),
        "groups": [],
    }
    if not await redis.exists(stream):
        return report
    for group in await redis.xinfo_groups(stream):
        pending = int(group["pending"])
        oldest = None
        if pending:
            summary = await redis.xpending(stream, group["name"])
            oldest = _id_age_s(summary["min"], now_ms) if summary.get("min") else None
        report["groups"].append(
            {
                "group": group["name"],
                "consumers": int(group["consumers"]),
                "lag": group.get("lag"),
                "pending": pending,
                "oldest_pending_age_s": oldest,
            }
        )
    return report


async def outbox_report(target: Target, service: str) -> dict[str, Any]:
    """Unpublished outbox documents of a service's database and the oldest one's age."""
    settings = target.settings[service]
    client = mongo.connect(target.mongo_url(service), timeout_ms=3000)
    try:
        outbox = client[settings.database]["outbox"]
        backlog = await outbox.count_documents({"sent_at": None})
        oldest = await outbox.find_one({"sent_at": None}, sort=[("created_at", 1)])
        age = None
        if oldest and oldest.get("created_at"):
            created = oldest["created_at"]
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            age = round((datetime.now(UTC) - created).total_seconds(), 1)
        return {"service": service, "database": settings.database, "backlog": backlog,
                "oldest_age_s": age}  # fmt: skip
    finally:
        client.close()


async def readiness(http: httpx.AsyncClient, service: str, url: str) -> dict[str, Any]:
    try:
        response = await http.get(f"{url}/health/ready")
    except httpx.HTTPError as exc:
        return {"service": service, "url": url, "ready": False,
                "error": f"unreachable ({type(exc).__name__})"}  # fmt: skip
    body = response.json() if "json" in response.headers.get("content-type", "") else {}
    failing = [name for name, ok in body.get("checks", {}).items() if not ok]
    return {"service": service, "url": url, "ready": response.status_code == 200,
            "failing": failing}  # fmt: skip


async def _guard(what: str, coro: Any) -> Any:
    try:
        return await coro
    except Exception as exc:  # noqa: BLE001 - reported as unreachable, not a traceback
        return {"error": f"{what} unreachable ({type(exc).__name__}: {str(exc)[:60]})"}


async def gather(target: Target) -> dict[str, Any]:
    redis = Redis.from_url(
        target.redis_url, decode_responses=True, socket_connect_timeout=3, socket_timeout=5
    )
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            streams, outboxes, ready = await asyncio.gather(
                _guard("Redis", _all_streams(redis, target)),
                asyncio.gather(
                    *(_guard(f"MongoDB ({s})", outbox_report(target, s)) for s in SERVICES)
                ),
                asyncio.gather(*(readiness(http, s, target.urls[s]) for s in SERVICES)),
            )
    finally:
        await redis.aclose()
    return {"source": target.source, "streams": streams, "outbox": outboxes, "services": ready}


async def _all_streams(redis: Redis, target: Target) -> list[dict[str, Any]]:
    return [await stream_report(redis, stream) for stream in target.streams()]


def problems(report: dict[str, Any]) -> tuple[list[str], bool]:
    """What an operator should look at, and whether a server could not be reached at all."""
    found, unreachable = [], False
    streams = report["streams"]
    if isinstance(streams, dict):
        found.append(streams["error"])
        unreachable = True
    else:
        found += [f"{s['dlq']} dead letter(s) in {s['stream']}" for s in streams if s["dlq"]]
    for box in report["outbox"]:
        if "error" in box:
            found.append(box["error"])
            unreachable = True
    for service in report["services"]:
        if not service["ready"]:
            why = service.get("error") or "failing: " + ", ".join(service["failing"])
            found.append(f"{service['service']} not ready ({why})")
            unreachable = unreachable or "error" in service
    return list(dict.fromkeys(found)), unreachable
