"""One checker for every fault scenario: each read model against its owner's truth.

After the system is quiet (outboxes drained, no pending or unread entries), it counts:
- lost: an acknowledged write missing from its owner, an owner's event never applied by a
  consumer that handles it (no inbox record), a read model behind its owner;
- applied twice: an effect counted more than once (a comment count above the approved
  comments), a read model ahead of its owner;
- stuck pending: outbox rows never sent, pending or unread stream entries.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import redis
from pymongo import MongoClient

from tests.faults.cluster import Cluster
from tests.faults.workload import Workload

# Which events each consumer applies (through its inbox), by the stream's owner.
CONSUMERS = {
    "articles": [("comments", "article."), ("related", "article.")],
    "comments": [("articles", "comment.")],
}
GROUPS = {"articles.events": ("comments", "related"), "comments.events": ("articles",)}


@dataclass
class Report:
    lost: list[str] = field(default_factory=list)
    applied_twice: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        seen = ", ".join(f"{k}={v}" for k, v in sorted(self.counts.items()))
        return (
            f"lost={len(self.lost)} applied_twice={len(self.applied_twice)} "
            f"stuck_pending={len(self.stuck)} ({seen})"
        )

    def assert_clean(self) -> None:
        print(f"fault check: {self.line()}")
        detail = "\n".join([*self.lost[:10], *self.applied_twice[:10], *self.stuck[:10]])
        assert not (self.lost or self.applied_twice or self.stuck), f"{self.line()}\n{detail}"


def _backlog(db: Any, red: redis.Redis) -> list[str]:
    """What is still on its way: unsent outbox rows, pending or unread group entries."""
    stuck = [
        f"{name}: {n} outbox rows unsent"
        for name in ("articles", "comments", "related")
        if (n := db[name]["outbox"].count_documents({"sent_at": None}))
    ]
    for stream, groups in GROUPS.items():
        try:
            infos = {g["name"].decode(): g for g in red.xinfo_groups(stream)}
            last = red.xinfo_stream(stream)["last-generated-id"].decode()
        except redis.ResponseError:
            infos, last = {}, "0-0"
        for group in groups:
            info = infos.get(group)
            if info is None:
                stuck.append(f"{stream}: group {group} missing")
                continue
            if info["pending"]:
                stuck.append(f"{stream}/{group}: {info['pending']} pending")
            # `lag` is unknown (None) after Redis reloads its AOF: compare ids instead.
            if _id(info["last-delivered-id"].decode()) < _id(last):
                stuck.append(f"{stream}/{group}: unread entries up to {last}")
    return stuck


def _id(entry_id: str) -> tuple[int, int]:
    millis, _, seq = entry_id.partition("-")
    return int(millis), int(seq or 0)


class Databases:
    """Each service's own database, read directly (the checker is not a service)."""

    def __init__(self, client: MongoClient[Any]) -> None:
        self.client = client

    def __getitem__(self, name: str) -> Any:
        return self.client[name]


def wait_quiet(cluster: Cluster, timeout: float = 90) -> list[str]:
    """Poll until nothing is on its way (or the time is up); returns what is still stuck."""
    client: MongoClient[Any] = MongoClient(cluster.mongo_url, serverSelectionTimeoutMS=5000)
    red = redis.Redis.from_url(cluster.redis_url)  # entries hold binary payloads
    db = Databases(client)
    deadline = time.monotonic() + timeout
    try:
        while True:
            stuck = _backlog(db, red)
            if not stuck or time.monotonic() > deadline:
                return stuck
            time.sleep(0.5)
    finally:
        client.close()
        red.close()


def _announced(outbox: Any) -> dict[str, dict[str, Any]]:
    """The latest event the owner announced for each aggregate (its truth for consumers)."""
    latest: dict[str, dict[str, Any]] = {}
    for row in outbox.find({}, {"event": 1}):
        event = row["event"]
        held = latest.get(event["aggregate_id"])
        if held is None or event["aggregate_version"] > held["aggregate_version"]:
            latest[event["aggregate_id"]] = event
    return latest


def check(cluster: Cluster, workload: Workload | None = None, *, timeout: float = 120) -> Report:
    """Wait for quiet, then compare every read model with its owner."""
    report = Report()
    report.stuck = wait_quiet(cluster, timeout)
    client: MongoClient[Any] = MongoClient(cluster.mongo_url, serverSelectionTimeoutMS=5000)
    try:
        _check(Databases(client), workload, report)
    finally:
        client.close()
    return report


def _check(db: Databases, workload: Workload | None, report: Report) -> None:
    articles = {a["_id"]: a for a in db["articles"]["articles"].find({})}
    comments = {
        c["_id"]: c for c in db["comments"]["comments"].find({}, {"article_id": 1, "status": 1})
    }
    report.counts.update(articles=len(articles), comments=len(comments))
    if workload is not None:  # every write a client was told had succeeded is in its owner
        report.lost += [
            f"article {a} acknowledged, missing"
            for a in workload.acknowledged["articles"] - set(articles)
        ]
        report.lost += [
            f"comment {c} acknowledged, missing"
            for c in workload.acknowledged["comments"] - set(comments)
        ]
    _check_inboxes(db, report)
    _check_article_models(db, articles, report)
    _check_comment_counts(articles, comments, report)


def _check_inboxes(db: Databases, report: Report) -> None:
    for owner, consumers in CONSUMERS.items():
        events = [r["event"] for r in db[owner]["outbox"].find({}, {"event": 1})]
        report.counts[f"{owner}_events"] = len(events)
        for consumer, prefix in consumers:
            ids = [e["event_id"] for e in events if e["type"].startswith(prefix)]
            seen = {
                r["_id"]
                for r in db[consumer]["processed_events"].find({"_id": {"$in": ids}}, {"_id": 1})
            }
            report.lost += [
                f"{consumer} never applied {owner} event {i}" for i in ids if i not in seen
            ]


def _check_article_models(db: Databases, articles: dict[str, Any], report: Report) -> None:
    """The comments service's article model and the related index follow the announcements."""
    announced = _announced(db["articles"]["outbox"])
    models = {
        "comments": {d["_id"]: d for d in db["comments"]["articles"].find({})},
        "related": {
            d["_id"]: d for d in db["related"]["docs"].find({}, {"version": 1, "status": 1})
        },
    }
    for article_id, event in announced.items():
        truth = articles.get(article_id)
        published = bool(truth and truth.get("status") == "published")
        for name, model in models.items():
            held = model.get(article_id)
            version = int(held.get("version", 0)) if held else 0
            if version < event["aggregate_version"]:
                report.lost.append(
                    f"{name} holds {article_id} v{version} < v{event['aggregate_version']}"
                )
            elif version > event["aggregate_version"]:
                report.applied_twice.append(f"{name} holds {article_id} v{version} ahead of owner")
            elif bool(held and held.get("status") == "published") != published:
                report.lost.append(f"{name} has {article_id} as {held and held.get('status')}")


def _check_comment_counts(
    articles: dict[str, Any], comments: dict[str, Any], report: Report
) -> None:
    approved = Counter(c["article_id"] for c in comments.values() if c.get("status") == "approved")
    report.counts["approved"] = sum(approved.values())
    for article_id, article in articles.items():
        held, truth = int(article.get("comment_count", 0)), approved.get(article_id, 0)
        if held > truth:
            report.applied_twice.append(f"article {article_id} counts {held} > {truth} approved")
        elif held < truth:
            report.lost.append(f"article {article_id} counts {held} < {truth} approved")
