"""Related-articles quality on a labelled corpus: Akhbar's engine against same-run baselines.

Usage: related_quality.py [CORPUS.jsonl.gz] [--json] [--limit N] [--salt S] [--ablations]
                          [--stemmer light10|snowball] [--dims D]

CORPUS: JSON lines (gzip), one article each: docno, title, abstract, text, category, time
(ISO or dd/mm/yyyy); default ANT v1.1. Every system ranks over the whole corpus; figures are
computed per split of the *source* articles: an article is in the `tune` split when the first
byte of blake2b-64(salt + docno) is even, else in `report` (salt "" by default). Parameters are
chosen on `tune` (bench/related_tune.py); `report` is the figure that counts, and the top-level
figures of each system are the report split's. `--salt` draws another split to cross-check.

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
Baselines (bench/quality_baselines.py) share the Lucene-style analyzer (normalization, stop
words, light10): tf-idf cosine (raw and log tf), the same reduced by LSA to 200 dimensions,
and BM25; plus tf-idf over whitespace tokens.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import quality_baselines as base

from services.related import scoring
from services.related.engine import EngineConfig, RelatedEngine
from shared import arabic

_ANT = "shared/data/ant-corpus-v1.1/articles.jsonl.gz"
# shared/ sits beside the repository (or above a worktree of it).
DEFAULT_CORPUS = next(
    (p / _ANT for p in Path(__file__).resolve().parents if (p / _ANT).exists()),
    Path(__file__).resolve().parents[1].parent / _ANT,
)
TOP = base.TOP
SPLITS = ("tune", "report")


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


def split_of(article_id: str, salt: str = "") -> str:
    """The fixed split of a source article: `tune` or `report` (hash of salt + id)."""
    digest = hashlib.blake2b((salt + article_id).encode(), digest_size=8).digest()
    return "tune" if digest[0] % 2 == 0 else "report"


class Scorer:
    """Computes the metrics of any system's results, per split (raw vectors computed once)."""

    def __init__(self, docs: list[dict], salt: str = "") -> None:
        self.labels = [d["label"] for d in docs]
        self.splits = [split_of(d["id"], salt) for d in docs]
        self.raw = [Counter(arabic.tokenize(d["title"] + " " + d["body"])) for d in docs]
        self.norms = [math.sqrt(sum(v * v for v in c.values())) or 1.0 for c in self.raw]
        self.titles = [arabic.normalize(d["title"]) for d in docs]

    def _duplicate(self, i: int, j: int) -> bool:
        raw_i, raw_j = self.raw[i], self.raw[j]
        cosine = sum(v * raw_j.get(t, 0) for t, v in raw_i.items())
        return cosine / (self.norms[i] * self.norms[j]) >= 0.9 or self.titles[i] == self.titles[j]

    def part(self, results: list[list[int]], members: list[int]) -> dict[str, float]:
        per_cat: defaultdict[str, list[float]] = defaultdict(list)
        items = dups = 0
        for i in members:
            hits = results[i][:TOP]
            if self.labels[i]:
                per_cat[self.labels[i]].append(
                    sum(self.labels[j] == self.labels[i] for j in hits) / TOP
                )
            items += len(hits)
            dups += sum(self._duplicate(i, j) for j in hits)
        return {
            "macro_p_at_5": float(np.mean([np.mean(v) for v in per_cat.values()])),
            "coverage": sum(len(results[i]) >= TOP for i in members) / len(members),
            "near_duplicate_rate": dups / items if items else 0.0,
            "articles": len(members),
        }

    def figures(self, results: list[list[int]], seconds: float) -> dict:
        """Report-split metrics at the top level, plus `tune`, `report` and `all`."""
        parts = {
            name: self.part(results, [i for i, s in enumerate(self.splits) if s == name])
            for name in SPLITS
        }
        parts["all"] = self.part(results, list(range(len(results))))
        return {**parts["report"], "seconds": seconds, **parts}


def timed(run: Callable[[], list[list[int]]]) -> tuple[list[list[int]], float]:
    started = time.perf_counter()
    results = run()
    return results, time.perf_counter() - started


def engine_results(docs: list[dict], engine: RelatedEngine) -> list[list[int]]:
    position = {d["id"]: i for i, d in enumerate(docs)}
    return [[position[it.article_id] for it in engine.related(d["id"], TOP)] for d in docs]


def run_engine(
    docs: list[dict], config: EngineConfig | None = None
) -> tuple[list, float, RelatedEngine]:
    """Build the engine on the corpus (fresh stats and basis) and read every top 5."""
    started = time.perf_counter()
    engine = RelatedEngine.build(docs, config=config)
    results = engine_results(docs, engine)
    return results, time.perf_counter() - started, engine


