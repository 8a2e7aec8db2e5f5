"""Publish -> visible in another article's related list, at steady publish rates.

Usage: publish_visible.py [--rates 5 20 50] [--seconds 10] [--seed-articles 200] [--json]

Starts an embedded MongoDB-wire server and Redis, the articles and related services as real
processes, publishes ANT-subset articles as the corpus, then at each rate publishes fresh
articles (a real article's title and opening with another's ending, so each is close to, but
not a copy of, existing ones). For each publish it watches `related.events` for the lists that
changed because of it and reads one of them over HTTP until the new article is in it: the
time from the publish response to that read is the latency. Prints p50/p95 per rate (target:
p95 <= 300 ms at 20/s).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from redis.asyncio import Redis

from bench.comments_write import spawn, stop
from bench.reads import EDITOR, TOKENS, wait_http
from shared.broker import decode_entry
from shared.embedded import free_port, start_mongo, start_redis

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS, TARGET_RATE = 300.0, 20
DEBUG = False


def corpus() -> list[dict[str, Any]]:
    with gzip.open(ROOT / "data" / "ant-subset" / "articles.jsonl.gz", "rt", encoding="utf-8") as f:
        return [r for r in map(json.loads, f) if len(r.get("text", "")) > 400]


def article(record: dict[str, Any], other: dict[str, Any], tag: str) -> dict[str, Any]:
    head = record["text"][: len(record["text"]) // 2]
    tail = other["text"][len(other["text"]) // 2 :]
    return {
        "title": f"{record['title'][:150]} {tag}",
        "body": [{"type": "paragraph", "text": head}, {"type": "paragraph", "text": tail}],
        "category": "news",
        "tags": [],
    }


async def publish(http: httpx.AsyncClient, base: str, payload: dict[str, Any]) -> str:
    made = await http.post(f"{base}/articles", json=payload, headers=EDITOR)
    made.raise_for_status()
    article_id = str(made.json()["id"])
    (await http.post(f"{base}/articles/{article_id}/publish", headers=EDITOR)).raise_for_status()
    return article_id


class Watcher:
    """Follows related.events: which lists changed, by the article whose event caused it."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.changed: dict[str, set[str]] = {}
        self.position = "$"

    async def run(self) -> None:
        while True:
            replies = await self.redis.xread({"related.events": self.position}, block=1000)
            for _, entries in replies or ():
                for entry_id, fields in entries:
                    self.position = entry_id.decode()
                    event = decode_entry(fields)
                    for article_id in event["data"]["article_ids"]:
                        self.changed.setdefault(article_id, set()).update(
                            event["data"]["article_ids"]
                        )


