"""Search speed: GET /search's query path over n ANT articles, beside a brute-force scan.

Usage: search_speed.py [CORPUS.jsonl.gz] [--n 10000] [--queries 12] [--updates 30]

Starts the embedded MongoDB-wire server (SecantusDB), fills the search index with n articles
(bulk), then times, in the same process and on the same data:
- the service's query (finder.find: postings of the query's terms, BM25, cards, snippets),
- a brute-force baseline: score every article against the query from its term counts,
  held in memory (so the baseline pays no MongoDB reads at all; the service does),
- one incremental update (SearchIndex.apply: an article re-indexed by an event).
Queries are words taken from article titles (single words and two-word phrases).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from related_quality import DEFAULT_CORPUS, load_corpus
from related_service_speed import snapshot

from services.related import finder, search, search_index
from shared import mongo
from shared.embedded import start_mongo


def brute_force(bags: dict[str, tuple[dict, float]], q: str, limit: int) -> list[str]:  # type: ignore[type-arg]
    """Score every article against the query from its term counts (held in memory)."""
    terms = search.query_terms(q)
    postings: dict[str, dict[str, search.Posting]] = {t: {} for t in terms}
    for article_id, (tf, length) in bags.items():
        for t in terms:
            if t in tf:
                postings[t][article_id] = (tf[t][0], tf[t][1], length)
    n = len(bags)
    corpus = search.Corpus(n, sum(length for _, length in bags.values()) / n)
    return [a for _, a in search.rank(postings, corpus, limit=limit)]


async def scan(db: mongo.Database, q: str, limit: int) -> list[str]:
    """Without an inverted index: read every indexed article (only the query's term counts)
    and score it."""
    terms = search.query_terms(q)
    fields = {"len": 1, **{f"terms.{t}": 1 for t in terms}}
    bags: dict[str, tuple[dict, float]] = {}  # type: ignore[type-arg]
    last = ""
    while True:  # pages by id: no cursor stays open long on the server
        query = {"status": "published", "_id": {"$gt": last}}
        page = (
            await db[search_index.DOCS].find(query, fields).sort("_id", 1).limit(1000).to_list(1000)
        )
        bags.update((d["_id"], (d.get("terms") or {}, d["len"])) for d in page)
        if len(page) < 1000:
            return brute_force(bags, q, limit)
        last = page[-1]["_id"]


def queries(docs: list[dict], count: int, seed: int = 7) -> list[str]:  # type: ignore[type-arg]
    rng = random.Random(seed)
    picked = []
    while len(picked) < count:
        words = [w for w in rng.choice(docs)["title"].split() if len(search.query_terms(w)) == 1]
        if not words:
            continue
        start = rng.randrange(len(words))
        picked.append(" ".join(words[start : start + rng.choice((1, 2))]))
    return picked


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"p50 {statistics.median(values) * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms"


async def run(path: Path, n: int, n_queries: int, n_updates: int, with_scan: bool) -> None:
    docs = load_corpus(path, n + n_updates)
    base, held = docs[:n], docs[n:]
    server = start_mongo()
    client = mongo.connect(server.url, timeout_ms=120_000)  # a full scan starves heartbeats
    db = client["search_bench"]
    try:
        started = time.perf_counter()
        snapshots = [snapshot(d) for d in base]
        index = search_index.SearchIndex(db)
        await index.bulk_load([(s, 1) for s in snapshots])
        stored = (search_index.search_doc(s, 1) for s in snapshots)
        bags = {d["_id"]: (d["terms"], d["len"]) for d in stored}
        print(f"indexed {len(base)} articles in {time.perf_counter() - started:.1f} s (bulk)")
        qs = queries(base, n_queries)
        cold, warm, scanned, memory = [], [], [], []
        for q in qs:
            for times in (cold, warm):  # first time: the terms' documents are read
                t0 = time.perf_counter()
                page = await finder.find(index, q=q, limit=10, cursor=None)
                times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            by_scan = await scan(db, q, 10) if with_scan else None
            t1 = time.perf_counter()
            expected = brute_force(bags, q, 10)
            t2 = time.perf_counter()
            assert [i.id for i in page.items] == expected, q  # same answer
            assert by_scan in (None, expected), q
            scanned.append(t1 - t0)
            memory.append(t2 - t1)
        print(f"search, terms read from MongoDB:          {ms(cold)}")
        print(f"search, same query again (cached terms):  {ms(warm)}")
        if with_scan:
            print(f"brute force, scan of every article in DB: {ms(scanned)}")
        print(f"brute force, scoring in memory only:      {ms(memory)}")
        baseline = scanned if with_scan else memory
        ratio = statistics.median(baseline) / statistics.median(cold)
        print(
            f"search vs {'DB scan' if with_scan else 'in-memory scoring'} at p50: {ratio:.2f}x"
            f" ({len(qs)} queries, {len(base)} articles)"
        )
        updates = []
        for doc in held:
            t0 = time.perf_counter()
            await index.apply(None, article_id=doc["id"], version=1, snapshot=snapshot(doc))
            updates.append(time.perf_counter() - t0)
        print(f"incremental index of one article:         {ms(updates)}")
    finally:
        client.close()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=12)
    parser.add_argument("--updates", type=int, default=30)
    parser.add_argument(
        "--no-scan", action="store_true", help="skip the full-scan baseline (slow at 10k)"
    )
    args = parser.parse_args()
    asyncio.run(run(args.corpus, args.n, args.queries, args.updates, not args.no_scan))


if __name__ == "__main__":
    main()