def ablations(docs: list[dict], scorer: Scorer, full: RelatedEngine) -> dict[str, dict]:
    """The engine with one part changed at a time (same stats and basis as the full run)."""
    config = full.config
    variants = {
        "lexical_only": replace(config, semantic_weight=0.0),
        "semantic_only": replace(config, semantic_weight=1.0),
        "no_neighbourhood": replace(config, neighbours=0),
        "no_neighbourhood_weight_0.67": replace(config, neighbours=0, semantic_weight=0.67),
        "no_duplicate_filter": replace(config, duplicate_cosine=1.01),
        "freshness_half_life_30d": replace(config, half_life_days=30.0),
        "freshness_half_life_365d": replace(config, half_life_days=365.0),
    }
    out = {}
    for name, variant in variants.items():

        def run(variant: EngineConfig = variant) -> list[list[int]]:
            basis = full.basis if variant.semantic_weight > 0 else None
            if basis is not None and variant.neighbours == 0:  # the same basis, no anchors
                basis = replace(basis, anchors=None)
            engine = RelatedEngine.build(docs, config=variant, stats=full.stats, basis=basis)
            return engine_results(docs, engine)

        out[name] = {"config": _diff(config, variant), **scorer.figures(*timed(run))}
    return out


def _diff(base_config: EngineConfig, variant: EngineConfig) -> dict:
    fields = (
        "semantic_weight", "neighbours", "duplicate_cosine", "half_life_days", "category_bonus",
    )  # fmt: skip
    return {
        f: getattr(variant, f) for f in fields if getattr(variant, f) != getattr(base_config, f)
    }


def baselines(docs: list[dict], scorer: Scorer) -> dict[str, dict]:
    texts = [f"{d['title']} {d['summary']} {d['body']}" for d in docs]
    (lucene, whitespace), _ = timed(
        lambda: [[base.lucene_tokens(t) for t in texts], [t.split() for t in texts]]
    )  # type: ignore[arg-type,return-value]
    systems: dict[str, Callable[[], list[list[int]]]] = {
        "whitespace_tfidf": lambda: base.tfidf(whitespace),
        "lucene_arabic_tfidf": lambda: base.tfidf(lucene),
        "lucene_arabic_tfidf_lsa200": lambda: base.lsa(lucene),
        "lucene_arabic_bm25": lambda: base.bm25(lucene),
        "lucene_arabic_tfidf_logtf": lambda: base.tfidf(lucene, sublinear=True),
        "lucene_arabic_tfidf_logtf_lsa200": lambda: base.lsa(lucene, sublinear=True),
    }
    return {name: scorer.figures(*timed(run)) for name, run in systems.items()}


def main() -> None:
    """Parse arguments, run all systems, print a table or one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--salt", default="", help="draws another tune/report split")
    parser.add_argument("--ablations", action="store_true", help="the engine minus each part")
    parser.add_argument("--stemmer", choices=["light10", "snowball"], default=None)
    parser.add_argument("--dims", type=int, default=None, help="the engine's basis dimensions")
    args = parser.parse_args()
    if args.stemmer:
        scoring.stem = {"light10": arabic.stem_light10, "snowball": arabic.stem_snowball}[
            args.stemmer
        ]
    docs = load_corpus(args.corpus, args.limit)
    scorer = Scorer(docs, args.salt)
    config = EngineConfig(semantic_dims=args.dims) if args.dims else None
    results, seconds, engine = run_engine(docs, config)
    report: dict = {
        "corpus": str(args.corpus),
        "articles": len(docs),
        "split": {
            "rule": "tune if blake2b-64(salt + docno)[0] is even, else report",
            "salt": args.salt,
            **{s: scorer.splits.count(s) for s in SPLITS},
        },
    }
    report["engine"] = scorer.figures(results, seconds)
    report["baselines"] = baselines(docs, scorer)
    if args.ablations:
        report["ablations"] = ablations(docs, scorer, engine)
    best = max(report["baselines"], key=lambda n: report["baselines"][n]["macro_p_at_5"])
    report["best_baseline"] = best
    report["margin"] = report["engine"]["macro_p_at_5"] - report["baselines"][best]["macro_p_at_5"]
    if args.json:
        print(json.dumps(report))
        return
    print_table(report)


def print_table(report: dict) -> None:
    print(f"{report['articles']} articles from {report['corpus']}; split {report['split']}")
    print(f"{'system':<34}{'p@5 tune':>9}{'p@5 report':>11}{'coverage':>9}{'near-dup':>9}{'s':>7}")
    rows = [("akhbar_engine", report["engine"]), *report["baselines"].items()]
    rows += [(f"ablation: {n}", m) for n, m in report.get("ablations", {}).items()]
    for name, m in rows:
        print(
            f"{name:<34}{m['tune']['macro_p_at_5']:>9.4f}{m['macro_p_at_5']:>11.4f}"
            f"{m['coverage']:>9.3f}{m['near_duplicate_rate']:>9.4f}{m['seconds']:>7.1f}"
        )
    print(f"engine - best baseline ({report['best_baseline']}) on report: {report['margin']:+.4f}")


if __name__ == "__main__":
    main()