async def quiet(redis: Redis, stream: str = "articles.events", timeout_s: float = 300) -> float:
    """Wait until every consumer group of `stream` has read and acknowledged every entry (the
    seed's events), so the rates measure a steady state, not the seed's backlog; the seconds
    it took."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout_s:
        groups = await redis.xinfo_groups(stream)
        if groups and all(int(g.get("lag") or 0) == 0 and int(g["pending"]) == 0 for g in groups):
            return time.perf_counter() - began
        await asyncio.sleep(0.2)
    raise SystemExit(f"{stream}: consumer groups still busy after {timeout_s:.0f} s")


async def visible_after(
    http: httpx.AsyncClient, related: str, watcher: Watcher, article_id: str, began: float
) -> float | None:
    """Seconds from `began` until another article's list shows `article_id` (None: no list
    took it within 5 s)."""
    deadline = began + 5
    seen = None
    while time.perf_counter() < deadline:
        others = watcher.changed.get(article_id, set()) - {article_id}
        if others and seen is None:
            seen = time.perf_counter() - began
            if DEBUG:
                print(f"event after {seen * 1000:.0f} ms", file=sys.stderr)
        for other in others:
            listed = await http.get(f"{related}/articles/{other}/related")
            if listed.status_code == 200 and any(
                item.get("id", item.get("article_id")) == article_id
                for item in listed.json()["items"]
            ):
                return time.perf_counter() - began
        await asyncio.sleep(0.005)
    return None


async def at_rate(http, urls, watcher, records, rate: float, seconds: float, offset: int):  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    missed = 0
    tasks = []

    async def one(i: int) -> None:
        nonlocal missed
        rec, other = (
            records[(offset + i) % len(records)],
            records[(offset + i * 7 + 3) % len(records)],
        )
        article_id = await publish(http, urls["articles"], article(rec, other, f"r{rate}-{i}"))
        began = time.perf_counter()
        took = await visible_after(http, urls["related"], watcher, article_id, began)
        if took is None:
            missed += 1
        else:
            latencies.append(took * 1000)

    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")

    return {
        "rate": rate,
        "publishes": len(tasks),
        "visible": len(ordered),
        "not_entered": missed,
        "p50_ms": round(pct(0.5), 1),
        "p95_ms": round(pct(0.95), 1),
    }


async def main(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-bench-visible-"))
    mongo, redis_server = start_mongo(tmp / "mongo"), start_redis()
    procs = []
    redis = Redis.from_url(redis_server.url)
    try:
        env = {
            "MONGO_URL": mongo.url,
            "REDIS_URL": redis_server.url,
            "AKHBAR_TOKENS": TOKENS,
            "LOG_LEVEL": "WARNING",
            "RELATED_AUTO_REBUILD_MIN_DOCS": "100000",
        }
        urls = {}
        for name in ("articles", "related"):
            port = free_port()
            env[f"{name.upper()}_PORT"] = str(port)
            urls[name] = f"http://127.0.0.1:{port}"
        env["RELATED_ARTICLES_URL"] = urls["articles"]
        for name in urls:
            procs.append(
                spawn([sys.executable, "-m", f"services.{name}"], env, tmp / f"{name}.log")
            )
        for (name, url), proc in zip(urls.items(), procs, strict=True):
            await wait_http(f"{url}/health/ready", proc, name)
        records = corpus()
        async with httpx.AsyncClient(timeout=30) as http:
            await http.post(
                f"{urls['articles']}/categories",
                headers=EDITOR,
                json={"slug": "news", "name": "أخبار"},
            )
            gate = asyncio.Semaphore(8)

            async def seed(i: int) -> None:
                async with gate:
                    rec = records[i % len(records)]
                    await publish(http, urls["articles"], article(rec, rec, f"s{i}"))

            await asyncio.gather(*(seed(i) for i in range(args.seed_articles)))
            # a rebuild freezes idf statistics for the seeded corpus, then the index is quiet
            rebuild = await http.post(
                f"{urls['related']}/admin/rebuild", headers={"Authorization": "Bearer bench-adm"}
            )
            rebuild.raise_for_status()
            job = rebuild.json()
            for _ in range(600):
                status = (
                    await http.get(
                        f"{urls['related']}/admin/rebuild/{job['job_id']}",
                        headers={"Authorization": "Bearer bench-adm"},
                    )
                ).json()
                if status["status"] in ("succeeded", "failed"):
                    break
                await asyncio.sleep(0.5)
            drained_s = await quiet(redis)
            print(f"seed events handled by every consumer group {drained_s:.1f} s after the "
                  "rebuild", file=sys.stderr)  # fmt: skip
            watcher = Watcher(redis)
            watching = asyncio.create_task(watcher.run())
            rows = []
            for n, rate in enumerate(args.rates):
                rows.append(
                    await at_rate(http, urls, watcher, records, rate, args.seconds, 1000 * (n + 1))
                )
            watching.cancel()
        print(
            f"\npublish -> visible in another article's related list ({args.seed_articles} seeded)"
        )
        print(f"{'publishes/s':>11} {'n':>5} {'visible':>8} {'p50 ms':>8} {'p95 ms':>8}  target")
        for row in rows:
            target = ""
            if row["rate"] == TARGET_RATE:
                met = row["p95_ms"] <= TARGET_P95_MS
                target = f"p95 <= {TARGET_P95_MS:.0f} ms: {'met' if met else 'not met'}"
                row.update(target_p95_ms=TARGET_P95_MS, met=met)
            print(
                f"{row['rate']:11.0f} {row['publishes']:5d} {row['visible']:8d} "
                f"{row['p50_ms']:8.1f} {row['p95_ms']:8.1f}  {target}"
            )
        if args.json:
            print(json.dumps({"bench": "publish_visible", "rows": rows}, ensure_ascii=False))
        return 0
    finally:
        await redis.aclose()
        for proc in procs:
            stop(proc)
        redis_server.stop()
        mongo.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rates", type=float, nargs="+", default=[5, 20, 50])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seed-articles", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="also print one JSON object, last")
    sys.exit(asyncio.run(main(parser.parse_args())))
