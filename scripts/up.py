"""Run the whole system on one machine: embedded MongoDB-wire + Redis, 3 services, gateway, demo.

MONGO_URL / REDIS_URL, when set, are used instead of the embedded servers; AKHBAR_TOKENS,
when set, instead of generated dev tokens. Every port is checked before anything starts. A
service that exits is restarted with backoff (its last log lines shown). The URLs are written
to <state>/stack.json for the `akhbar` command. Ctrl-C or SIGTERM stops everything cleanly.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from scripts.supervisor import Child, PortInUse, check_ports, stop_all, tail
from shared.embedded import Server, redis_binary, start_mongo, start_redis, start_service

ROOT = Path(__file__).resolve().parents[1]
SERVICES = (("articles", 8001), ("comments", 8002), ("related", 8003))


def _log(message: str) -> None:
    print(f"[akhbar] {message}", flush=True)


def dev_tokens(state: Path) -> str:
    """AKHBAR_TOKENS from the environment, else dev tokens kept in .akhbar/tokens."""
    if os.environ.get("AKHBAR_TOKENS"):
        return os.environ["AKHBAR_TOKENS"]
    path = state / "tokens"
    if not path.exists():
        spec = ",".join(
            f"{secrets.token_urlsafe(18)}:{role}:dev-{role}"
            for role in ("editor", "moderator", "admin")
        )
        path.write_text(spec)
        path.chmod(0o600)
    return path.read_text().strip()


def wait_ready(url: str, child: Child, timeout: float = 90) -> None:
    """Until `url` answers 200; a child that exits meanwhile fails start-up with its log tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = child.exited()
        if code is not None:
            lines = "\n".join(f"  {child.name} | {line}" for line in tail(child.log))
            raise RuntimeError(f"{child.name} exited with code {code} while starting:\n{lines}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready within {timeout}s; see {child.log}")


def gateway_config(state: Path, ports: dict[str, int], listen: int) -> Path:
    """gateway/nginx.conf with compose host names replaced by this machine's ports."""
    text = (ROOT / "gateway" / "nginx.conf").read_text()
    for name, port in ports.items():
        text = text.replace(f"http://{name}:{ports_default(name)}", f"http://127.0.0.1:{port}")
    text = re.sub(r"^\s*resolver .*$", "", text, flags=re.M)
    text = text.replace("listen 8000;", f"listen 127.0.0.1:{listen};")
    text = text.replace("pid /tmp/akhbar-nginx.pid;", f"pid {state}/nginx.pid;")
    text = text.replace("access_log /dev/stdout ", f"access_log {state}/logs/gateway.log ")
    text = text.replace("root /srv/akhbar-site;", f"root {ROOT / 'gateway' / 'site'};")
    text = text.replace("error_log /dev/stderr warn;", f"error_log {state}/logs/gateway.err warn;")
    conf = state / "nginx.conf"
    conf.write_text(text)
    return conf


def ports_default(name: str) -> int:
    return dict(SERVICES)[name]


def find_nginx() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default=str(ROOT / ".akhbar"), help="data, logs and tokens")
    parser.add_argument("--no-demo", action="store_true", help="do not load demo content")
    parser.add_argument(
        "--gateway-port",
        type=int,
        default=int(os.environ.get("AKHBAR_GATEWAY_PORT", 8000)),
        help="the nginx gateway's port (default: AKHBAR_GATEWAY_PORT or 8000)",
    )
    return parser.parse_args(argv)


def service_ports(env: dict[str, str]) -> dict[str, int]:
    return {name: int(env.get(f"{name.upper()}_PORT", default)) for name, default in SERVICES}


def check_all_ports(env: dict[str, str], gateway_port: int | None) -> None:
    """Every port the stack will listen on, before anything starts."""
    wanted = [
        (name, env.get(f"{name.upper()}_HOST", "127.0.0.1"), port, f"{name.upper()}_PORT")
        for name, port in service_ports(env).items()
    ]
    if gateway_port is not None:
        wanted.append(
            ("gateway", "127.0.0.1", gateway_port, "AKHBAR_GATEWAY_PORT or --gateway-port")
        )
    check_ports(wanted)


def start_backends(state: Path, env: dict[str, str], servers: list[Server]) -> None:
    """Embedded MongoDB-wire server and Redis unless MONGO_URL / REDIS_URL point elsewhere."""
    if not env.get("MONGO_URL"):
        mongo = start_mongo(state / "mongo", log=state / "logs" / "mongo.log")
        servers.append(mongo)
        env["MONGO_URL"] = mongo.url
        _log(f"MongoDB-wire server (SecantusDB) on {mongo.url}, data in {state / 'mongo'}")
    if not env.get("REDIS_URL"):
        redis = start_redis(state / "redis", appendonly=True)
        servers.append(redis)
        env["REDIS_URL"] = redis.url
        _log(f"Redis ({Path(redis_binary()).name}) on {redis.url}, AOF in {state / 'redis'}")


