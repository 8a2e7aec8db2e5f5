"""A bounded HTTP load generator, run as its own process so it does not share the server's CPU.

Usage: loadgen.py URL [URL ...] [--concurrency 16] [--duration 10] [--requests N]
                      [--header 'Name: value'] [--expect 200,304]

K asyncio workers GET the URLs round-robin over keep-alive HTTP/1.1 connections until the
deadline or N requests (loopback only), then print one JSON object: requests, ok, errors by
status, req/s, p50/p95/p99 in ms.

The client is a plain asyncio stream per worker (request line out, headers and a
Content-Length body in): an httpx client spends ~1 ms of CPU per request, so at a few hundred
requests per second it, not the server under test, was the bottleneck (measured: the httpx
load generator at 94 % of a core while the service used 19 %).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from collections import Counter
from urllib.parse import quote, urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


class Connection:
    """One keep-alive HTTP/1.1 connection; responses need a Content-Length (or none at all)."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        request = f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.extra}\r\n"
        self.writer.write(request.encode("latin-1"))
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if "chunked" in fields.get("transfer-encoding", ""):
            raise ValueError("chunked responses are not supported by this load generator")
        length = int(fields.get("content-length", "0"))
        if length:
            await self.reader.readexactly(length)
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None


async def run(args: argparse.Namespace) -> dict[str, object]:
    targets = []
    for url in args.urls:
        parts = urlsplit(url)
        if parts.hostname not in LOOPBACK:
            raise SystemExit(f"refusing a non-loopback target: {url}")
        path = quote(parts.path or "/", safe="/%") + (
            f"?{quote(parts.query, safe='=&%')}" if parts.query else ""
        )
        targets.append((parts.hostname, parts.port or 80, path))
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    expect = {int(code) for code in args.expect.split(",")}
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    counter = itertools.count()
    connections: dict[tuple[int, str, int], Connection] = {}

    def connection(worker: int, host: str, port: int) -> Connection:
        key = (worker, host, port)
        if key not in connections:
            connections[key] = Connection(host, port, headers)
        return connections[key]

    async def worker(number: int) -> None:
        while time.perf_counter() < deadline:
            i = next(counter)
            if args.requests and i >= args.requests:
                return
            host, port, path = targets[i % len(targets)]
            conn = connection(number, host, port)
            started = time.perf_counter()
            try:
                status = await asyncio.wait_for(conn.get(path), timeout=30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors[type(exc).__name__] += 1
                await conn.close()
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            if status not in expect:
                errors[str(status)] += 1

    # warm-up: one request per URL and worker (connections, caches) outside the measurement
    deadline = time.perf_counter() + 30
    for number in range(args.concurrency):
        for host, port, path in targets:
            await connection(number, host, port).get(path)
    began = time.perf_counter()
    deadline = began + args.duration
    await asyncio.gather(*(worker(n) for n in range(args.concurrency)))
    seconds = time.perf_counter() - began
    for conn in connections.values():
        await conn.close()
    ordered = sorted(latencies)
    ok = len(latencies) - sum(v for k, v in errors.items() if k.isdigit())
    return {
        "requests": len(latencies),
        "ok": ok,
        "errors": dict(errors),
        "seconds": round(seconds, 2),
        "rps": round(ok / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(ordered, 0.5), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
        "p99_ms": round(percentile(ordered, 0.99), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--requests", type=int, default=0)
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--expect", default="200")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
