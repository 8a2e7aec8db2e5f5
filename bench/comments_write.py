"""Comments write path under load, beside Isso (a real comment server) measured in the same run.

Usage: comments_write.py [--clients 16] [--duration 15] [--requests N] [--workers 1 2] [--json]

For each worker count: a fresh embedded MongoDB-wire server and Redis, one `article.published`
on the service's stream, the comments service as real processes (`python -m services.comments`;
for 2+ workers `uvicorn --factory --workers`), flood control off via the admin API, then
K clients post distinct Arabic comments for D seconds. The database round trips per accepted
comment are counted on the server (SecantusDB's `serverStatus` request counter, read before
the load and after the relay drained the outbox, less the benchmark's own requests): every
request of the service's processes counts (submissions, relay, background loops). Then Isso
with moderation on (SQLite in a temporary folder, its flood guard off) under gunicorn with the
same number of workers (its built-in threaded server, one process, when gunicorn is absent)
takes the same load. Loopback only; every process is stopped on exit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from pydantic import SecretStr
from redis.asyncio import Redis

from shared import mongo
from shared.embedded import free_port, start_mongo, start_redis
from shared.events import ARTICLES_STREAM, COMMENTS_STREAM, ArticlePublished, ArticleSnapshot
from shared.runtime import Runtime, running
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[1]
ADMIN = "bench-admin-token"
PREFIX = "bench:"
ARTICLE = "bench-article"
REFERENCE = "Isso 0.14, gunicorn 2 workers, 16 clients: ~170 comments/s, p95 104 ms"
SENTENCES = [
    "شكراً على هذا التقرير المفصّل عن ارتفاع الأسعار في الأسواق الشعبية",
    "أتمنى أن تتابعوا الموضوع وتنشروا ردّ الوزارة على هذه الأرقام",
    "المقال مهم لكن ينقصه رأي الخبراء الاقتصاديين في المنطقة",
    "هذه ليست المرة الأولى التي نسمع فيها مثل هذه الوعود من المسؤولين",
    "أختلف مع الكاتب في الفقرة الثالثة، فالإحصاءات الرسمية تقول غير ذلك",
    "نريد تغطية أوسع لأخبار الجنوب والقرى البعيدة عن العاصمة",
    "تحية لفريق التحرير على الصور والتوضيحات في آخر المقال",
]


def comment_text(i: int) -> str:
    """A distinct Arabic comment of ~150 characters."""
    one, two = SENTENCES[i % len(SENTENCES)], SENTENCES[(i * 3 + 1) % len(SENTENCES)]
    return f"{one}. {two}. (تعليق رقم {i})"


@dataclass
class Result:
    system: str
    workers: int
    server: str
    accepted: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    stored: int | None = None
    events: int | None = None
    db_round_trips: int | None = None  # requests the database server answered for the load
    cpu_cores: dict[str, float] = field(default_factory=dict)  # CPU s / wall s during the load
    checks: list[str] = field(default_factory=list)

    @property
    def round_trips_per_comment(self) -> float | None:
        if self.db_round_trips is None or not self.accepted:
            return None
        return round(self.db_round_trips / self.accepted, 2)

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    def summary(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "latencies_ms"}
        out.update(comments_per_s=round(self.rate, 1), requests=len(self.latencies_ms))
        out.update(p50_ms=round(self.pct(0.5), 1), p95_ms=round(self.pct(0.95), 1))
        out["db_round_trips_per_comment"] = self.round_trips_per_comment
        out["errors"] = dict(self.errors)
        return out


async def load(
    client: httpx.AsyncClient,
    url: str,
    payload: Any,
    ok: set[int],
    res: Result,
    clients: int,
    duration: float,
    limit: int,
    groups: dict[str, int] | None = None,
) -> None:
    """K workers post until the deadline or `limit` requests; fills `res` (and CPU shares)."""
    counter = itertools.count()
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        while time.perf_counter() < deadline:
            i = next(counter)
            if limit and i >= limit:
                return
            started = time.perf_counter()
            try:
                answer = await client.post(url, json=payload(i))
            except httpx.HTTPError as exc:
                res.errors[type(exc).__name__] += 1
                continue
            res.latencies_ms.append((time.perf_counter() - started) * 1000)
            if answer.status_code in ok:
                res.accepted += 1
            else:
                res.errors[str(answer.status_code)] += 1
                if len(res.error_samples) < 5:
                    res.error_samples.append(f"{answer.status_code} {answer.text[:200]}")

    groups = groups or {}
    before = {name: group_cpu(pgid) for name, pgid in groups.items()}
    mine, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    res.seconds = time.perf_counter() - started
    cpu = {name: group_cpu(pgid) - before[name] for name, pgid in groups.items()}
    cpu["load generator"] = time.process_time() - mine
    res.cpu_cores = {name: round(value / res.seconds, 2) for name, value in cpu.items()}


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) of the live processes in a process group (Linux /proc)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # pgrp
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


async def server_requests(db: mongo.Database) -> int:
    """Requests the database server answered so far (this one included)."""
    status = await db.client.admin.command("serverStatus")
    return int(status["network"]["numRequests"])


async def drained(db: mongo.Database, timeout_s: float = 30) -> int:
    """Wait until the relay published every outbox document; the requests this took."""
    asked, deadline = 1, time.monotonic() + timeout_s
    while await db.outbox.count_documents({"sent_at": None}) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        asked += 1
    return asked


def no_cookies() -> CookieJar:
    """Each request is another reader: keep no cookie (Isso sets one per comment)."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = open(log, "ab")  # the child writes to it
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=out,
        stderr=out,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM our child's process group (master and its workers), SIGKILL after 15 s."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)  # workers left behind by a dead master


