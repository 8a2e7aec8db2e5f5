"""Choose the engine's semantic weight and freshness half-life on the tune split only.

Usage: related_tune.py [CORPUS.jsonl.gz] [--salt S] [--dims 100 200] [--seeds 0 1 2]
                       [--neighbours 0 20 30] [--entropy] [--limit N] [--json]

Analyses the corpus once (the engine's BM25 term vectors), fits an LSA basis for each
(dims, seed) asked (every article folded in: the randomized SVD's seed is part of the grid
because its own variation is of the size of the effects measured), then ranks every article
for each (dims, seed, neighbours, semantic_weight, half_life_days) of the grid with
the engine's score formula and prints macro P@5 on the tune and report splits of
bench/related_quality.py. The choice is the best on `tune`; `report` only checks it, and a
setting that helps on `tune` but not on `report` is not kept. The ranking here skips the
near-duplicate filter and the minimum score (the report run, related_quality.py, uses the
engine itself). `--salt` redraws the split to check that the choice is robust. `--entropy`
fits the basis on log-entropy weighted terms instead (lsa_weights.py: tried, not kept).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lsa_weights import entropy_weights, weighted_basis
from related_quality import DEFAULT_CORPUS, SPLITS, TOP, load_corpus, split_of

from services.related import bulk, scoring, semantic
from services.related.engine import EngineConfig

WEIGHTS = (0.0, 0.4, 0.5, 0.6, 0.67, 0.75, 0.8, 1.0)
HALF_LIVES = (None, 30.0, 365.0)


def analyse(docs: list[dict]) -> tuple[list[dict[str, int]], object, np.ndarray, dict]:
    """The engine's term vectors, lexical matrix (unit rows), days and log-entropy weights."""
    weighting = scoring.Weighting()
    bags = [scoring.bag_of(scoring.EngineInput.from_dict(d), weighting) for d in docs]
    stats = scoring.stats_of(bags)
    vectors = [scoring.vector_of(b, stats, weighting) for b in bags]
    lexical = bulk.sparse_rows(vectors).astype(np.float64) / scoring.SCALE
    days = np.array([d["published_at"].timestamp() // 86400 if d["published_at"] else np.nan
                     for d in docs])  # fmt: skip
    return vectors, lexical, days, entropy_weights(b.tf for b in bags)


def dense_of(
    vectors: list[dict[str, int]],
    dims: int,
    seed: int,
    neighbours: int,
    weights: dict[str, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Every article folded into a basis fitted as the engine's build fits it (topics and
    anchors as configured), and the query vectors it ranks others with (unit rows)."""
    config = EngineConfig()
    if weights is None:
        basis = semantic.fit(
            vectors, dims=dims, seed=seed, topics=config.topic_clusters,
            topic_share=config.topic_share, neighbours=neighbours,
            neighbour_weight=config.neighbour_weight,
        )  # fmt: skip
    else:
        basis = weighted_basis(vectors, weights, dims=dims, seed=seed)
    assert basis is not None
    zero = np.zeros(basis.width)
    dense = np.array([v if (v := basis.project(x)) is not None else zero for x in vectors])
    return dense / np.float64(semantic.SCALE), basis.queries(dense) / np.float64(semantic.SCALE)


def grid(
    lexical, dense: np.ndarray, query: np.ndarray, days: np.ndarray
) -> dict[tuple, np.ndarray]:
    """Top 5 of every article for each grid point."""
    n = dense.shape[0]
    tops = {(w, h): np.zeros((n, TOP), dtype=np.int64) for w in WEIGHTS for h in HALF_LIVES}
    transposed = lexical.T.tocsc()
    for start in range(0, n, 512):
        stop = min(n, start + 512)
        lex = (lexical[start:stop] @ transposed).toarray()
        sem = query[start:stop] @ dense.T
        gaps = np.abs(days[start:stop, None] - days[None, :])
        own = (np.arange(stop - start), np.arange(start, stop))
        for (w, h), top in tops.items():
            score = lex * (1 - w) + w * sem
            if h is not None:
                score = score * np.where(np.isnan(gaps), 1.0, 0.5 ** (np.nan_to_num(gaps) / h))
            score[own] = -np.inf
            head = np.argpartition(-score, TOP, axis=1)[:, :TOP]
            order = np.argsort(-np.take_along_axis(score, head, 1), axis=1, kind="stable")
            top[start:stop] = np.take_along_axis(head, order, 1)
    return tops


def p_at_5(top: np.ndarray, labels: list[str], splits: list[str]) -> dict[str, float]:
    out = {}
    lab = np.array(labels)
    hits = (lab[top] == lab[:, None]).mean(axis=1)
    for name in SPLITS:
        member = np.array([s == name for s in splits]) & (lab != "")
        cats = sorted(set(lab[member]))
        out[name] = float(np.mean([hits[member & (lab == c)].mean() for c in cats]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--salt", default="")
    parser.add_argument("--dims", type=int, nargs="+", default=[100])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--neighbours", type=int, nargs="+", default=[EngineConfig().neighbours])
    parser.add_argument("--entropy", action="store_true", help="log-entropy weighted basis")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    docs = load_corpus(args.corpus, args.limit)
    labels = [d["label"] for d in docs]
    splits = [split_of(d["id"], args.salt) for d in docs]
    vectors, lexical, days, entropy = analyse(docs)
    weights = entropy if args.entropy else None
    rows = []
    for dims in args.dims:
        for seed in args.seeds:
            for k in args.neighbours:
                tops = grid(lexical, *dense_of(vectors, dims, seed, k, weights), days)
                rows += [
                    {"dims": dims, "seed": seed, "neighbours": k, "semantic_weight": w,
                     "half_life_days": h, **p_at_5(top, labels, splits)}
                    for (w, h), top in tops.items()
                ]  # fmt: skip
    chosen = max(rows, key=lambda r: r["tune"])
    if args.json:
        print(json.dumps({"salt": args.salt, "grid": rows, "chosen": chosen}))
        return
    print(
        f"{'dims':>5}{'seed':>5}{'nbrs':>5}{'weight':>7}{'half-life':>10}{'tune':>8}{'report':>8}"
    )
    for r in rows:
        print(
            f"{r['dims']:>5}{r['seed']:>5}{r['neighbours']:>5}{r['semantic_weight']:>7}"
            f"{r['half_life_days']!s:>10}{r['tune']:>8.4f}{r['report']:>8.4f}"
        )
    print(f"chosen on tune: {chosen}")


if __name__ == "__main__":
    main()
