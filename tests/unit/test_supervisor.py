"""The launcher's supervision step by step, on real child processes."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

from scripts.supervisor import Child, PortInUse, check_ports, tail


def spawn_failing(log):
    def start():
        with open(log, "a") as out:
            return subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys; print('bind failed: address in use'); sys.exit(3)",
                ],
                stdout=out,
                stderr=out,
            )

    return start


def test_an_exited_child_is_restarted_with_growing_backoff_and_its_log_tail(tmp_path):
    log = tmp_path / "svc.log"
    said: list[str] = []
    child = Child("svc", spawn_failing(log), log)
    child.start()
    child.proc.wait(10)
    now = time.monotonic()
    child.watch(said.append, now)
    assert said[0].startswith("svc exited with code 3; restarting in 1s")
    assert said[1] == "  svc | bind failed: address in use"
    child.watch(said.append, now + 0.5)  # not due yet
    assert len(said) == 2
    child.watch(said.append, now + 1.0)
    assert said[2].startswith("svc restarted (pid") and child.restarts == 1
    child.proc.wait(10)
    child.watch(said.append, now + 1.1)
    assert "restarting in 2s" in said[3]  # backoff doubles while it keeps failing


def test_a_child_up_long_enough_has_its_backoff_reset(tmp_path):
    child = Child(
        "svc", lambda: subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    )
    child.start()
    child.failures = 4
    child.watch(lambda _: None, child.started_at + 61)
    assert child.failures == 0
    child.terminate()
    child.wait()
    assert child.exited() is not None


def test_json_log_lines_are_shown_readably_in_the_tail(tmp_path):
    log = tmp_path / "x.log"
    record = {"event": "boom", "level": "error", "logger": "uvicorn.error",
              "timestamp": "2026-11-29T15:35:31.369Z",
              "exception": [{"exc_type": "OSError", "exc_value": "[Errno 98] in use"}]}  # fmt: skip
    log.write_text("plain line\n" + json.dumps(record) + "\n\n")
    assert tail(log) == [
        "plain line",
        "15:35:31 error uvicorn.error: boom  [OSError: [Errno 98] in use]",
    ]


def test_check_ports_names_every_busy_port_and_its_variable():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUse) as caught:
            check_ports([("gateway", "127.0.0.1", port, "AKHBAR_GATEWAY_PORT")])
    assert f"port {port} on 127.0.0.1 (gateway)" in str(caught.value)
    assert "set AKHBAR_GATEWAY_PORT to another port" in str(caught.value)
