"""Run the whole system on one machine: embedded MongoDB-wire + Redis, 3 services, gateway, demo.

MONGO_URL / REDIS_URL, when set, are used instead of the embedded servers; AKHBAR_TOKENS,
when set, instead of generated dev tokens. Ctrl-C or SIGTERM stops everything cleanly.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

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


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with code {proc.returncode}; see .akhbar/logs")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready within {timeout}s")


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state", default=str(ROOT / ".akhbar"), help="data, logs and tokens")
    parser.add_argument("--no-demo", action="store_true", help="do not load demo content")
    parser.add_argument(
        "--gateway-port", type=int, default=int(os.environ.get("AKHBAR_GATEWAY_PORT", 8000))
    )
    args = parser.parse_args()
    state = Path(args.state)
    (state / "logs").mkdir(parents=True, exist_ok=True)

    servers: list[Server] = []
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    env = dict(os.environ)
    try:
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
        env["AKHBAR_TOKENS"] = dev_tokens(state)

        ports = {name: int(env.get(f"{name.upper()}_PORT", default)) for name, default in SERVICES}
        nginx = shutil.which("nginx") or (
            "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
        )
        if nginx:  # every reader reaches comments through the gateway: its X-Forwarded-For counts
            env.setdefault("COMMENTS_TRUST_PROXY", "true")
        env.setdefault("RELATED_ARTICLES_URL", f"http://127.0.0.1:{ports['articles']}")
        # Behind the gateway the peer is nginx: per-client flood and rate limits need the real IP.
        env.setdefault("COMMENTS_TRUST_PROXY", "true")
        for name, _ in SERVICES:
            children.append(start_service(name, env, state / "logs" / f"{name}.log"))
        for (name, _), proc in zip(SERVICES, children, strict=True):
            wait_ready(f"http://127.0.0.1:{ports[name]}/health/ready", proc)
            _log(f"{name:9} ready on http://127.0.0.1:{ports[name]}  (docs: /docs)")

        gateway = None
        if nginx:
            conf = gateway_config(state, ports, args.gateway_port)
            gateway = subprocess.Popen(
                [nginx, "-p", str(state), "-c", str(conf), "-g", "daemon off;"],
                start_new_session=True,
            )
            children.append(gateway)
            _log(f"gateway   on http://127.0.0.1:{args.gateway_port}/api/")
            _log(f"site      on http://127.0.0.1:{args.gateway_port}/")
        else:
            _log("nginx not found: no gateway; call the services on their own ports")

        if not args.no_demo:
            _log("loading demo content (seed article + ANT corpus subset)…")
            subprocess.run([sys.executable, "-m", "scripts.demo"], cwd=ROOT, env=env, check=True)

        base = f"http://127.0.0.1:{args.gateway_port}/api" if gateway else None
        _log("tokens (Authorization: Bearer <token>):")
        for item in env["AKHBAR_TOKENS"].split(","):
            token, _, rest = item.partition(":")
            _log(f"  {rest.split(':')[0]:9} {token}")
        comments_base = base or f"http://127.0.0.1:{ports['comments']}"
        _log(f"moderation page: {comments_base}/moderation")
        _log("running; Ctrl-C to stop")
        while not stopping:
            for proc in children:
                if proc.poll() is not None:
                    _log(f"a child exited ({proc.args!r}); stopping")
                    stopping = True
            time.sleep(0.5)
    except Exception as exc:  # noqa: BLE001 - report, then stop what was started
        _log(f"error: {exc}")
        return 1
    finally:
        for proc in reversed(children):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(children):
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for server in reversed(servers):
            server.stop()
        _log("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
