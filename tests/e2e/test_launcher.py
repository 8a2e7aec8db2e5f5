"""The README's first command: the launcher brings the whole system up and down cleanly."""

from __future__ import annotations

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
    finally:
        proc.send_signal(signal.SIGINT)  # what Ctrl-C does
        code = proc.wait(90)
    assert code == 0, (tmp_path / "up.log").read_text()[-3000:]
    assert "stopped" in (tmp_path / "up.log").read_text()
    assert all(_closed(port) for port in ports.values())
