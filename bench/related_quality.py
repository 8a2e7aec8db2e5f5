"""Related-articles quality on a labelled corpus: Akhbar's engine against tf-idf baselines.

Usage: related_quality.py [CORPUS.jsonl.gz] [--json] [--limit N] [--stemmer light10|snowball]

Metrics, over articles with a non-empty title and text:
- macro_p_at_5: for each article, the share of its top 5 results in its own category; averaged
  per category, then over the categories (articles without a category stay indexed but are not
  scored, they form no category).
- coverage: share of articles with 5 results.
- near_duplicate_rate: share of result items that are near-duplicates of the source, meaning
  cosine of raw term-count vectors (normalized tokens, no stemming or stop list) >= 0.9, or
  identical normalized titles.
- seconds: indexing plus computing every list.
The engine never sees the category (it is the label) and the corpus has no tags.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.related import scoring
from services.related.engine import RelatedEngine
from shared import arabic

DEFAULT_CORPUS = (
    Path(__file__).resolve().parents[1].parent / "shared/data/ant-corpus-v1.1/articles.jsonl.gz"
)
TOP = 5


def parse_time(value: str) -> datetime | None:
    """Parse the corpus' ISO or dd/mm/yyyy timestamps."""
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return datetime.strptime(value, "%d/%m/%Y").replace(tzinfo=UTC)
    except ValueError:
        return None


def load_corpus(path: Path, limit: int | None = None) -> list[dict]:
    """Read articles as engine docs plus their `label`; skip empty title or text."""
    docs = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            raw = json.loads(line)
            if not raw["title"].strip() or not raw["text"].strip():
                continue
            docs.append({
                "id": raw["docno"], "title": raw["title"], "summary": raw.get("abstract", ""),
                "body": raw["text"], "tags": [], "category": None,
                "published_at": parse_time(raw.get("time", "")), "label": raw.get("category", ""),
            })  # fmt: skip
            if limit and len(docs) >= limit:
                break
    return docs


def tfidf_top(token_lists: Sequence[list[str]], top: int = TOP) -> list[list[int]]:
    """Top results by tf-idf cosine (smoothed idf, raw tf), self excluded, score > 0."""
    counts = [Counter(tokens) for tokens in token_lists]
    n = len(counts)
    df = Counter(t for c in counts for t in c)
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, c in enumerate(counts):
        weights = {t: f * (math.log((1 + n) / (1 + df[t])) + 1) for t, f in c.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        for t, w in weights.items():
            rows.append(i)
            cols.append(vocab.setdefault(t, len(vocab)))
            vals.append(w / norm)
    x = sp.csr_matrix((vals, (rows, cols)), shape=(n, max(len(vocab), 1)))
    results = []
    for start in range(0, n, 1000):
        sims = (x[start : start + 1000] @ x.T).toarray()
        for row in range(sims.shape[0]):
            sims[row, start + row] = -1.0
            best = np.lexsort((np.arange(n), -sims[row]))[:top]
            results.append([int(j) for j in best if sims[row, j] > 0])
    return results


def lucene_tokens(text: str) -> list[str]:
    """Lucene-style Arabic analyzer: normalize, stop words, light10."""
    return [arabic.stem_light10(t) for t in arabic.tokenize(text) if t not in arabic.STOP_WORDS]


def score(docs: list[dict], results: list[list[int]], seconds: float) -> dict[str, float]:
    """Compute the four metrics for one system's results."""
    labels = [d["label"] for d in docs]
    per_cat: defaultdict[str, list[float]] = defaultdict(list)
    for i, hits in enumerate(results):
        if labels[i]:
            per_cat[labels[i]].append(sum(labels[j] == labels[i] for j in hits[:TOP]) / TOP)
    raw = [Counter(arabic.tokenize(d["title"] + " " + d["body"])) for d in docs]
    norms = [math.sqrt(sum(v * v for v in c.values())) or 1.0 for c in raw]
    titles = [arabic.normalize(d["title"]) for d in docs]
    items = dups = 0
    for i, hits in enumerate(results):
        for j in hits[:TOP]:
            items += 1
            cosine = sum(v * raw[j].get(t, 0) for t, v in raw[i].items()) / (norms[i] * norms[j])
            dups += cosine >= 0.9 or titles[i] == titles[j]
    return {
        "macro_p_at_5": float(np.mean([np.mean(v) for v in per_cat.values()])),
        "coverage": sum(len(r) >= TOP for r in results) / len(results),
        "near_duplicate_rate": dups / items if items else 0.0,
        "seconds": seconds,
    }


def run_engine(docs: list[dict]) -> tuple[list[list[int]], float]:
    """Build the engine on the corpus and read every article's top results."""
    started = time.perf_counter()
    engine = RelatedEngine.build(docs)
    position = {d["id"]: i for i, d in enumerate(docs)}
    results = [[position[it.article_id] for it in engine.related(d["id"], TOP)] for d in docs]
    return results, time.perf_counter() - started


def run_baseline(docs: list[dict], tokens: Callable[[str], list[str]]) -> tuple[list, float]:
    """Run a tf-idf baseline over title, summary and body."""
    started = time.perf_counter()
    lists = [tokens(f"{d['title']} {d['summary']} {d['body']}") for d in docs]
    return tfidf_top(lists), time.perf_counter() - started


def main() -> None:
    """Parse arguments, run all systems, print a table or one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--stemmer", choices=["light10", "snowball"], default=None)
    args = parser.parse_args()
    if args.stemmer:
        scoring.stem = {"light10": arabic.stem_light10, "snowball": arabic.stem_snowball}[
            args.stemmer
        ]
    docs = load_corpus(args.corpus, args.limit)
    engine = score(docs, *run_engine(docs))
    baselines = {
        "whitespace_tfidf": score(docs, *run_baseline(docs, str.split)),
        "lucene_arabic_tfidf": score(docs, *run_baseline(docs, lucene_tokens)),
    }
    if args.json:
        print(json.dumps({"engine": engine, "baselines": baselines}))
        return
    print(f"{len(docs)} articles from {args.corpus}")
    print(f"{'system':<22}{'macro p@5':>10}{'coverage':>10}{'near-dup':>10}{'seconds':>9}")
    for name, m in [("akhbar_engine", engine), *baselines.items()]:
        print(
            f"{name:<22}{m['macro_p_at_5']:>10.4f}{m['coverage']:>10.3f}"
            f"{m['near_duplicate_rate']:>10.4f}{m['seconds']:>9.1f}"
        )
    for name, m in baselines.items():
        print(f"engine / {name}: p@5 x{engine['macro_p_at_5'] / m['macro_p_at_5']:.3f}")


if __name__ == "__main__":
    main()
