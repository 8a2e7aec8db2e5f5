"""Load demo content: the seed article page and the ANT corpus subset, published with events.

Runs against MONGO_URL / REDIS_URL like the articles service; safe to run again (nothing is
duplicated). AKHBAR_DEMO_LIMIT caps how many corpus articles are loaded; AKHBAR_SEED names
another seed page (default ../shared/samples/seed-article-ar.txt beside the checkout).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from scripts.import_ant import import_records, read_records
from scripts.seed import seed_article
from services.articles.config import Settings
from shared.runtime import Runtime, running

ROOT = Path(__file__).resolve().parents[1]
SEED = Path(
    os.environ.get("AKHBAR_SEED") or ROOT.parent / "shared" / "samples" / "seed-article-ar.txt"
)
SUBSET = ROOT / "data" / "ant-subset" / "articles.jsonl.gz"


async def load(limit: int | None) -> None:
    runtime = Runtime(Settings())
    async with running(runtime):
        if SEED.exists():
            doc = await seed_article(runtime, SEED)
            print(f"seed article: {doc['title']} (/articles/{doc['slug']})")
        else:
            print(f"seed article not found at {SEED}; skipped")
        records = list(read_records(SUBSET))[:limit]
        summary = await import_records(runtime, records, total=len(records))
        print(f"ANT corpus subset: {summary}")


def main() -> None:
    limit = os.environ.get("AKHBAR_DEMO_LIMIT")
    asyncio.run(load(int(limit) if limit else None))


if __name__ == "__main__":
    main()
