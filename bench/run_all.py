"""`make bench`: every benchmark, then one table (figure, baseline, ratio, target, met or not).

Usage: run_all.py [--quick] [--only NAME ...] [--out bench/results.json]

Each benchmark runs as its own process with `--json` (its table goes to the console as it
runs; its JSON object is the last line of its output). An adapter per benchmark turns that
object into rows; everything is also written to one JSON file. `--quick` shortens every run
(smaller corpora, shorter loads) for a smoke run; published figures come from a full run.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    bench: str
    measure: str
    figure: float | None
    baseline: float | None = None
    baseline_name: str = ""
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        if self.figure is None or not self.baseline:
            return None
        return self.figure / self.baseline


Adapter = Callable[[dict[str, Any]], list[Row]]


def _rows_with_targets(bench: str, unit: str) -> Adapter:
    """Benches that report rows of their own (reads, event pipeline): the first row is the
    baseline, the others carry ratio/target/met."""

    def adapt(data: dict[str, Any]) -> list[Row]:
        rows = data["rows"]
        base = rows[0]
        out = []
        for row in rows[1:]:
            out.append(Row(
                bench, f"{row['name']} ({unit})", row.get("rps", row.get("events_per_s")),
                base.get("rps", base.get("events_per_s")), base["name"],
                f">= {row['target']}x" if row.get("target") is not None else "", row.get("met"),
            ))  # fmt: skip
        return out

    return adapt


def adapt_publish_visible(data: dict[str, Any]) -> list[Row]:
    return [
        Row(
            "publish_visible",
            f"p95 ms at {row['rate']:.0f} publishes/s",
            row["p95_ms"],
            target="<= 300 ms" if "met" in row else "",
            met=row.get("met"),
        )
        for row in data["rows"]
    ]


def adapt_comments_write(data: dict[str, Any]) -> list[Row]:
    results = {(r["system"].split()[0], r["workers"]): r for r in data["results"]}
    rows = []
    for (system, workers), ours in sorted(results.items()):
        if system != "Akhbar":
            continue
        theirs = results.get(("Isso", workers))
        met = None
        if theirs:
            met = (
                ours["comments_per_s"] >= theirs["comments_per_s"]
                and ours["p95_ms"] <= theirs["p95_ms"]
            )
        rows.append(Row(
            "comments_write", f"comments/s at {workers} worker(s), 16 clients",
            ours["comments_per_s"], theirs and theirs["comments_per_s"], "Isso 0.14",
            ">= 1.0x, p95 <= Isso's", met,
        ))  # fmt: skip
    return rows


def adapt_related_speed(data: dict[str, Any]) -> list[Row]:
    rows = []
    for size in data.get("sizes", data if isinstance(data, list) else []):
        n = size["n"]
        limit = 100.0 if n >= 30_000 else 30.0
        rows.append(Row(
            "related_speed", f"engine publish p95 ms at {n}", size["add_p95_ms"],
            size.get("brute_p95_ms"), "brute force", f"<= {limit:.0f} ms",
            size["add_p95_ms"] <= limit,
        ))  # fmt: skip
        rows.append(Row(
            "related_speed", f"full build s at {n}", size["build_seconds"],
            target="<= 60 s", met=size["build_seconds"] <= 60,
        ))  # fmt: skip
    return rows


def adapt_related_quality(data: dict[str, Any]) -> list[Row]:
    """The engine's macro P@5 against the best same-run baseline (report split if given)."""
    split = data.get("report", data)
    engine = split.get("engine", split.get("akhbar", {}))
    baselines = split.get("baselines", {})
    best_name, best = max(
        (
            (name, figures.get("macro_p_at_5", figures.get("p_at_5")))
            for name, figures in baselines.items()
        ),
        key=lambda item: item[1] or 0.0,
        default=("", None),
    )
    figure = engine.get("macro_p_at_5", engine.get("p_at_5"))
    met = None if figure is None or best is None else figure >= best + 0.03
    return [Row("related_quality", "macro P@5 (report split)", figure, best, best_name,
                ">= best baseline + 0.03", met)]  # fmt: skip