async def until_ok(proc: subprocess.Popen[bytes], what: str, request: Any) -> httpx.Response:
    """Repeat `request()` until it answers 2xx; fail if the process dies or time runs out."""
    timeout, last = 60, "no answer"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what}: process exited with code {proc.returncode}")
        with contextlib.suppress(httpx.TransportError):
            answer = await request()
            if answer.is_success:
                return answer  # type: ignore[no-any-return]
            last = f"{answer.status_code} {answer.text[:200]}"
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{what}: not ready within {timeout}s ({last})")


async def run_akhbar(workers: int, args: argparse.Namespace, tmp: Path) -> Result:
    mongo_srv, redis_srv = start_mongo(), start_redis()
    proc = None
    try:
        snapshot = ArticleSnapshot(
            id=ARTICLE,
            slug=ARTICLE,
            title="ارتفاع الأسعار في الأسواق",
            status="published",
            version=1,
        )
        publisher = Runtime(
            ServiceSettings(
                service_name="articles",
                mongo_url=SecretStr(mongo_srv.url),
                redis_url=SecretStr(redis_srv.url),
                stream_prefix=PREFIX,
            )
        )
        async with running(publisher):
            await publisher.publish(
                ARTICLES_STREAM,
                ArticlePublished(
                    producer="articles", aggregate_id=ARTICLE, aggregate_version=1, data=snapshot
                ),
            )
        port = free_port()
        env = {
            "MONGO_URL": mongo_srv.url,
            "REDIS_URL": redis_srv.url,
            "AKHBAR_TOKENS": f"{ADMIN}:admin:bench",
            "COMMENTS_PORT": str(port),
            "COMMENTS_STREAM_PREFIX": PREFIX,
            # one load generator, one client IP: the per-client limit would stop the run
            "COMMENTS_SUBMISSIONS_PER_CLIENT_PER_HOUR": "0",
        }
        if workers == 1:
            cmd, server = [sys.executable, "-m", "services.comments"], "python -m services.comments"
        else:
            cmd = [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "services.comments.main:create_app",
                "--workers",
                str(workers),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ]
            server = f"uvicorn --factory --workers {workers}"
        proc = spawn(cmd, env, tmp / f"akhbar-{workers}.log")
        res = Result("Akhbar comments", workers, server)
        base = f"http://127.0.0.1:{port}"
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        async with httpx.AsyncClient(
            base_url=base, timeout=30, limits=limits, cookies=no_cookies()
        ) as client:
            await until_ok(proc, "comments /health/ready", lambda: client.get("/health/ready"))
            await until_ok(
                proc,
                "PUT /moderation/settings",
                lambda: client.put(
                    "/moderation/settings",
                    json={"flood_interval_seconds": 0},
                    headers={"Authorization": f"Bearer {ADMIN}"},
                ),
            )
            url = f"/articles/{ARTICLE}/comments"

            def payload(i: int, tag: str = "run") -> dict[str, str]:
                return {
                    "author_name": f"قارئ {i}",
                    "author_email": f"{tag}{i}@readers.example.org",
                    "body": comment_text(i),
                }

            # The article is known once the consumer applied the event: 201, not 404.
            await until_ok(
                proc,
                "first comment (article known)",
                lambda: client.post(url, json=payload(0, "probe")),
            )
            warm = Result("warm-up", workers, server)
            await load(
                client,
                url,
                lambda i: payload(i, "warm"),
                {201},
                warm,
                args.clients,
                60,
                args.warmup,
            )
            groups = {"service": proc.pid, "mongo": mongo_srv.proc.pid, "redis": redis_srv.proc.pid}
            db = mongo.connect(mongo_srv.url)["comments"]
            await drained(db)  # the warm-up's events are not the load's
            before = await server_requests(db)
            await load(
                client, url, payload, {201}, res, args.clients, args.duration, args.requests, groups
            )
        try:
            ours = await drained(db)  # the relay drains the outbox after the load
            res.db_round_trips = await server_requests(db) - before - ours - 1
            res.stored = await db.comments.count_documents({"author_email": {"$regex": "^run"}})
            redis = Redis.from_url(redis_srv.url)
            res.events = await redis.xlen(f"{PREFIX}{COMMENTS_STREAM}")
            await redis.aclose()
            total = await db.comments.count_documents({})
            statuses = await db.comments.aggregate(
                [{"$group": {"_id": "$status", "n": {"$sum": 1}}}]
            ).to_list(None)
            res.checks.append(
                f"{total} comments stored incl. warm-up, by status "
                f"{ {d['_id']: d['n'] for d in statuses} }; {res.events} comment.submitted events "
                f"on the stream; {await db.outbox.count_documents({'sent_at': None})} unsent"
            )
        finally:
            db.client.close()
        return res
    finally:
        if proc:
            stop(proc)
        mongo_srv.stop()
        redis_srv.stop()


