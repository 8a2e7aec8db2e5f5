"""Plain-text views of the reports (aligned columns, no colours: they end up in logs too)."""

from __future__ import annotations

import json
from typing import Any

from akhbar_cli.dlq import summary
from shared.events import dlq_stream


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def _services(report: dict[str, Any]) -> list[str]:
    lines = ["services"]
    for svc in report["services"]:
        state = "ready" if svc["ready"] else "NOT READY"
        why = svc.get("error") or ", ".join(svc.get("failing", []))
        lines.append(f"  {svc['service']:9} {state:10} {svc['url']}  {why}".rstrip())
    return lines


def _streams(report: dict[str, Any]) -> list[str]:
    streams = report["streams"]
    if isinstance(streams, dict):
        return ["streams", f"  {streams['error']}"]
    lines = ["streams"]
    for s in streams:
        lines.append(f"  {s['stream']:24} length {s['length']:<7} dlq {s['dlq']}")
        for g in s["groups"]:
            lines.append(
                f"    group {g['group']:10} consumers {g['consumers']:<3} lag {g['lag']!s:<6} "
                f"pending {g['pending']:<5} oldest pending {_age(g['oldest_pending_age_s'])}"
            )
        if not s["groups"]:
            lines.append("    no consumer group yet")
    return lines


def _outbox(report: dict[str, Any]) -> list[str]:
    lines = ["outbox (unpublished events per service database)"]
    for box in report["outbox"]:
        if "error" in box:
            lines.append(f"  {box['error']}")
            continue
        lines.append(
            f"  {box['service']:9} backlog {box['backlog']:<6} oldest {_age(box['oldest_age_s'])}"
            f"  (database {box['database']})"
        )
    return lines


def status(report: dict[str, Any]) -> str:
    lines = [f"akhbar status - servers from {report['source']}", ""]
    lines += [*_services(report), "", *_streams(report), "", *_outbox(report), ""]
    if report["problems"]:
        lines.append("problems:")
        lines += [f"  - {problem}" for problem in report["problems"]]
    else:
        lines.append("no problems found")
    return "\n".join(lines)


def dlq_entries(stream: str, entries: list[dict[str, Any]], as_json: bool) -> str:
    if as_json:
        return "\n".join(json.dumps(e, ensure_ascii=False) for e in entries)
    if not entries:
        return f"{dlq_stream(stream)}: empty (no dead letters)"
    lines = [f"{dlq_stream(stream)}: {len(entries)} dead letter(s)"]
    for entry in map(summary, entries):
        lines.append(
            f"  {entry['dlq_id']}  {entry['reason']}  group={entry['group']}  "
            f"{entry['event_type']}  event={entry['event_id']}  deliveries={entry['deliveries']}  "
            f"failed_at={entry['failed_at']}"
        )
        lines.append(f"      error: {entry['error'][0][:300]}")
    return "\n".join(lines)
