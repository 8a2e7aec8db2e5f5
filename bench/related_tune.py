"""Choose the engine's semantic weight and freshness half-life on the tune split only.

Usage: related_tune.py [CORPUS.jsonl.gz] [--salt S] [--dims 200] [--limit N] [--json]

Analyses the corpus once (the engine's BM25 term vectors, a fitted LSA basis, every article
folded in), then ranks every article for each (semantic_weight, half_life_days) of a grid with
the engine's score formula and prints macro P@5 on the tune and report splits of
bench/related_quality.py. The choice is the best on `tune`; `report` only checks it, and a
setting that helps on `tune` but not on `report` is not kept. The ranking here skips the
near-duplicate filter and the minimum score (the report run, related_quality.py, uses the
engine itself). `--salt` redraws the split to check that the choice is robust.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from related_quality import DEFAULT_CORPUS, SPLITS, TOP, load_corpus, split_of

from services.related import bulk, scoring
from services.related.engine import EngineConfig, fit_basis

WEIGHTS = (0.0, 0.5, 0.6, 0.67, 0.75, 0.8, 1.0)
HALF_LIVES = (None, 30.0, 365.0)


def analyse(docs: list[dict], dims: int) -> tuple[object, np.ndarray, np.ndarray]:
    """Lexical matrix (unit rows), dense matrix (unit rows) and publication days."""
    weighting = scoring.Weighting()
    bags = [scoring.bag_of(scoring.EngineInput.from_dict(d), weighting) for d in docs]
    stats = scoring.stats_of(bags)
    vectors = [scoring.vector_of(b, stats, weighting) for b in bags]
    basis = fit_basis(vectors, EngineConfig(semantic_dims=dims, semantic_min_docs=0))
    assert basis is not None
    zero = np.zeros(basis.dims)
    dense = np.array([v if (v := basis.project(x)) is not None else zero for x in vectors])
    lexical = bulk.sparse_rows(vectors).astype(np.float64) / scoring.SCALE
    days = np.array([d["published_at"].timestamp() // 86400 if d["published_at"] else np.nan
                     for d in docs])  # fmt: skip
    return lexical, dense / np.float64(1 << 15), days


def grid(lexical, dense: np.ndarray, days: np.ndarray) -> dict[tuple, np.ndarray]:
    """Top 5 of every article for each grid point."""
    n = dense.shape[0]
    tops = {(w, h): np.zeros((n, TOP), dtype=np.int64) for w in WEIGHTS for h in HALF_LIVES}
    transposed = lexical.T.tocsc()
    for start in range(0, n, 512):
        stop = min(n, start + 512)
        lex = (lexical[start:stop] @ transposed).toarray()
        sem = dense[start:stop] @ dense.T
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
    parser.add_argument("--dims", type=int, default=200)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    docs = load_corpus(args.corpus, args.limit)
    labels = [d["label"] for d in docs]
    splits = [split_of(d["id"], args.salt) for d in docs]
    tops = grid(*analyse(docs, args.dims))
    rows = [
        {"semantic_weight": w, "half_life_days": h, **p_at_5(top, labels, splits)}
        for (w, h), top in tops.items()
    ]
    chosen = max(rows, key=lambda r: r["tune"])
    if args.json:
        print(json.dumps({"salt": args.salt, "dims": args.dims, "grid": rows, "chosen": chosen}))
        return
    print(f"{'weight':>7}{'half-life':>10}{'tune':>8}{'report':>8}")
    for r in rows:
        print(
            f"{r['semantic_weight']:>7}{r['half_life_days']!s:>10}{r['tune']:>8.4f}{r['report']:>8.4f}"
        )
    print(f"chosen on tune: {chosen}")


if __name__ == "__main__":
    main()
