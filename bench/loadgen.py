"""A bounded HTTP load generator, run as its own process so it does not share the server's CPU.

Usage: loadgen.py URL [URL ...] [--concurrency 16] [--duration 10] [--requests N]
                      [--header 'Name: value'] [--expect 200,304]

K asyncio workers GET the URLs round-robin until the deadline or N requests (loopback only),
then print one JSON object: requests, ok, errors by status, req/s, p50/p95/p99 in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from collections import Counter
from urllib.parse import urlparse

import httpx

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def run(args: argparse.Namespace) -> dict[str, object]:
    for url in args.urls:
        if urlparse(url).hostname not in LOOPBACK:
            raise SystemExit(f"refusing a non-loopback target: {url}")
    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    expect = {int(code) for code in args.expect.split(",")}
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    counter = itertools.count()
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    async with httpx.AsyncClient(timeout=30, limits=limits, headers=headers) as client:

        async def worker() -> None:
            while time.perf_counter() < deadline:
                i = next(counter)
                if args.requests and i >= args.requests:
                    return
                started = time.perf_counter()
                try:
                    response = await client.get(args.urls[i % len(args.urls)])
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code not in expect:
                    errors[str(response.status_code)] += 1

        # warm-up: one request per URL (connections, caches) outside the measurement
        for url in args.urls:
            await client.get(url)
        began = time.perf_counter()
        deadline = began + args.duration
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        seconds = time.perf_counter() - began
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
