"""The services' admin endpoints (Bearer admin token): outbox replay, re-emit, rebuilds."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
from tqdm import tqdm

from akhbar_cli.context import CliError, Exit, Target

FINISHED = ("succeeded", "failed")


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"{error.get('code')}: {error.get('message')}"
    return str(body)[:200]


def call(
    target: Target, service: str, method: str, path: str, json: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One admin request; errors become CliError with a code scripts can act on."""
    url = f"{target.urls[service]}{path}"
    headers = {"Authorization": f"Bearer {target.require_admin()}"}
    try:
        response = httpx.request(method, url, json=json, headers=headers, timeout=60)
    except httpx.HTTPError as exc:
        reason = f"{service}: cannot reach {url} ({type(exc).__name__})"
        raise CliError(reason, Exit.UNREACHABLE) from exc
    if response.status_code in (401, 403):
        raise CliError(
            f"{service}: the admin token was refused ({response.status_code})", Exit.AUTH
        )
    if response.status_code == 404 and method == "POST":
        raise CliError(f"{service}: {path} not found - is this version deployed? ({url})")
    if response.status_code == 404:
        raise CliError(f"{service}: {_error_text(response)}", Exit.NOT_FOUND)
    if response.status_code >= 400:
        raise CliError(
            f"{service}: {path} answered {response.status_code}: {_error_text(response)}"
        )
    result: dict[str, Any] = response.json() if response.content else {}
    return result


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def replay_outbox(target: Target, service: str, since: datetime) -> dict[str, Any]:
    return call(target, service, "POST", "/admin/outbox/replay", {"since": _iso(since)})


def reemit_articles(
    target: Target, *, since: datetime | None = None, ids: list[str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"ids": ids} if ids else {"since": _iso(since)} if since else {}
    return call(target, "articles", "POST", "/admin/reemit", body)


REBUILDS: dict[str, tuple[str, str]] = {
    "related": ("related", "/admin/rebuild"),
    "comments-articles": ("comments", "/admin/rebuild/articles"),
    "comment-counts": ("articles", "/admin/rebuild/comment-counts"),
}


def start_rebuild(target: Target, what: str) -> dict[str, Any]:
    service, path = REBUILDS[what]
    return call(target, service, "POST", path)


def wait_related_job(
    target: Target,
    job_id: str,
    *,
    poll_s: float = 0.5,
    timeout_s: float = 3600,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Follow a related rebuild job to its end; a progress bar on a terminal only."""
    deadline = time.monotonic() + timeout_s
    bar: Any = None
    phase = None
    try:
        while True:
            job = call(target, "related", "GET", f"/admin/rebuild/{job_id}")
            if job.get("phase") != phase:
                if bar is not None:
                    bar.close()
                phase = job.get("phase")
                bar = tqdm(total=job.get("total"), desc=str(phase), unit="article", disable=None)
            if job.get("total") is not None and bar.total != job["total"]:
                bar.total = job["total"]
            bar.update(max(0, int(job.get("processed") or 0) - bar.n))
            if job.get("status") in FINISHED:
                return job
            if time.monotonic() > deadline:
                raise CliError(f"rebuild {job_id} still {job.get('status')} after {timeout_s}s")
            sleep(poll_s)
    finally:
        if bar is not None:
            bar.close()