def adapt_moderation_matching(data: dict[str, Any]) -> list[Row]:
    corpus, table, speed = data["corpus"], data["table"]["all"], data["speed"]
    share = corpus["held_share"] * 100
    return [
        Row("moderation", "ANT sentences held, %", share, target="<= 0.5 %", met=share <= 0.5),
        Row("moderation", "table recall on evasions", table["recall"], target=">= 0.95",
            met=table["recall"] >= 0.95),
        Row("moderation", "table false holds on innocents", table["false_holds"], target="0",
            met=table["false_holds"] == 0),
        Row("moderation", "ms CPU, 5,000 chars x 1,000 words", speed["new_ms"],
            speed["baseline_ms"], "matcher before #16", "<= 2 ms", speed["new_ms"] <= 2),
    ]  # fmt: skip


BENCHES: dict[str, tuple[list[str], list[str], Adapter]] = {
    # name: (full args, quick args, adapter)
    "reads": ([], ["--duration", "4", "--articles", "20"], _rows_with_targets("reads", "req/s")),
    "event_pipeline": ([], ["--events", "300"], _rows_with_targets("event_pipeline", "events/s")),
    "publish_visible": (
        [],
        ["--rates", "5", "20", "--seconds", "4", "--seed-articles", "100"],
        adapt_publish_visible,
    ),
    "comments_write": ([], ["--duration", "6", "--workers", "1"], adapt_comments_write),
    "related_speed": (["--n", "1000", "10000", "30000"], ["--n", "1000"], adapt_related_speed),
    "related_quality": ([], ["--limit", "2000"], adapt_related_quality),
    "moderation_matching": ([], ["--limit", "2000", "--repeat", "30"], adapt_moderation_matching),
}


def last_json(output: str) -> dict[str, Any]:
    for line in reversed(output.strip().splitlines()):
        line = line.strip()
        if line.startswith("{") or line.startswith("["):
            value = json.loads(line)
            return value if isinstance(value, dict) else {"sizes": value}
    raise ValueError("no JSON object in the output")


def run(name: str, quick: bool) -> tuple[list[Row], dict[str, Any] | str]:
    full, short, adapt = BENCHES[name]
    args = [
        sys.executable,
        str(ROOT / "bench" / f"{name}.py"),
        *(short if quick else full),
        "--json",
    ]
    print(f"\n=== {name}: {' '.join(args[1:])}", flush=True)
    started = time.monotonic()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    print(done.stdout[-4000:], end="")
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
    print(f"({name}: {time.monotonic() - started:.0f} s, exit {done.returncode})")
    try:
        data = last_json(done.stdout)
        return adapt(data), data
    except (ValueError, KeyError, TypeError) as exc:
        return [Row(name, f"no figures ({type(exc).__name__}: {exc})", None)], done.stdout[-2000:]


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}" if abs(value) < 1000 else f"{value:.0f}"


def _digits(value: float | None) -> int:
    return 3 if value is not None and abs(value) < 1 else 1


def _digits(value: float | None) -> int:
    return 3 if value is not None and abs(value) < 1 else 1


def table(rows: list[Row]) -> str:
    head = f"{'bench':16} {'measure':44} {'figure':>9} {'baseline':>9} {'ratio':>6}  {'target':24}"
    lines = [f"{head} met"]
    for row in rows:
        met = "-" if row.met is None else ("yes" if row.met else "NO")
        figure = fmt(row.figure, _digits(row.figure))
        baseline = fmt(row.baseline, _digits(row.baseline))
        lines.append(
            f"{row.bench:16} {row.measure[:44]:44} {figure:>9} {baseline:>9} "
            f"{fmt(row.ratio, 2):>6}  {row.target:24} {met}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHES), default=list(BENCHES))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    args = parser.parse_args()
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    for name in args.only:
        found, data = run(name, args.quick)
        rows += found
        raw[name] = data
    print("\n" + table(rows))
    args.out.write_text(json.dumps(
        {"quick": args.quick, "rows": [asdict(r) | {"ratio": r.ratio} for r in rows], "raw": raw},
        ensure_ascii=False, indent=1,
    ))  # fmt: skip
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