ISSO_CONF = """[general]
dbpath = {db}
host = {origin}
notify = stdout
[moderation]
enabled = true
[server]
listen = http://127.0.0.1:{port}
[guard]
enabled = false
"""


def isso_server(workers: int) -> str:
    """How Isso runs here: gunicorn when installed, else the built-in server (one process)."""
    if find_spec("isso") is None:
        raise LookupError("PyPI `isso` is not installed here (pip install -e '.[bench]')")
    if find_spec("gunicorn"):
        return f"gunicorn {metadata.version('gunicorn')}, {workers} sync worker(s)"
    if workers == 1:
        return "isso run (built-in werkzeug server, threaded, 1 process)"
    raise LookupError(f"{workers} workers need gunicorn, which is not installed here")


async def run_isso(workers: int, args: argparse.Namespace, tmp: Path) -> Result:
    server = isso_server(workers)
    port, origin = free_port(), f"http://127.0.0.1:{free_port()}"  # nothing listens at origin
    folder = Path(tempfile.mkdtemp(prefix=f"isso-{workers}-", dir=tmp))
    conf = folder / "isso.cfg"
    conf.write_text(ISSO_CONF.format(db=folder / "comments.db", origin=origin, port=port))
    if server.startswith("gunicorn"):
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "isso.run:application",
        ]
    else:
        cmd = [str(Path(sys.executable).with_name("isso")), "-c", str(conf), "run"]
    proc = spawn(cmd, {"ISSO_SETTINGS": str(conf)}, tmp / f"isso-{workers}.log")
    try:
        res = Result(f"Isso {metadata.version('isso')}", workers, server)
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        headers = {"Origin": origin, "Referer": f"{origin}/article"}
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            timeout=30,
            limits=limits,
            cookies=no_cookies(),
            headers=headers,
        ) as client:
            await until_ok(proc, "isso /info", lambda: client.get("/info"))

            def payload(i: int, tag: str = "run") -> dict[str, str]:
                return {
                    "author": f"قارئ {i}",
                    "email": f"{tag}{i}@readers.example.org",
                    "text": comment_text(i),
                    "title": "ارتفاع الأسعار في الأسواق",
                }

            url = "/new?uri=/article"  # 202: stored, held for moderation
            await until_ok(
                proc, "first comment", lambda: client.post(url, json=payload(0, "probe"))
            )
            warm = Result("warm-up", workers, server)
            await load(
                client,
                url,
                lambda i: payload(i, "warm"),
                {201, 202},
                warm,
                args.clients,
                60,
                args.warmup,
            )
            await load(
                client,
                url,
                payload,
                {201, 202},
                res,
                args.clients,
                args.duration,
                args.requests,
                {"isso": proc.pid},
            )
        with contextlib.closing(sqlite3.connect(folder / "comments.db", timeout=30)) as db:
            row = db.execute("SELECT count(*) FROM comments WHERE email LIKE 'run%'").fetchone()
            res.stored = int(row[0])
            modes = dict(db.execute("SELECT mode, count(*) FROM comments GROUP BY mode").fetchall())
            res.checks.append(f"comments by mode (2 = awaiting moderation): {modes}")
        return res
    finally:
        stop(proc)


