"""`akhbar` against real servers: three service processes, the MongoDB-wire server and Redis.

The CLI finds them like an operator's shell next to `make up` would: MongoDB/Redis URLs and
service URLs from a state folder's stack.json, tokens from its `tokens` file, and the same
<SERVICE>_* settings the services read.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import redis
from pymongo import MongoClient
from typer.testing import CliRunner

from akhbar_cli.cli import app
from akhbar_cli.context import Exit
from shared.broker import decode_entry
from shared.embedded import Server, free_port, start_service
from shared.events import ArticlePublished, ArticleSnapshot, dlq_stream
from tests.conftest import ADMIN, EDITOR, MODERATOR, TEST_TOKENS

NAMES = ("articles", "comments", "related")


def wait_ready(urls: dict[str, str], procs: dict[str, subprocess.Popen[bytes]], logs: Path) -> None:
    deadline = time.monotonic() + 90
    for name, url in urls.items():
        while True:
            assert procs[name].poll() is None, (logs / f"{name}.log").read_text()[-3000:]
            try:
                if httpx.get(f"{url}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{name} not ready"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def stack(
    mongo_server: Server, redis_server: Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, object]]:
    tag = uuid.uuid4().hex[:8]
    settings_env = {}
    urls = {}
    for name in NAMES:
        prefix, port = name.upper(), free_port()
        settings_env |= {
            f"{prefix}_PORT": str(port),
            f"{prefix}_MONGO_DB": f"{name}_cli{tag}",
            f"{prefix}_STREAM_PREFIX": f"cli{tag}:",
            f"{prefix}_CLAIM_INTERVAL_S": "0.3",
            f"{prefix}_CLAIM_MIN_IDLE_MS": "300",
        }
        urls[name] = f"http://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("cli-logs")
    servers = {"MONGO_URL": mongo_server.url, "REDIS_URL": redis_server.url}
    env = dict(os.environ, **servers, AKHBAR_TOKENS=TEST_TOKENS, **settings_env)
    env["RELATED_ARTICLES_URL"] = urls["articles"]  # the peers rebuilds read, as compose names
    env["COMMENTS_ARTICLES_URL"] = urls["articles"]
    env["ARTICLES_COMMENTS_URL"] = urls["comments"]
    procs = {name: start_service(name, env, logs / f"{name}.log") for name in NAMES}
    state = tmp_path_factory.mktemp("state")
    (state / "tokens").write_text(TEST_TOKENS)
    stack_file = {"launcher_pid": os.getpid(), "mongo_url": mongo_server.url,
                  "redis_url": redis_server.url, "services": urls}  # fmt: skip
    (state / "stack.json").write_text(json.dumps(stack_file))
    try:
        wait_ready(urls, procs, logs)
        # the repair tests post many comments from one address: no flood interval here
        policy = httpx.put(f"{urls['comments']}/moderation/settings",
                           json={"flood_interval_seconds": 0}, headers=ADMIN)  # fmt: skip
        assert policy.status_code == 200, policy.text
        yield {"urls": urls, "state": state, "env": settings_env, "prefix": f"cli{tag}:",
               "redis": redis.Redis.from_url(redis_server.url), "tag": tag,
               "mongo": MongoClient(mongo_server.url)}  # fmt: skip
    finally:
        for proc in procs.values():
            proc.terminate()
        for proc in procs.values():
            proc.wait(30)


def akhbar(stack: dict[str, object], *args: str) -> tuple[int, str]:
    """Run the CLI as an operator would: settings env + the state folder, no server URLs."""
    env: dict[str, str | None] = {"MONGO_URL": None, "REDIS_URL": None, "AKHBAR_TOKENS": None}
    env |= stack["env"]  # type: ignore[arg-type]
    env["AKHBAR_STATE"] = str(stack["state"])
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.output


def publish_article(stack: dict[str, object]) -> str:
    base = stack["urls"]["articles"]  # type: ignore[index]
    body = {"title": "خبر للتجربة", "body": [{"type": "paragraph", "text": "نص الخبر."}]}
    created = httpx.post(f"{base}/articles", json=body, headers=EDITOR).json()
    httpx.post(f"{base}/articles/{created['id']}/publish", headers=EDITOR).raise_for_status()
    return str(created["id"])


def test_help_on_every_command():
    runner = CliRunner()
    for args in (
        [], ["status"], ["dlq"], ["dlq", "list"], ["dlq", "show"], ["dlq", "replay"],
        ["dlq", "drop"], ["rebuild"], ["rebuild", "related"], ["rebuild", "comments-articles"],
        ["rebuild", "comment-counts"], ["replay-outbox"], ["reemit"], ["reemit", "articles"],
        ["recover"],
    ):  # fmt: skip
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, (args, result.output)
        assert "Usage:" in result.output


def test_status_shows_streams_groups_outbox_and_readiness(stack):
    article_id = publish_article(stack)
    prefix = stack["prefix"]

    def report() -> dict:
        code, out = akhbar(stack, "status", "--json")
        assert code == 0, out
        return json.loads(out)

    deadline = time.monotonic() + 20
    while True:  # the relay publishes, both groups consume
        data = report()
        articles = next(s for s in data["streams"] if s["stream"] == f"{prefix}articles.events")
        groups = {g["group"]: g for g in articles["groups"]}
        idle = all(g["lag"] == 0 and g["pending"] == 0 for g in groups.values())
        sent = all(b["backlog"] == 0 for b in data["outbox"])
        if articles["length"] >= 1 and idle and sent:  # read and acked, every outbox sent
            break
        assert time.monotonic() < deadline, data
        time.sleep(0.3)
    assert set(groups) == {"comments", "related"}
    assert all(g["pending"] == 0 and g["consumers"] >= 1 for g in groups.values())
    assert articles["dlq"] == 0
    assert {s["service"]: s["ready"] for s in data["services"]} == dict.fromkeys(NAMES, True)
    assert {b["service"]: b["backlog"] for b in data["outbox"]} == dict.fromkeys(NAMES, 0)
    assert data["problems"] == [] and "make up" in data["source"]
    code, text = akhbar(stack, "status")
    assert code == 0 and "no problems found" in text and f"{prefix}articles.events" in text
    assert article_id


def test_status_exit_code_when_a_service_is_unreachable(stack, monkeypatch):
    monkeypatch.setenv("AKHBAR_RELATED_URL", f"http://127.0.0.1:{free_port()}")
    code, out = akhbar(stack, "status")
    assert code == Exit.UNREACHABLE, out
    assert "related not ready (unreachable" in out


def test_dlq_empty_list_show_drop_with_real_dead_letters(stack):
    prefix, r = stack["prefix"], stack["redis"]
    code, out = akhbar(stack, "dlq", "list", "comments.events")
    assert code == 0 and f"{prefix}comments.events.dlq: empty (no dead letters)" in out
    # a major schema version nobody supports: both consumer groups dead-letter it at once
    bad = {"event_id": str(uuid.uuid4()), "type": "article.published", "schema_version": 99}
    r.xadd(f"{prefix}articles.events", {"__data__": json.dumps(bad)})
    deadline = time.monotonic() + 20
    while r.xlen(dlq_stream(f"{prefix}articles.events")) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    code, out = akhbar(stack, "dlq", "list", "articles.events")
    assert code == 0 and "2 dead letter(s)" in out
    assert "group=comments" in out and "group=related" in out and bad["event_id"] in out
    assert "UnsupportedEvent" in out
    code, out = akhbar(stack, "status")
    assert code == Exit.PROBLEM and f"2 dead letter(s) in {prefix}articles.events" in out
    first = json.loads(akhbar(stack, "dlq", "list", "articles.events", "--json")[1].split("\n")[0])
    code, out = akhbar(stack, "dlq", "show", "articles.events", first["dlq_id"])
    assert code == 0 and json.loads(out)["event"]["schema_version"] == 99
    assert akhbar(stack, "dlq", "show", "articles.events", "1-1")[0] == Exit.NOT_FOUND
    assert akhbar(stack, "dlq", "drop", "articles.events", "--id", "1-1", "--yes")[0] == 4
    assert akhbar(stack, "dlq", "drop", "articles.events")[0] == Exit.USAGE  # --id or --all
    code, out = akhbar(stack, "dlq", "drop", "articles.events", "--id", first["dlq_id"], "--yes")
    assert code == 0 and "dropped 1" in out
    code, out = akhbar(stack, "dlq", "drop", "articles.events", "--all", "--yes")
    assert code == 0 and "dropped 1" in out
    assert r.xlen(dlq_stream(f"{prefix}articles.events")) == 0


def test_dlq_replay_puts_a_fixed_event_back_and_it_is_applied(stack):
    prefix, r = stack["prefix"], stack["redis"]
    article_id = f"dlq-{uuid.uuid4().hex[:8]}"
    snapshot = ArticleSnapshot(id=article_id, slug=article_id, title="عنوان", status="published",
                               version=1)  # fmt: skip
    event = ArticlePublished(producer="articles", aggregate_id=article_id, aggregate_version=1,
                             data=snapshot)  # fmt: skip
    comments_url = f"{stack['urls']['comments']}/articles/{article_id}/comments"
    assert httpx.get(comments_url).status_code == 404
    # what the consumer writes after max_deliveries failures (shared.broker.dead_letter)
    dlq_id = r.xadd(dlq_stream(f"{prefix}articles.events"), {
        "event": event.model_dump_json(), "error": "RuntimeError: was broken", "group": "comments",
        "stream": f"{prefix}articles.events", "entry_id": "1-0", "deliveries": "5",
        "failed_at": "2026-01-01T00:00:00+00:00"}).decode()  # fmt: skip
    assert akhbar(stack, "dlq", "replay", "articles.events", "--id", "9-9")[0] == Exit.NOT_FOUND
    code, out = akhbar(stack, "dlq", "replay", "articles.events", "--id", dlq_id)
    assert code == 0 and "replayed 1" in out, out
    deadline = time.monotonic() + 20
    while httpx.get(comments_url).status_code != 200:
        assert time.monotonic() < deadline, "the replayed event was not applied"
        time.sleep(0.2)
    assert r.xlen(dlq_stream(f"{prefix}articles.events")) == 0


def test_related_rebuild_follows_the_job_to_its_end(stack):
    publish_article(stack)
    code, out = akhbar(stack, "rebuild", "related")
    assert code == 0, out
    assert "rebuild related: job_id=" in out and "status=succeeded" in out
    metrics = httpx.get(f"{stack['urls']['related']}/metrics").text
    assert 'akhbar_rebuilds_total{status="succeeded"} 1.0' in metrics
    assert "akhbar_rebuild_running 0.0" in metrics
    written = [line for line in metrics.splitlines() if line.startswith("akhbar_rebuild_processed")]
    working = [line for line in written if "waiting" not in line]  # waiting processes nothing
    assert len(working) == 3 and all(float(line.split()[-1]) >= 1 for line in working), written


def test_admin_commands_need_an_admin_token(stack, monkeypatch):
    monkeypatch.setenv("AKHBAR_ADMIN_TOKEN", "not-a-token")
    code, out = akhbar(stack, "rebuild", "related")
    assert code == Exit.AUTH and "refused" in out


# --- repairs against the real services (the admin endpoints they serve) -------------------


def until(check, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def approved_comment(stack: dict[str, object]) -> tuple[str, str]:
    """A published article with one approved comment, counted by the articles service."""
    article_id = publish_article(stack)
    urls = stack["urls"]  # type: ignore[index]
    email = f"reader-{uuid.uuid4().hex[:8]}@example.com"  # one reader each: no flood limit
    comment = {"author_name": "سلمى", "author_email": email, "body": "شكراً على التغطية"}
    posted: dict[str, str] = {}

    def accepted() -> bool:
        response = httpx.post(f"{urls['comments']}/articles/{article_id}/comments", json=comment)
        if response.status_code == 201:
            posted.update(response.json())
        else:
            assert response.status_code == 404, response.text  # not yet known from the event
        return response.status_code == 201

    until(accepted, "comments never learnt the article")
    if posted["status"] != "approved":  # held for moderation by the site's policy
        approve = f"{urls['comments']}/moderation/comments/{posted['id']}/approve"
        assert httpx.post(approve, headers=MODERATOR).status_code == 200
    until(lambda: count_of(stack, article_id) == 1, "comment_count never reached 1")
    return article_id, posted["id"]


def count_of(stack: dict[str, object], article_id: str) -> int:
    article = httpx.get(f"{stack['urls']['articles']}/articles/{article_id}").json()  # type: ignore[index]
    return int(article["comment_count"])


def database(stack: dict[str, object], service: str):
    return stack["mongo"][f"{service}_cli{stack['tag']}"]  # type: ignore[index]


def test_rebuild_comment_counts_repairs_a_count_that_drifted(stack):
    article_id, _ = approved_comment(stack)
    database(stack, "articles")["articles"].update_one(
        {"_id": article_id}, {"$set": {"comment_count": 7}}
    )
    code, out = akhbar(stack, "rebuild", "comment-counts")
    assert code == 0, out
    assert "rebuild comment-counts" in out and "articles_changed=1" in out
    assert (
        database(stack, "articles")["articles"].find_one({"_id": article_id})["comment_count"] == 1
    )


def test_rebuild_comments_articles_restores_a_lost_article_model(stack):
    article_id = publish_article(stack)
    comments_url = f"{stack['urls']['comments']}/articles/{article_id}/comments"
    until(lambda: httpx.get(comments_url).status_code == 200, "comments never learnt it")
    model = database(stack, "comments")["articles"]
    held = model.find_one({"_id": article_id})
    model.delete_one({"_id": article_id})
    code, out = akhbar(stack, "rebuild", "comments-articles")
    assert code == 0, out
    assert model.find_one({"_id": article_id}) == held


def stream_entries(stack: dict[str, object], name: str) -> int:
    return int(stack["redis"].xlen(f"{stack['prefix']}{name}.events"))  # type: ignore[index]


def test_replay_outbox_republishes_and_nothing_is_applied_twice(stack):
    article_id, _ = approved_comment(stack)
    before = {name: stream_entries(stack, name) for name in ("articles", "comments")}
    since = datetime.now(UTC) - timedelta(minutes=10)
    code, out = akhbar(stack, "replay-outbox", "--since", since.isoformat())
    print(out)
    assert code == 0, out
    republished = {
        name: int(re.search(rf"^{name} outbox replay .*republished=(\d+)", out, re.M)[1])
        for name in before
    }
    assert all(n >= 1 for n in republished.values()), out
    until(
        lambda: all(stream_entries(stack, n) >= before[n] + republished[n] for n in before),
        "the republished events never reached the streams",
    )
    until(lambda: consumers_idle(stack), "the consumers never caught up")
    assert count_of(stack, article_id) == 1  # the inboxes dropped the second delivery


def consumers_idle(stack: dict[str, object]) -> bool:
    _, out = akhbar(stack, "status", "--json")
    streams = json.loads(out)["streams"]
    return all(g["lag"] == 0 and g["pending"] == 0 for s in streams for g in s["groups"])


def test_reemit_articles_puts_the_current_state_on_the_stream(stack):
    article_id = publish_article(stack)
    r, stream = stack["redis"], f"{stack['prefix']}articles.events"
    until(lambda: consumers_idle(stack), "the consumers never caught up")
    code, out = akhbar(stack, "reemit", "articles", "--ids", article_id)
    assert code == 0 and "emitted=1" in out, out

    def reemitted() -> bool:
        entries = r.xrevrange(stream, count=1)
        return bool(entries) and decode_entry(entries[0][1])["aggregate_id"] == article_id

    until(reemitted, "the re-emitted event never reached the stream")
    until(lambda: consumers_idle(stack), "the consumers never took the re-emitted event")
    related = database(stack, "related")["docs"].find_one({"_id": article_id})
    assert related["version"] == 2  # the same version again: applied once, nothing moved


def test_recover_runs_every_repair_against_the_real_services(stack):
    article_id, _ = approved_comment(stack)
    database(stack, "articles")["articles"].update_one(
        {"_id": article_id}, {"$set": {"comment_count": 0}}
    )
    code, out = akhbar(stack, "recover", "--since", "2026-01-01T00:00:00Z")
    assert code == 0, out
    for step in ("outbox replay (articles)", "reemit articles", "rebuild comments-articles",
                 "rebuild comment-counts", "rebuild related", "recovered"):  # fmt: skip
        assert step in out, out
    assert count_of(stack, article_id) == 1
