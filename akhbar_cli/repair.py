"""Repair commands: they call the services' admin endpoints with an admin token."""

from __future__ import annotations

import os
import signal
from typing import Annotated, Any

import typer

from akhbar_cli import admin
from akhbar_cli.context import SERVICES, CliError, Exit, parse_since
from akhbar_cli.main import Since, app, rebuild_app, reemit_app, reports_errors, target

Wait = Annotated[bool, typer.Option(help="follow the related rebuild job until it ends")]
Only = Annotated[list[str] | None, typer.Option("--service", help="only this service (repeatable)")]


def _echo(what: str, result: dict[str, Any]) -> None:
    shown = ", ".join(f"{k}={v}" for k, v in result.items() if not isinstance(v, dict | list))
    typer.echo(f"{what}: {shown or 'done'}")


def _rebuild(what: str, wait: bool) -> dict[str, Any]:
    result = admin.start_rebuild(target(), what)
    _echo(f"rebuild {what}", result)
    if what == "related" and wait and result.get("job_id"):
        job = admin.wait_related_job(target(), result["job_id"])
        _echo(f"rebuild related {job['job_id']}", {**(job.get("result") or {}),
                                                   "status": job["status"]})  # fmt: skip
        if job["status"] != "succeeded":
            raise CliError(f"rebuild related failed: {job.get('error')}")
        return job
    return result


@rebuild_app.command("related")
@reports_errors
def rebuild_related(wait: Wait = True) -> None:
    """Rebuild the related-articles index from the articles service (serving goes on)."""
    _rebuild("related", wait)


@rebuild_app.command("comments-articles")
@reports_errors
def rebuild_comments_articles() -> None:
    """Rebuild the comments service's article read model from the articles service."""
    _rebuild("comments-articles", False)


@rebuild_app.command("comment-counts")
@reports_errors
def rebuild_comment_counts() -> None:
    """Recount every article's comments from the comments service."""
    _rebuild("comment-counts", False)


def _services(only: list[str] | None) -> list[str]:
    unknown = set(only or []) - set(SERVICES)
    if unknown:
        raise CliError(f"unknown service {sorted(unknown)}; one of {SERVICES}", Exit.USAGE)
    return list(only or SERVICES)


@app.command("replay-outbox")
@reports_errors
def replay_outbox(since: Since, service: Only = None) -> None:
    """Publish again every outbox event written since a moment (consumers' inboxes drop
    repeats), e.g. after Redis lost its data."""
    moment = parse_since(since)
    for name in _services(service):
        _echo(f"{name} outbox replay since {moment:%Y-%m-%d %H:%M:%S}Z",
              admin.replay_outbox(target(), name, moment))  # fmt: skip


@reemit_app.command("articles")
@reports_errors
def reemit_articles(
    since: Annotated[str | None, typer.Option(help="changed since: ISO or 90m, 2h, 7d")] = None,
    ids: Annotated[str | None, typer.Option(help="comma-separated article ids")] = None,
) -> None:
    """Emit the current snapshot of articles again so every read model converges."""
    if bool(since) == bool(ids):
        raise CliError("give --since or --ids", Exit.USAGE)
    chosen = [i.strip() for i in ids.split(",") if i.strip()] if ids else None
    moment = parse_since(since) if since else None
    _echo("reemit articles", admin.reemit_articles(target(), since=moment, ids=chosen))


@app.command()
@reports_errors
def recover(since: Since) -> None:
    """All the repair, in order: replay every outbox since SINCE, re-emit articles changed
    since SINCE, rebuild comments' article read model, the comment counts, then the related
    index. Stops at the first failing step (its exit code)."""
    moment = parse_since(since)
    replays = [
        (f"outbox replay ({name})", lambda n=name: admin.replay_outbox(target(), n, moment))
        for name in SERVICES
    ]
    steps = [
        *replays,
        ("reemit articles", lambda: admin.reemit_articles(target(), since=moment)),
        ("rebuild comments-articles", lambda: _rebuild("comments-articles", False)),
        ("rebuild comment-counts", lambda: _rebuild("comment-counts", False)),
        ("rebuild related", lambda: _rebuild("related", True)),
    ]
    for number, (title, step) in enumerate(steps, 1):
        typer.echo(f"[{number}/{len(steps)}] {title}")
        result = step()
        if not title.startswith("rebuild"):
            _echo(f"  {title}", result)
    typer.echo("recovered: run `akhbar status` to check the streams and DLQs")


@app.command()
@reports_errors
def restart(
    service: Annotated[str, typer.Argument(help="articles, comments, related or gateway")],
) -> None:
    """Restart one service of the `make up` stack: SIGTERM (it drains), then the launcher
    starts it again. In docker compose use `docker compose restart SERVICE`."""
    pids = target().stack.get("pids") or {}
    if not pids:
        raise CliError("no running `make up` found (no .akhbar/stack.json)", Exit.NOT_FOUND)
    if service not in pids:
        raise CliError(f"unknown service {service!r}; one of {sorted(pids)}", Exit.USAGE)
    try:
        os.kill(int(pids[service]), signal.SIGTERM)
    except ProcessLookupError:
        raise CliError(f"{service} (pid {pids[service]}) is not running", Exit.PROBLEM) from None
    typer.echo(f"{service} (pid {pids[service]}) stopping; the launcher starts it again")
