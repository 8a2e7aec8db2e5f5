"""The launcher's children: start, watch, restart with backoff (saying why), stop in order."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Say = Callable[[str], None]

BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 30.0
STABLE_AFTER_S = 60.0  # a child up this long has its backoff reset
TAIL_LINES = 12


class PortInUse(RuntimeError):
    """A port the stack needs is taken; the message names the variable that moves it."""


def check_ports(wanted: list[tuple[str, str, int, str]]) -> None:
    """Fail at once if any (what, host, port, variable) cannot be bound; lists every clash."""
    busy = []
    for what, host, port, variable in wanted:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn and nginx do
            try:
                sock.bind((host, port))
            except OSError as exc:
                busy.append(
                    f"port {port} on {host} ({what}) is not free ({exc.strerror}); "
                    f"set {variable} to another port"
                )
    if busy:
        raise PortInUse("; ".join(busy))


def tail(path: Path | None, lines: int = TAIL_LINES, width: int = 400) -> list[str]:
    """The last non-empty lines of a log file (what a crashed child said last)."""
    if path is None or not path.exists():
        return []
    with path.open("rb") as handle:
        handle.seek(0, 2)
        handle.seek(max(0, handle.tell() - 64 * 1024))
        text = handle.read().decode("utf-8", "replace")
    kept = [readable(line)[:width] for line in text.splitlines() if line.strip()]
    return kept[-lines:]


def readable(line: str) -> str:
    """A JSON log line as `time level logger: message [error]`; other lines as they are."""
    try:
        record = json.loads(line)
    except ValueError:
        return line.rstrip()
    if not isinstance(record, dict) or "event" not in record:
        return line.rstrip()
    text = f"{str(record.get('timestamp', ''))[11:19]} {record.get('level', '')} "
    text += f"{record.get('logger', '')}: {record['event']}"
    error = record.get("exception") or record.get("error")
    if isinstance(error, list) and error:  # structlog's dict traceback: the last exception
        last = error[-1]
        error = f"{last.get('exc_type')}: {last.get('exc_value')}"
    return f"{text}  [{error}]" if error else text


@dataclass
class Child:
    """One supervised process: `spawn` starts it, `log` is where its output goes."""

    name: str
    spawn: Callable[[], subprocess.Popen[bytes]]
    log: Path | None = None
    proc: subprocess.Popen[bytes] | None = None
    failures: int = 0
    restarts: int = 0
    started_at: float = 0.0
    restart_at: float | None = None
    on_restart: list[Callable[[Child], None]] = field(default_factory=list)

    def start(self) -> None:
        self.proc = self.spawn()
        self.started_at = time.monotonic()
        self.restart_at = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def exited(self) -> int | None:
        return self.proc.poll() if self.proc else None

    def watch(self, say: Say, now: float | None = None) -> None:
        """One supervision step: notice an exit and schedule a restart, or do a due restart."""
        now = time.monotonic() if now is None else now
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.start()
                self.restarts += 1
                say(f"{self.name} restarted (pid {self.pid}, restart #{self.restarts})")
                for hook in self.on_restart:
                    hook(self)
            return
        code = self.exited()
        if code is None:
            if now - self.started_at >= STABLE_AFTER_S:
                self.failures = 0
            return
        self.failures += 1
        delay = min(BACKOFF_FIRST_S * 2 ** (self.failures - 1), BACKOFF_MAX_S)
        self.restart_at = now + delay
        where = f" (last lines of {self.log})" if self.log else ""
        say(f"{self.name} exited with code {code}; restarting in {delay:.0f}s{where}")
        for line in tail(self.log):
            say(f"  {self.name} | {line}")

    def terminate(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait(self, timeout: float = 20) -> None:
        """Wait for the exit (the services drain first), then SIGKILL."""
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(5)


def stop_all(children: list[Child]) -> None:
    """SIGTERM to every child (last started first), then wait for each."""
    for child in reversed(children):
        child.terminate()
    for child in reversed(children):
        child.wait()
