"""Search speed: GET /search's query path over n ANT articles, beside a brute-force scan.

Usage: search_speed.py [CORPUS.jsonl.gz] [--n 10000] [--queries 12] [--updates 30]

Starts the embedded MongoDB-wire server (SecantusDB), fills the search index with n articles
(bulk), then times, in the same process and on the same data:
- the service's query (finder.find: postings of the query's terms, BM25, cards, snippets),
- a brute-force baseline: read every indexed article and score it against the query,
- one incremental update (search_index.apply: an article re-indexed by an event).
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


async def brute_force(db: mongo.Database, q: str, limit: int) -> list[str]:
    """Score every indexed article against the query from its stored term counts."""
    terms = search.query_terms(q)
    docs = (
        await db[search_index.DOCS]
        .find({"status": "published"}, {"terms": 1, "len": 1})
        .to_list(None)
    )
    postings: dict[str, dict[str, search.Posting]] = {t: {} for t in terms}
    for doc in docs:
        for t in terms:
            if t in doc["terms"]:
                title_tf, body_tf = doc["terms"][t]
                postings[t][doc["_id"]] = (title_tf, body_tf, doc["len"])
    n = len(docs)
    corpus = search.Corpus(n, sum(d["len"] for d in docs) / n)
    return [a for _, a in search.rank(postings, corpus, limit=limit)]


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


async def run(path: Path, n: int, n_queries: int, n_updates: int) -> None:
    docs = load_corpus(path, n + n_updates)
    base, held = docs[:n], docs[n:]
    server = start_mongo()
    client = mongo.connect(server.url)
    db = client["search_bench"]
    try:
        started = time.perf_counter()
        await search_index.bulk_load(db, [(snapshot(d), 1) for d in base])
        print(f"indexed {len(base)} articles in {time.perf_counter() - started:.1f} s (bulk)")
        qs = queries(base, n_queries)
        fast, slow = [], []
        for q in qs:
            t0 = time.perf_counter()
            page = await finder.find(db, q=q, limit=10, cursor=None)
            t1 = time.perf_counter()
            expected = await brute_force(db, q, 10)
            t2 = time.perf_counter()
            assert [i.id for i in page.items] == expected, q  # same answer, other cost
            fast.append(t1 - t0)
            slow.append(t2 - t1)
        print(f"search (inverted index, cards, snippets): {ms(fast)}")
        print(f"brute force over every article:           {ms(slow)}")
        ratio = statistics.median(slow) / statistics.median(fast)
        print(f"speed-up at p50: {ratio:.1f}x over {len(qs)} queries, {len(base)} articles")
        updates = []
        for doc in held:
            t0 = time.perf_counter()
            await search_index.apply(
                db, None, article_id=doc["id"], version=1, snapshot=snapshot(doc)
            )
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
    args = parser.parse_args()
    asyncio.run(run(args.corpus, args.n, args.queries, args.updates))


if __name__ == "__main__":
    main()
