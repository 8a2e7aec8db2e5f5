"""Public reads under load, beside a bare `find_one` app on the same server, in the same run.

Usage: reads.py [--articles 40] [--concurrency 16] [--duration 10] [--json]

Starts an embedded MongoDB-wire server and Redis, the three services as real processes and
the bare app (bench/bare_app.py), publishes articles with approved comments through the API,
waits until the related list is built, then runs bench/loadgen.py (a separate process) against
`GET /articles/{slug}`, `GET /articles/{id}/related`, `GET /articles/{id}/comments` and the
bare app's `GET /bare/{slug}`. Prints req/s, p95 and the ratio to the bare app (target 3x).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.comments_write import spawn, stop
from shared.embedded import free_port, start_mongo, start_redis

ROOT = Path(__file__).resolve().parents[1]
TOKENS = "bench-ed:editor,bench-mod:moderator,bench-adm:admin"
EDITOR = {"Authorization": "Bearer bench-ed"}
MODERATOR = {"Authorization": "Bearer bench-mod"}
ADMIN = {"Authorization": "Bearer bench-adm"}
TARGET = 3.0
BODY = (
    "أعلنت الحكومة خطة لدعم الاقتصاد الوطني وتشجيع الاستثمار في الصناعة والزراعة",
    "شهدت الأسواق المالية ارتفاعا في أسعار النفط والذهب مع تراجع الدولار",
    "بحث وزير الخارجية مع نظيره التعاون الأمني ومكافحة الإرهاب في المنطقة",
    "فاز المنتخب الوطني لكرة القدم في المباراة النهائية للبطولة العربية",
)


async def wait_http(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    async with httpx.AsyncClient(timeout=2) as http:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited ({proc.returncode})")
            try:
                if (await http.get(url)).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{what} not up")


async def seed(urls: dict[str, str], n: int) -> dict[str, str]:
    """Publish `n` articles; comments approved on the first; wait for its related list."""
    async with httpx.AsyncClient(timeout=30) as http:
        await http.post(
            f"{urls['articles']}/categories",
            headers=EDITOR,
            json={"slug": "world", "name": "أخبار العالم"},
        )
        await http.put(
            f"{urls['comments']}/moderation/settings",
            headers=ADMIN,
            json={"flood_interval_seconds": 0, "default_status": "pending"},
        )
        first: dict[str, Any] = {}
        for i in range(n):
            made = await http.post(
                f"{urls['articles']}/articles",
                headers=EDITOR,
                json={
                    "title": f"{BODY[i % 4][:50]} {i}",
                    "body": [
                        {"type": "paragraph", "text": f"{BODY[i % 4]} {BODY[(i + 1) % 4]} {i}"}
                    ],
                    "category": "world",
                    "tags": ["اقتصاد" if i % 2 else "سياسة"],
                },
            )
            made.raise_for_status()
            article = made.json()
            (
                await http.post(
                    f"{urls['articles']}/articles/{article['id']}/publish", headers=EDITOR
                )
            ).raise_for_status()
            first = first or article
        for i in range(10):
            for _ in range(100):
                posted = await http.post(
                    f"{urls['comments']}/articles/{first['id']}/comments",
                    json={
                        "author_name": "قارئ",
                        "author_email": f"r{i}@example.com",
                        "body": f"تعليق مفيد على الخبر رقم {i}",
                    },
                )
                if posted.status_code == 201:
                    break
                await asyncio.sleep(0.2)  # the comments service learns the article from events
            posted.raise_for_status()
            (
                await http.post(
                    f"{urls['comments']}/moderation/comments/{posted.json()['id']}/approve",
                    headers=MODERATOR,
                )
            ).raise_for_status()
        for _ in range(300):
            related = await http.get(f"{urls['related']}/articles/{first['id']}/related")
            if related.status_code == 200 and related.json()["items"]:
                break
            await asyncio.sleep(0.2)
        return {"id": first["id"], "slug": first["slug"]}


def loadgen(urls: list[str], args: argparse.Namespace) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "loadgen.py"),
            *urls,
            "--concurrency",
            str(args.concurrency),
            "--duration",
            str(args.duration),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


async def main(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-bench-reads-"))
    mongo, redis = start_mongo(tmp / "mongo"), start_redis()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        env = {
            "MONGO_URL": mongo.url,
            "REDIS_URL": redis.url,
            "AKHBAR_TOKENS": TOKENS,
            "LOG_LEVEL": "WARNING",
        }
        urls = {}
        for name in ("articles", "comments", "related"):
            port = free_port()
            env[f"{name.upper()}_PORT"] = str(port)
            urls[name] = f"http://127.0.0.1:{port}"
        env["RELATED_ARTICLES_URL"] = urls["articles"]
        for name in urls:
            procs.append(
                spawn([sys.executable, "-m", f"services.{name}"], env, tmp / f"{name}.log")
            )
        bare_port = free_port()
        procs.append(
            spawn(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bench.bare_app:app",
                    "--port",
                    str(bare_port),
                    "--log-level",
                    "warning",
                ],
                {"BARE_MONGO_URL": mongo.url, "BARE_DB": "articles"},
                tmp / "bare.log",
            )
        )
        for (name, url), proc in zip(urls.items(), procs, strict=False):
            await wait_http(f"{url}/health/ready", proc, name)
        target = await seed(urls, args.articles)
        bare = f"http://127.0.0.1:{bare_port}"
        await wait_http(f"{bare}/bare/{target['slug']}", procs[-1], "bare app")
        cases = {
            "bare find_one (baseline)": f"{bare}/bare/{target['slug']}",
            "GET /articles/{slug}": f"{urls['articles']}/articles/{target['slug']}",
            "GET /articles/{id}/related": f"{urls['related']}/articles/{target['id']}/related",
            "GET /articles/{id}/comments": f"{urls['comments']}/articles/{target['id']}/comments",
        }
        results = {name: loadgen([url], args) for name, url in cases.items()}
        base = results["bare find_one (baseline)"]["rps"] or 1.0
        print(f"\nreads at c={args.concurrency}, {args.duration:.0f} s each (loopback, 2 cores)")
        print(f"{'endpoint':32} {'req/s':>8} {'p95 ms':>8} {'ratio':>6} {'target':>7}  met")
        rows = []
        for name, res in results.items():
            ratio = res["rps"] / base
            baseline = name.startswith("bare")
            met = "" if baseline else ("yes" if ratio >= TARGET else "no")
            print(
                f"{name:32} {res['rps']:8.1f} {res['p95_ms']:8.1f} {ratio:6.2f} "
                f"{'' if baseline else f'{TARGET:.1f}x':>7}  {met}"
            )
            rows.append(
                {
                    "name": name,
                    **res,
                    "ratio": round(ratio, 2),
                    "target": None if baseline else TARGET,
                    "met": None if baseline else ratio >= TARGET,
                }
            )
        if args.json:
            print(json.dumps({"bench": "reads", "rows": rows}, ensure_ascii=False))
        return 0
    finally:
        for proc in procs:
            stop(proc)
        redis.stop()
        mongo.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--json", action="store_true", help="also print one JSON object, last")
    sys.exit(asyncio.run(main(parser.parse_args())))
