"""Write data/ant-subset: the first 45 articles per category (docno order) of ANT corpus v1.1.

Usage: make_ant_subset.py [CORPUS.jsonl.gz] [--per-category 45]
Deterministic: same input, same output bytes (gzip mtime fixed at 0).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared/data/ant-corpus-v1.1/articles.jsonl.gz"
OUT = REPO / "data/ant-subset"


def docno_key(docno: str) -> tuple[str, int, str]:
    """Order docnos like JA-economy-32-20170125 by category, then number, numerically."""
    match = re.match(r"(.*?)-(\d+)-(\d+)$", docno)
    return (match.group(1), int(match.group(2)), match.group(3)) if match else (docno, 0, "")


def main() -> None:
    """Select the subset and write it with its licence."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--per-category", type=int, default=45)
    args = parser.parse_args()
    by_category: defaultdict[str, list[dict]] = defaultdict(list)
    with gzip.open(args.corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            if article["category"] and article["title"].strip() and article["text"].strip():
                by_category[article["category"]].append(article)
    chosen = []
    for category in sorted(by_category):
        articles = sorted(by_category[category], key=lambda a: docno_key(a["docno"]))
        chosen.extend(articles[: args.per_category])
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        open(OUT / "articles.jsonl.gz", "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as packed,
    ):
        for article in chosen:
            packed.write((json.dumps(article, ensure_ascii=False) + "\n").encode("utf-8"))
    shutil.copyfile(args.corpus.parent / "LICENSE", OUT / "LICENSE")
    print(f"wrote {len(chosen)} articles in {len(by_category)} categories to {OUT}")


if __name__ == "__main__":
    main()
