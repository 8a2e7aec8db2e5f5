"""The README's first command: the launcher brings the whole system up and down cleanly."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from shared.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]


def _closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def check_restart_and_ops_command(tmp_path: Path, ports: dict[str, int], env: dict[str, str]):
    """A killed service comes back (the console says so, with its log tail); `akhbar status`
    finds the embedded servers through stack.json."""
    stack = json.loads((tmp_path / "state" / "stack.json").read_text())
    assert stack["services"]["comments"] == f"http://127.0.0.1:{ports['comments']}"
    os.kill(stack["pids"]["comments"], signal.SIGKILL)
    deadline = time.monotonic() + 60
    while "comments restarted" not in (tmp_path / "up.log").read_text():
        assert time.monotonic() < deadline, (tmp_path / "up.log").read_text()[-3000:]
        time.sleep(0.3)
    log = (tmp_path / "up.log").read_text()
    assert "comments exited with code -9; restarting in 1s" in log
    assert "  comments | " in log  # the last lines of its log, on the console
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{ports['comments']}/health/ready").status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "comments did not come back"
        time.sleep(0.3)
    status = subprocess.run(
        [sys.executable, "-m", "akhbar_cli", "status"],
        env={**env, "AKHBAR_STATE": str(tmp_path / "state")},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stdout + status.stderr
    assert "no problems found" in status.stdout and "articles.events" in status.stdout
    new_pid = json.loads((tmp_path / "state" / "stack.json").read_text())["pids"]["comments"]
    assert new_pid != stack["pids"]["comments"]
    restart = subprocess.run(
        [sys.executable, "-m", "akhbar_cli", "restart", "related"],
        env={**env, "AKHBAR_STATE": str(tmp_path / "state")},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert restart.returncode == 0, restart.stdout + restart.stderr
    while "related restarted" not in (tmp_path / "up.log").read_text():
        assert time.monotonic() < deadline, (tmp_path / "up.log").read_text()[-3000:]
        time.sleep(0.3)
    log = (tmp_path / "up.log").read_text()
    assert "related exited with code -15" in log  # uvicorn re-raises SIGTERM after draining
    assert "related | " in log and "Application shutdown complete" in log


def test_a_busy_port_fails_at_once_naming_the_port_and_its_variable(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("MONGO_URL", "REDIS_URL")}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env["COMMENTS_PORT"] = str(port)
        done = subprocess.run(
            [sys.executable, "-m", "scripts.up", "--state", str(tmp_path), "--no-demo"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2, done.stdout
    assert f"port {port} on 127.0.0.1 (comments) is not free" in done.stdout
    assert "set COMMENTS_PORT to another port" in done.stdout
    assert "SecantusDB" not in done.stdout  # nothing was started
    assert not (tmp_path / "stack.json").exists()


def test_launcher_runs_embedded_stack_services_gateway_and_demo_then_stops_on_ctrl_c(tmp_path):
    ports = {name: free_port() for name in ("articles", "comments", "related", "gateway")}
    env = {
        k: v for k, v in os.environ.items() if k not in ("MONGO_URL", "REDIS_URL", "AKHBAR_TOKENS")
    }
    env.update(
        {f"{name.upper()}_PORT": str(port) for name, port in ports.items() if name != "gateway"}
    )
    env["AKHBAR_DEMO_LIMIT"] = "12"
    out = open(tmp_path / "up.log", "w+")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scripts.up",
            "--state",
            str(tmp_path / "state"),
            "--gateway-port",
            str(ports["gateway"]),
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while "running; Ctrl-C to stop" not in (tmp_path / "up.log").read_text():
            assert proc.poll() is None, (tmp_path / "up.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "launcher did not come up"
            time.sleep(0.5)
        log = (tmp_path / "up.log").read_text()
        assert "SecantusDB" in log and "Redis" in log and "imported 12" in log
        tokens = (tmp_path / "state" / "tokens").read_text()
        assert tokens.split(",")[0].split(":")[0] in log  # the dev tokens are printed

        gateway = shutil.which("nginx") or Path("/usr/sbin/nginx").exists()
        base = (
            f"http://127.0.0.1:{ports['gateway']}/api"
            if gateway
            else f"http://127.0.0.1:{ports['articles']}"
        )
        listing = httpx.get(f"{base}/articles", params={"limit": 50}).json()
        titles = [item["title"] for item in listing["items"]]
        assert len(titles) == 13 and any("الأردن وسوريا" in t for t in titles)
        for name in ("articles", "comments", "related"):
            assert httpx.get(f"http://127.0.0.1:{ports[name]}/health/ready").status_code == 200
        if gateway:
            page = httpx.get(f"{base}/moderation")
            assert page.status_code == 200 and 'dir="rtl"' in page.text
            seed = next(item for item in listing["items"] if "الأردن وسوريا" in item["title"])
            related = httpx.get(f"{base}/articles/{seed['id']}/related")
            assert related.status_code == 200, related.text
        check_restart_and_ops_command(tmp_path, ports, env)
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C does
        code = proc.wait(90)
    assert code == 0, (tmp_path / "up.log").read_text()[-3000:]
    assert "stopped" in (tmp_path / "up.log").read_text()
    assert all(_closed(port) for port in ports.values())