def table(
    results: list[Result], ratios: dict[int, float], skipped: list[str], args: argparse.Namespace
) -> str:
    lines = [
        f"{args.clients} concurrent clients, {args.duration:g} s per system"
        + (f" or {args.requests} requests" if args.requests else "")
        + ", loopback",
        "",
        f"{'system':<16} {'workers':>7} {'comments/s':>10} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'errors':>6} {'accepted':>8} {'stored':>6}  server",
    ]
    for r in results:
        lines.append(
            f"{r.system:<16} {r.workers:>7} {r.rate:>10.1f} {r.pct(0.5):>7.1f} "
            f"{r.pct(0.95):>7.1f} {sum(r.errors.values()):>6} {r.accepted:>8} {r.stored or 0:>6}"
            f"  {r.server}"
        )
        cores = ", ".join(f"{name} {value:.2f}" for name, value in r.cpu_cores.items())
        lines.append(f"    CPU cores busy during the load: {cores}")
        if r.round_trips_per_comment is not None:
            lines.append(
                f"    database round trips per accepted comment: {r.round_trips_per_comment}"
                f" ({r.db_round_trips} requests, counted by the server)"
            )
        lines.extend(f"    check: {check}" for check in r.checks)
        for sample in r.error_samples:
            lines.append(f"    error: {sample}")
        if r.errors:
            lines.append(f"    errors by kind: {dict(r.errors)}")
    lines.append("")
    for workers, ratio in ratios.items():
        lines.append(f"Akhbar / Isso at {workers} worker(s): {ratio:.2f}x comments/s")
    lines.extend(skipped)
    lines.append(f"reference figure from RECIPES.md, not measured in this run: {REFERENCE}")
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-bench-comments-"))
    results: list[Result] = []
    ratios: dict[int, float] = {}
    skipped: list[str] = []
    try:
        for workers in args.workers:
            ours = await run_akhbar(workers, args, tmp)
            results.append(ours)
            if args.no_isso:
                skipped.append(f"Isso at {workers} worker(s) not measured: --no-isso")
                continue
            try:
                theirs = await run_isso(workers, args, tmp)
            except (LookupError, RuntimeError) as exc:  # Akhbar's figures still stand
                skipped.append(f"Isso at {workers} worker(s) not measured: {exc}")
                continue
            results.append(theirs)
            ratios[workers] = round(ours.rate / theirs.rate, 2) if theirs.rate else 0.0
    finally:
        if args.keep_logs:
            print(f"logs kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(
            json.dumps(
                {
                    "clients": args.clients,
                    "duration_s": args.duration,
                    "requests": args.requests,
                    "results": [r.summary() for r in results],
                    "akhbar_over_isso": ratios,
                    "not_measured": skipped,
                    "reference": REFERENCE,
                },
                ensure_ascii=False,
            )
        )
    else:
        print(table(results, ratios, skipped, args))
    return 1 if any(r.errors for r in results if r.system.startswith("Akhbar")) else 0


if __name__ == "__main__":
    # SIGTERM as Ctrl-C: asyncio.run cancels main(), whose finally blocks stop every process.
    signal.signal(signal.SIGTERM, lambda *_: os.kill(os.getpid(), signal.SIGINT))
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per system")
    parser.add_argument("--requests", type=int, default=0, help="stop after N requests (0: none)")
    parser.add_argument("--warmup", type=int, default=100, help="requests before measuring")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-isso", action="store_true", help="measure Akhbar alone")
    parser.add_argument("--keep-logs", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    try:
        sys.exit(asyncio.run(main(parser.parse_args())))
    except KeyboardInterrupt:
        sys.exit(130)
