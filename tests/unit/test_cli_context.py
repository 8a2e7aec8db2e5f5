"""Where `akhbar` looks for the system: environment first, then make up's state folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from akhbar_cli.context import CliError, Exit, load, parse_since


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("MONGO_URL", "REDIS_URL", "AKHBAR_TOKENS", "AKHBAR_ADMIN_TOKEN",
                 "AKHBAR_ARTICLES_URL", "ARTICLES_PORT", "ARTICLES_STREAM_PREFIX"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def write_stack(state, pid: int) -> None:
    state.mkdir(exist_ok=True)
    (state / "stack.json").write_text(json.dumps({
        "launcher_pid": pid, "mongo_url": "mongodb://127.0.0.1:1111/?directConnection=true",
        "redis_url": "redis://127.0.0.1:2222/0",
        "services": {"articles": "http://127.0.0.1:3333"}}))  # fmt: skip
    (state / "tokens").write_text("e:editor:ed,a1:admin:ops,a2:admin:other")


def test_a_live_launchers_stack_and_tokens_are_used(tmp_path, clean_env):
    write_stack(tmp_path, pid=os.getpid())
    target = load(tmp_path)
    assert target.redis_url == "redis://127.0.0.1:2222/0"
    assert target.mongo_url("comments").startswith("mongodb://127.0.0.1:1111/")
    assert target.urls["articles"] == "http://127.0.0.1:3333"
    assert target.urls["comments"] == "http://127.0.0.1:8002"  # the settings' default
    assert target.admin_token == "a1" and "make up" in target.source


def test_the_environment_wins_over_the_stack(tmp_path, clean_env):
    write_stack(tmp_path, pid=os.getpid())
    clean_env.setenv("REDIS_URL", "redis://elsewhere:6379/0")
    clean_env.setenv("AKHBAR_ARTICLES_URL", "http://articles:8001/")
    clean_env.setenv("AKHBAR_ADMIN_TOKEN", "given")
    clean_env.setenv("ARTICLES_STREAM_PREFIX", "t1:")
    target = load(tmp_path)
    assert target.redis_url == "redis://elsewhere:6379/0"
    assert target.urls["articles"] == "http://articles:8001"
    assert target.admin_token == "given"
    assert target.stream("articles.events") == "t1:articles.events"
    assert target.stream("t1:articles.events") == "t1:articles.events"


def test_a_stack_left_by_a_dead_launcher_is_ignored(tmp_path, clean_env):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    write_stack(tmp_path, pid=dead.pid)
    target = load(tmp_path)
    assert target.redis_url == "redis://127.0.0.1:6379/0" and target.source.startswith("env")


def test_no_admin_token_is_exit_5(tmp_path, clean_env):
    target = load(tmp_path)
    with pytest.raises(CliError) as caught:
        target.require_admin()
    assert caught.value.code == Exit.AUTH


def test_since_accepts_iso_with_or_without_offset_and_durations():
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert parse_since("90m", now) == datetime(2026, 11, 29, 10, 30, tzinfo=UTC)
    assert parse_since("7d", now) == datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert parse_since("2026-11-29T10:00", now) == datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    assert parse_since("2026-11-29T10:00+03:00", now) == datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
    for bad in ("yesterday", "5x", ""):
        with pytest.raises(CliError) as caught:
            parse_since(bad, now)
        assert caught.value.code == Exit.USAGE