def start_services(state: Path, env: dict[str, str], children: list[Child]) -> None:
    ports = service_ports(env)
    # where services read each other for rebuilds (CONTRACT.md): follow the chosen ports
    env.setdefault("RELATED_ARTICLES_URL", f"http://127.0.0.1:{ports['articles']}")
    env.setdefault("COMMENTS_ARTICLES_URL", f"http://127.0.0.1:{ports['articles']}")
    env.setdefault("ARTICLES_COMMENTS_URL", f"http://127.0.0.1:{ports['comments']}")
    started = []
    for name, _ in SERVICES:
        log = state / "logs" / f"{name}.log"
        child = Child(name, functools.partial(start_service, name, env, log), log)
        child.start()
        children.append(child)
        started.append(child)
    for child in started:
        wait_ready(f"http://127.0.0.1:{ports[child.name]}/health/ready", child)
        _log(f"{child.name:9} ready on http://127.0.0.1:{ports[child.name]}  (docs: /docs)")


def start_gateway(state: Path, nginx: str, env: dict[str, str], port: int) -> Child:
    conf = gateway_config(state, service_ports(env), port)
    argv = [nginx, "-p", str(state), "-c", str(conf), "-g", "daemon off;"]
    child = Child(
        "gateway",
        lambda: subprocess.Popen(argv, start_new_session=True),
        state / "logs" / "gateway.err",
    )
    child.start()
    _log(f"gateway   on http://127.0.0.1:{port}/api/")
    _log(f"site      on http://127.0.0.1:{port}/")
    return child


def write_stack(
    state: Path, env: dict[str, str], gateway: str | None, children: list[Child]
) -> None:
    """What `akhbar` needs to find this stack: URLs (no tokens: they stay in `tokens`), pids."""
    stack = {
        "launcher_pid": os.getpid(),
        "mongo_url": env["MONGO_URL"],
        "redis_url": env["REDIS_URL"],
        "services": {name: f"http://127.0.0.1:{port}" for name, port in service_ports(env).items()},
        "gateway": gateway,
        "tokens_file": str(state / "tokens"),
        "pids": {child.name: child.pid for child in children},
    }
    path = state / "stack.json"
    path.write_text(json.dumps(stack, indent=2))
    path.chmod(0o600)


def announce(env: dict[str, str], base: str | None) -> None:
    _log("tokens (Authorization: Bearer <token>):")
    for item in env["AKHBAR_TOKENS"].split(","):
        token, _, rest = item.partition(":")
        _log(f"  {rest.split(':')[0]:9} {token}")
    comments_base = base or f"http://127.0.0.1:{service_ports(env)['comments']}"
    _log(f"moderation page: {comments_base}/moderation")
    _log("status and repair: .venv/bin/akhbar status (finds this stack through stack.json)")
    _log("running; Ctrl-C to stop")


def supervise(children: list[Child], stopping: threading.Event) -> None:
    while not stopping.wait(0.5):
        for child in children:
            child.watch(_log)


def use_gateway(env: dict[str, str], nginx: str | None) -> None:
    if nginx:  # every reader reaches comments through the gateway: its X-Forwarded-For counts
        env.setdefault("COMMENTS_TRUST_PROXY", "true")
    else:
        _log("nginx not found: NO GATEWAY (no /api/ on one port); call each service on its port")


def stop_on_signals() -> threading.Event:
    """An event SIGTERM and Ctrl-C set."""
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    return stopping


def run_stack(
    args: argparse.Namespace,
    env: dict[str, str],
    nginx: str | None,
    servers: list[Server],
    children: list[Child],
    stopping: threading.Event,
) -> None:
    """Start backends, services, gateway and demo content, then watch them until stopped."""
    state = Path(args.state)
    start_backends(state, env, servers)
    env["AKHBAR_TOKENS"] = dev_tokens(state)
    start_services(state, env, children)
    base = None
    if nginx:
        children.append(start_gateway(state, nginx, env, args.gateway_port))
        base = f"http://127.0.0.1:{args.gateway_port}/api"
    write_stack(state, env, base, children)
    for child in children:
        child.on_restart.append(lambda _: write_stack(state, env, base, children))
    if not args.no_demo:
        _log("loading demo content (seed article + ANT corpus subset)…")
        subprocess.run([sys.executable, "-m", "scripts.demo"], cwd=ROOT, env=env, check=True)
    announce(env, base)
    supervise(children, stopping)


def stop_stack(state: Path, servers: list[Server], children: list[Child]) -> None:
    stop_all(children)
    for server in reversed(servers):
        server.stop()
    (state / "stack.json").unlink(missing_ok=True)
    _log("stopped")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    state = Path(args.state)
    (state / "logs").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    nginx = find_nginx()
    try:
        check_all_ports(env, args.gateway_port if nginx else None)
    except PortInUse as exc:
        _log(f"error: {exc}")
        return 2
    use_gateway(env, nginx)
    servers: list[Server] = []
    children: list[Child] = []
    stopping = stop_on_signals()
    try:
        run_stack(args, env, nginx, servers, children, stopping)
    except Exception as exc:  # noqa: BLE001 - report, then stop what was started
        _log(f"error: {exc}")
        return 1
    finally:
        stop_stack(state, servers, children)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
