"""`akhbar` repair commands against apps that implement the admin-endpoint contract
(/work/notes CONTRACT.md, "Recovery / ops") over real HTTP, with the real admin-token check.

Each stand-in records what it was asked, so the tests check what the CLI sends (paths, bodies,
the Bearer token), in which order `recover` calls the services, and how it reports answers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

import pytest
import uvicorn
from fastapi import Depends, FastAPI
from typer.testing import CliRunner

from akhbar_cli.cli import app as cli
from akhbar_cli.context import Exit
from shared import auth
from shared.auth import Principal
from shared.embedded import free_port
from shared.errors import install_error_handlers
from tests.conftest import TEST_TOKENS

Admin = Annotated[Principal, Depends(auth.require("admin"))]


def contract_app(name: str, calls: list[tuple[str, str, Any]]) -> FastAPI:
    app = FastAPI()
    app.state.tokens = auth.parse_tokens(TEST_TOKENS)
    install_error_handlers(app)
    jobs: dict[str, int] = {}

    @app.post("/admin/outbox/replay")
    def replay(body: dict[str, Any], _: Admin) -> dict[str, int]:
        calls.append((name, "outbox/replay", body))
        return {"republished": {"articles": 3, "comments": 2, "related": 1}[name]}

    if name == "articles":

        @app.post("/admin/reemit")
        def reemit(body: dict[str, Any], _: Admin) -> dict[str, int]:
            calls.append((name, "reemit", body))
            return {"emitted": len(body.get("ids") or []) or 7}

        @app.post("/admin/rebuild/comment-counts")
        def counts(_: Admin) -> dict[str, int]:
            calls.append((name, "rebuild/comment-counts", None))
            return {"articles": 7, "updated": 2}

    if name == "comments":

        @app.post("/admin/rebuild/articles", status_code=202)
        def articles(_: Admin) -> dict[str, Any]:
            calls.append((name, "rebuild/articles", None))
            return {"job_id": "c-job", "status": "queued"}

    if name == "related":

        @app.post("/admin/rebuild", status_code=202)
        def rebuild(_: Admin) -> dict[str, Any]:
            calls.append((name, "rebuild", None))
            jobs["r-job"] = 0
            return {"job_id": "r-job", "status": "queued", "phase": "queued", "processed": 0}

        @app.get("/admin/rebuild/{job_id}")
        def job(job_id: str, _: Admin) -> dict[str, Any]:
            jobs[job_id] += 1
            done = jobs[job_id] >= 3
            state = {"status": "succeeded", "phase": "done", "result": {"articles": 15}}
            if not done:
                state = {"status": "running", "phase": "indexing", "result": None}
            return {"job_id": job_id, "processed": 5 * jobs[job_id], "total": 15, "error": None,
                    **state}  # fmt: skip

    return app


class Serving:
    """A uvicorn server in a thread on a free port."""

    def __init__(self, app: FastAPI) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        port = int(self.url.rsplit(":", 1)[1])
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


CALLS: list[tuple[str, str, Any]] = []


@pytest.fixture(scope="module")
def serving() -> Iterator[dict[str, str]]:
    calls = CALLS
    running = {
        name: Serving(contract_app(name, calls)) for name in ("articles", "comments", "related")
    }
    try:
        yield {name: s.url for name, s in running.items()}
    finally:
        for server in running.values():
            server.stop()


@pytest.fixture
def services(serving) -> tuple[dict[str, str], list[tuple[str, str, Any]]]:
    CALLS.clear()
    return serving, CALLS


def akhbar(urls: dict[str, str], tmp_path, *args: str, token: str | None = None) -> tuple[int, str]:
    env = {f"AKHBAR_{name.upper()}_URL": url for name, url in urls.items()}
    env |= {
        "AKHBAR_STATE": str(tmp_path),
        "AKHBAR_TOKENS": TEST_TOKENS,
        "AKHBAR_ADMIN_TOKEN": token,
    }
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_replay_outbox_sends_since_in_utc_to_every_service(services, tmp_path):
    urls, calls = services
    code, out = akhbar(urls, tmp_path, "replay-outbox", "--since", "2026-11-29T10:00:00+03:00")
    assert code == 0, out
    assert calls == [(n, "outbox/replay", {"since": "2026-11-29T07:00:00Z"})
                     for n in ("articles", "comments", "related")]  # fmt: skip
    assert "articles outbox replay since 2026-11-29 07:00:00Z: republished=3" in out
    calls.clear()
    code, out = akhbar(urls, tmp_path, "replay-outbox", "--since", "2h", "--service", "comments")
    assert code == 0 and [c[0] for c in calls] == ["comments"]
    sent = datetime.fromisoformat(calls[0][2]["since"])
    assert abs((datetime.now(UTC) - sent).total_seconds() - 7200) < 60


def test_reemit_articles_by_ids_or_since(services, tmp_path):
    urls, calls = services
    code, out = akhbar(urls, tmp_path, "reemit", "articles", "--ids", "a1, a2,a3")
    assert code == 0 and "emitted=3" in out
    assert calls == [("articles", "reemit", {"ids": ["a1", "a2", "a3"]})]
    assert akhbar(urls, tmp_path, "reemit", "articles", "--since", "1d")[0] == 0
    assert set(calls[1][2]) == {"since"}
    assert akhbar(urls, tmp_path, "reemit", "articles")[0] == Exit.USAGE
    code, out = akhbar(urls, tmp_path, "reemit", "articles", "--since", "yesterday")
    assert code == Exit.USAGE and "ISO date-time or a duration" in out


def test_rebuilds_reach_the_owning_service(services, tmp_path):
    urls, calls = services
    code, out = akhbar(urls, tmp_path, "rebuild", "comments-articles")
    assert code == 0 and "job_id=c-job" in out
    code, out = akhbar(urls, tmp_path, "rebuild", "comment-counts")
    assert code == 0 and "updated=2" in out
    code, out = akhbar(urls, tmp_path, "rebuild", "related")
    assert code == 0 and "status=succeeded" in out and "articles=15" in out
    assert [c[:2] for c in calls] == [("comments", "rebuild/articles"),
        ("articles", "rebuild/comment-counts"), ("related", "rebuild")]  # fmt: skip


def test_recover_runs_every_repair_in_order(services, tmp_path):
    urls, calls = services
    code, out = akhbar(urls, tmp_path, "recover", "--since", "2026-11-29T07:00:00")
    assert code == 0, out
    assert [c[:2] for c in calls] == [
        ("articles", "outbox/replay"), ("comments", "outbox/replay"), ("related", "outbox/replay"),
        ("articles", "reemit"), ("comments", "rebuild/articles"),
        ("articles", "rebuild/comment-counts"), ("related", "rebuild"),
    ]  # fmt: skip
    assert calls[3][2] == {"since": "2026-11-29T07:00:00Z"}
    assert "[7/7] rebuild related" in out and "recovered" in out


def test_refused_token_missing_endpoint_and_unreachable_service_have_their_exit_codes(
    services, tmp_path
):
    urls, calls = services
    code, out = akhbar(urls, tmp_path, "rebuild", "comment-counts", token="ed-token")
    assert code == Exit.AUTH and "refused (403)" in out and not calls
    code, out = akhbar({**urls, "articles": urls["comments"]}, tmp_path, "reemit", "articles",
                       "--since", "1h")  # fmt: skip
    assert code == Exit.PROBLEM and "/admin/reemit not found" in out
    dead = f"http://127.0.0.1:{free_port()}"
    code, out = akhbar({**urls, "related": dead}, tmp_path, "recover", "--since", "1h")
    assert code == Exit.UNREACHABLE and "related: cannot reach" in out
    assert "[3/7] outbox replay (related)" in out and "[4/7]" not in out  # stopped there
