"""akhbar: watch and repair a running Akhbar system.

Finds the servers like the services do (MONGO_URL, REDIS_URL, AKHBAR_TOKENS, ARTICLES_PORT...)
and, next to make up, from .akhbar/stack.json and .akhbar/tokens. Exit codes: 0 ok, 1 a problem
was found or a repair failed, 2 bad usage, 3 a server could not be reached, 4 no such entry or
job, 5 no admin token or it was refused.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from akhbar_cli import dlq as dead
from akhbar_cli import render
from akhbar_cli import status as health
from akhbar_cli.context import CliError, Exit, Target, load

app = typer.Typer(
    help=__doc__, no_args_is_help=True, rich_markup_mode="markdown", add_completion=False
)
dlq_app = typer.Typer(help="Dead letters: events that failed max_deliveries times.",
                      no_args_is_help=True, rich_markup_mode="markdown")  # fmt: skip
rebuild_app = typer.Typer(help="Rebuild a read model from its source of truth.",
                          no_args_is_help=True, rich_markup_mode="markdown")  # fmt: skip
reemit_app = typer.Typer(
    help="Publish current snapshots again.", no_args_is_help=True, rich_markup_mode="markdown"
)
app.add_typer(dlq_app, name="dlq")
app.add_typer(rebuild_app, name="rebuild")
app.add_typer(reemit_app, name="reemit")

F = TypeVar("F", bound=Callable[..., Any])
State = Annotated[Path | None, typer.Option(envvar="AKHBAR_STATE", help="the launcher's state "
                  "folder (default ./.akhbar)", show_default=False)]  # fmt: skip
JsonOut = Annotated[bool, typer.Option("--json", help="machine-readable output")]
Since = Annotated[str, typer.Option(help="ISO date-time, or a duration back from now: 90m, 2h, 7d")]
Stream = Annotated[str, typer.Argument(help="source stream, e.g. articles.events")]
Ids = Annotated[list[str] | None, typer.Option("--id", help="a DLQ entry id (repeatable)")]
_target: dict[str, Target] = {}


def target() -> Target:
    return _target["value"]


def reports_errors(func: F) -> F:
    """Turn CliError into one line on stderr and its exit code."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CliError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(int(exc.code)) from None

    return run  # type: ignore[return-value]


@app.callback()
def main(state: State = None) -> None:
    _target["value"] = load(state)


def _redis(decode: bool = False) -> Redis:
    return Redis.from_url(target().redis_url, decode_responses=decode, socket_connect_timeout=3)


def _with_redis(work: Callable[[Redis], Any]) -> Any:
    async def run() -> Any:
        redis = _redis()
        try:
            return await work(redis)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            where = target().redis_url.split("@")[-1]  # never a password
            raise CliError(f"Redis unreachable at {where}", Exit.UNREACHABLE) from exc
        finally:
            await redis.aclose()

    return asyncio.run(run())


@app.command()
@reports_errors
def status(as_json: JsonOut = False) -> None:
    """Streams (length, groups, lag, pending, oldest pending age, DLQ size), outbox backlog
    per service database, and each service's readiness. Exit 1 if anything needs a look."""
    report = asyncio.run(health.gather(target()))
    found, unreachable = health.problems(report)
    report["problems"] = found
    typer.echo(
        json.dumps(report, ensure_ascii=False, indent=2) if as_json else render.status(report)
    )
    if found:
        raise typer.Exit(int(Exit.UNREACHABLE if unreachable else Exit.PROBLEM))


@dlq_app.command("list")
@reports_errors
def dlq_list(
    stream: Annotated[str | None, typer.Argument(help="source stream (default: all)")] = None,
    count: Annotated[int, typer.Option(help="at most this many per stream")] = 100,
    as_json: JsonOut = False,
) -> None:
    """Dead letters, oldest first: which event, which group, how many deliveries, why."""
    streams = [target().stream(stream)] if stream else target().streams()

    async def work(redis: Redis) -> list[tuple[str, list[dict[str, Any]]]]:
        return [(name, await dead.entries(redis, name, count)) for name in streams]

    for name, entries in _with_redis(work):
        typer.echo(render.dlq_entries(name, entries, as_json))


@dlq_app.command("show")
@reports_errors
def dlq_show(stream: Stream, dlq_id: Annotated[str, typer.Argument(help="DLQ entry id")]) -> None:
    """One dead letter in full: the event, the error and its traceback line."""
    entry = _with_redis(lambda redis: dead.get(redis, target().stream(stream), dlq_id))
    typer.echo(json.dumps(entry, ensure_ascii=False, indent=2))


def _selection(ids: list[str] | None, all_: bool) -> list[str] | None:
    if bool(ids) == all_:
        raise CliError("give --id ID (repeatable) or --all", Exit.USAGE)
    return ids or None


@dlq_app.command("replay")
@reports_errors
def dlq_replay(
    stream: Stream,
    ids: Ids = None,
    all_: Annotated[bool, typer.Option("--all", help="every dead letter of the stream")] = False,
) -> None:
    """Put dead letters back on their stream after a fix (inboxes make repeats harmless)."""
    chosen = _selection(ids, all_)
    maxlen = target().settings["articles"].stream_maxlen
    name = target().stream(stream)
    count = _with_redis(lambda redis: dead.replay(redis, name, chosen, maxlen))
    typer.echo(f"replayed {count} dead letter(s) onto {name}")


@dlq_app.command("drop")
@reports_errors
def dlq_drop(
    stream: Stream,
    ids: Ids = None,
    all_: Annotated[bool, typer.Option("--all", help="every dead letter of the stream")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="do not ask")] = False,
) -> None:
    """Delete dead letters for good (after deciding they must not be applied)."""
    chosen = _selection(ids, all_)
    name = target().stream(stream)
    if not yes:
        if not sys.stdin.isatty():
            raise CliError("dropping needs --yes when not run on a terminal", Exit.USAGE)
        typer.confirm(f"drop {'all' if all_ else len(chosen or [])} from {name}?", abort=True)
    count = _with_redis(lambda redis: dead.drop(redis, name, chosen))
    typer.echo(f"dropped {count} dead letter(s) from {name}")
