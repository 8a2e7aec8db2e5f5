"""A whole Akhbar system as real processes, for fault tests: servers and services we can kill.

Unlike the session fixtures, each cluster owns its MongoDB-wire server and its Redis (on fixed
free ports, data kept in folders) so a test can kill, pause and restart them, and it runs each
service as one or more real `python -m services.<name>` processes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import redis

from shared.embedded import Server, free_port, start_mongo, start_redis, start_service
from tests.conftest import TEST_TOKENS

NAMES = ("articles", "comments", "related")


@dataclass
class Replica:
    """One process of a service."""

    name: str
    index: int
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    paused: bool = False  # SIGSTOPped: the workload sends it nothing

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class Cluster:
    """Servers + services; `replicas` says how many processes each service runs."""

    root: Path
    replicas: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NAMES, 1))
    extra_env: dict[str, str] = field(default_factory=dict)
    mongo: Server | None = None
    redis: Server | None = None
    mongo_port: int = field(default_factory=free_port)
    redis_port: int = field(default_factory=free_port)
    services: dict[str, list[Replica]] = field(default_factory=dict)

    # --- servers -----------------------------------------------------------------------------

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.mongo_port}/?directConnection=true"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def start_mongo(self) -> None:
        self.mongo = start_mongo(
            self.root / "mongo", port=self.mongo_port, log=self.root / "mongo.log"
        )

    def start_redis(self, *, empty: bool = False) -> None:
        if empty:
            shutil.rmtree(self.root / "redis", ignore_errors=True)
        self.redis = start_redis(self.root / "redis", port=self.redis_port, appendonly=True)
        # Every write fsynced: a kill -9 of Redis then loses nothing it acknowledged (the
        # default `everysec` may lose the last second; losing data is its own scenario).
        client = redis.Redis(port=self.redis_port)
        client.config_set("appendfsync", "always")
        client.close()

    def signal_server(self, server: Server | None, sig: signal.Signals) -> None:
        assert server is not None
        server.proc.send_signal(sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            server.proc.wait(30)

    # --- services ----------------------------------------------------------------------------

    def env(self, name: str, replica: Replica) -> dict[str, str]:
        prefix = name.upper()
        urls = {n: self.services[n][0].url for n in NAMES if self.services.get(n)}
        env = dict(
            os.environ,
            MONGO_URL=self.mongo_url,
            REDIS_URL=self.redis_url,
            AKHBAR_TOKENS=TEST_TOKENS,
            LOG_LEVEL="INFO",
        )
        env.pop("AKHBAR_FAILPOINTS", None)
        env.update(
            {
                f"{prefix}_PORT": str(replica.port),
                f"{prefix}_CONSUMER_NAME": f"{name}-{replica.index}-{time.monotonic_ns()}",
                f"{prefix}_CLAIM_INTERVAL_S": "0.5",
                f"{prefix}_CLAIM_MIN_IDLE_MS": "2000",
                f"{prefix}_RELAY_INTERVAL_S": "0.2",
                f"{prefix}_RELAY_MAX_BACKOFF_S": "1",
                f"{prefix}_GRACEFUL_TIMEOUT_S": "5",
                "RELATED_ARTICLES_URL": urls.get("articles", ""),
                "COMMENTS_ARTICLES_URL": urls.get("articles", ""),
                "ARTICLES_COMMENTS_URL": urls.get("comments", ""),
            }
        )
        env.update(self.extra_env)
        return env

    def plan(self) -> None:
        """Give every replica its port before any starts, so each knows the others' URLs."""
        for name in NAMES:
            self.services[name] = [
                Replica(name, i, free_port(), self.root / f"{name}-{i}.log")
                for i in range(self.replicas.get(name, 1))
            ]

    def start_replica(self, replica: Replica, *, failpoints: str = "") -> None:
        env = self.env(replica.name, replica)
        if failpoints:
            env["AKHBAR_FAILPOINTS"] = failpoints
        replica.proc = start_service(replica.name, env, replica.log)

    def start(self, names: tuple[str, ...] = NAMES) -> None:
        if not self.services:
            self.plan()
        for name in names:
            for replica in self.services[name]:
                self.start_replica(replica)
        for name in names:
            for replica in self.services[name]:
                self.wait_ready(replica)

    def wait_ready(self, replica: Replica, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert replica.alive, self.tail(replica)
            try:
                if httpx.get(f"{replica.url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{replica.name}-{replica.index} not ready\n{self.tail(replica)}")

    def wait_exit(self, replica: Replica, timeout: float = 30) -> int:
        assert replica.proc is not None
        return replica.proc.wait(timeout)

    def restart(self, replica: Replica) -> None:
        if replica.alive:
            self.signal(replica, signal.SIGKILL)
        self.start_replica(replica)
        self.wait_ready(replica)

    def signal(self, replica: Replica, sig: signal.Signals) -> None:
        assert replica.proc is not None
        replica.proc.send_signal(sig)
        replica.paused = sig == signal.SIGSTOP
        if sig == signal.SIGKILL:
            replica.proc.wait(10)

    def url(self, name: str, index: int = 0) -> str:
        return self.services[name][index].url

    def tail(self, replica: Replica, lines: int = 40) -> str:
        try:
            text = replica.log.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        for replicas in self.services.values():
            for replica in replicas:
                if replica.alive:
                    assert replica.proc is not None
                    replica.proc.send_signal(signal.SIGCONT)
                    replica.proc.terminate()
        for replicas in self.services.values():
            for replica in replicas:
                if replica.proc is not None:
                    try:
                        replica.proc.wait(20)
                    except subprocess.TimeoutExpired:
                        replica.proc.kill()
                        replica.proc.wait()
        for server in (self.redis, self.mongo):
            if server is not None:
                server.proc.send_signal(signal.SIGCONT)
                server.stop()
