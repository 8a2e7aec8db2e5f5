"""Related engine speed: one publish with every affected list updated, vs brute force.

Usage: related_speed.py [CORPUS.jsonl.gz] [--n 10000 [30000 ...]] [--adds 200] [--json]

For each n (each in a fresh process, so peak memory is its own): index n articles with a
full build (timed), then publish `adds` held-out articles one at a time, timing the engine's
upsert (new list + every list it enters or leaves), and in the same run recompute the same
affected lists by brute force (score against every indexed article). Beyond the corpus size,
articles are replicated with new ids and perturbed text.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from related_quality import DEFAULT_CORPUS, load_corpus

from services.related.engine import RelatedEngine
from services.related.scoring import EngineInput


@dataclass
class AddTimings:
    """Per-publish timings: engine upsert, optional hook (e.g. MongoDB writes), brute force."""

    engine: list[float] = field(default_factory=list)
    engine_cpu: list[float] = field(default_factory=list)  # process CPU time: robust to load
    hook: list[float] = field(default_factory=list)
    brute: list[float] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)


def time_adds(
    engine: RelatedEngine,
    docs: Iterable[EngineInput],
    on_change: Callable[[RelatedEngine, set[str]], None] | None = None,
    brute_force: bool = True,
) -> AddTimings:
    """Publish docs one by one; the service bench passes on_change to time its persistence."""
    timings = AddTimings()
    for doc in docs:
        started, cpu = time.perf_counter(), time.process_time()
        changed = engine.upsert(doc)
        timings.engine.append(time.perf_counter() - started)
        timings.engine_cpu.append(time.process_time() - cpu)
        timings.changed.append(len(changed))
        if on_change is not None:
            started = time.perf_counter()
            on_change(engine, changed)
            timings.hook.append(time.perf_counter() - started)
        if brute_force:
            started = time.perf_counter()
            for article_id in changed:
                engine.rank_exhaustive(article_id)
            timings.brute.append(time.perf_counter() - started)
    return timings


def corpus_of(path: Path, n: int, seed: int = 3) -> list[EngineInput]:
    """Return n docs, replicating the corpus with new ids and perturbed text past its size."""
    base = [EngineInput.from_dict(d) for d in load_corpus(path)]
    rng = random.Random(seed)
    docs = list(base)
    copy = 0
    while len(docs) < n:
        copy += 1
        for doc in base:
            words = doc.body.split()
            rng.shuffle(words)
            body = " ".join(words[: max(1, int(len(words) * 0.8))])
            docs.append(replace(doc, id=f"{doc.id}~{copy}", body=body))
    rng.shuffle(docs)
    return docs[:n]


def pct(values: list[float], q: float) -> float:
    """Return the q-quantile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(path: Path, n: int, adds: int) -> dict[str, float]:
    """Run the whole measurement for one corpus size in this process."""
    docs = corpus_of(path, n + adds)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    engine = RelatedEngine.build(docs[:n])
    build_seconds = time.perf_counter() - started
    build_cpu_seconds = time.process_time() - cpu
    rss_built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    timings = time_adds(engine, docs[n:])
    ratios = sorted(b / e for b, e in zip(timings.brute, timings.engine, strict=True))
    return {
        "n": n,
        "adds": adds,
        "add_p50_ms": pct(timings.engine, 0.5) * 1000,
        "add_p95_ms": pct(timings.engine, 0.95) * 1000,
        "add_cpu_p50_ms": pct(timings.engine_cpu, 0.5) * 1000,
        "add_cpu_p95_ms": pct(timings.engine_cpu, 0.95) * 1000,
        "semantic_dims": engine.basis.dims if engine.basis else 0,
        "brute_p50_ms": pct(timings.brute, 0.5) * 1000,
        "brute_p95_ms": pct(timings.brute, 0.95) * 1000,
        "speedup_total": sum(timings.brute) / sum(timings.engine),
        "speedup_median": pct(ratios, 0.5),
        "changed_lists_mean": sum(timings.changed) / len(timings.changed),
        "build_seconds": build_seconds,
        "build_cpu_seconds": build_cpu_seconds,
        "load_average_1m": os.getloadavg()[0],
        "peak_rss_delta_mb": (rss_built - rss_before) / 1024,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    """Run each size in a child process and print figures or one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--n", type=int, nargs="+", default=[10_000])
    parser.add_argument("--adds", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.corpus, args.n[0], args.adds)))
        return
    results = []
    for n in args.n:
        child = [sys.executable, __file__, str(args.corpus), "--one", "--n", str(n)]
        out = subprocess.run([*child, "--adds", str(args.adds)], capture_output=True, check=True)
        results.append(json.loads(out.stdout))
    if args.json:
        print(json.dumps({"sizes": results}))
        return
    for r in results:
        print(
            f"n={r['n']}: add+update p50 {r['add_p50_ms']:.1f} ms, p95 {r['add_p95_ms']:.1f} ms"
            f" (CPU p50 {r['add_cpu_p50_ms']:.1f} ms, p95 {r['add_cpu_p95_ms']:.1f} ms)"
            f" ({r['changed_lists_mean']:.1f} lists changed per add); brute force p50"
            f" {r['brute_p50_ms']:.1f} ms, p95 {r['brute_p95_ms']:.1f} ms; speed-up"
            f" x{r['speedup_total']:.1f} (total), x{r['speedup_median']:.1f} (median);"
            f" full build {r['build_seconds']:.1f} s (CPU {r['build_cpu_seconds']:.1f} s,"
            f" load {r['load_average_1m']:.1f}); peak RSS +{r['peak_rss_delta_mb']:.0f} MB"
            f" (process {r['peak_rss_mb']:.0f} MB)"
        )


if __name__ == "__main__":
    main()
