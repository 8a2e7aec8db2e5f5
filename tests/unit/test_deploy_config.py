"""docker-compose.yml and gateway/nginx.conf checked by parsing (no Docker engine here)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
NGINX = (ROOT / "gateway" / "nginx.conf").read_text()
APP_SERVICES = ("articles", "comments", "related")
SHARED_ENV = {"MONGO_URL", "REDIS_URL", "AKHBAR_TOKENS", "LOG_LEVEL", "LOG_FORMAT"}


def settings_class(name: str) -> type:
    return importlib.import_module(f"services.{name}.config").Settings  # type: ignore[no-any-return]


def test_every_long_running_service_has_a_healthcheck_and_restart_policy():
    for name, spec in COMPOSE["services"].items():
        if spec.get("profiles"):  # run-once jobs (ops, demo): never restarted
            assert spec["restart"] == "no", name
            continue
        assert "healthcheck" in spec, name
        assert spec.get("restart") in ("unless-stopped", "always", "on-failure"), name


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_backends_and_drain_on_stop(name):
    spec = COMPOSE["services"][name]
    assert spec["depends_on"]["mongo"]["condition"] == "service_healthy"
    assert spec["depends_on"]["redis"]["condition"] == "service_healthy"
    grace = int(spec["stop_grace_period"].rstrip("s"))
    assert grace > settings_class(name)().graceful_timeout_s
    assert spec["command"] == ["python", "-m", f"services.{name}"]
    assert "ports" not in spec, "published ports would break --scale"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_compose_env_names_match_the_settings_class(name):
    cls = settings_class(name)
    prefix = cls.model_config["env_prefix"]
    known = {f"{prefix}{field}".upper() for field in cls.model_fields} | SHARED_ENV
    env = COMPOSE["services"][name]["environment"]
    assert set(env) <= known, set(env) - known
    settings = cls(
        **{k.removeprefix(prefix).lower(): v for k, v in env.items() if k.startswith(prefix)}
    )
    port = int(env[f"{prefix}PORT"])
    assert settings.port == port
    assert f"http://127.0.0.1:{port}/health/ready" in str(
        COMPOSE["services"][name]["healthcheck"]["test"]
    )
    assert f"{name}:{port}" in NGINX


def test_mongo_runs_a_replica_set_and_redis_keeps_an_append_only_file():
    assert "--replSet" in COMPOSE["services"]["mongo"]["command"]
    assert "rs.initiate" in " ".join(COMPOSE["services"]["mongo"]["healthcheck"]["test"])
    assert "replicaSet=rs0" in COMPOSE["services"]["articles"]["environment"]["MONGO_URL"]
    redis = COMPOSE["services"]["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command and "--appendfsync everysec" in command
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
    assert any(volume.endswith(":/data/db") for volume in COMPOSE["services"]["mongo"]["volumes"])


# --- gateway routes -----------------------------------------------------------------------

LOCATION = re.compile(r"location\s+(=|~|\^~)?\s*(\S+)\s*\{(.*?)\}", re.S)


def _locations() -> list[tuple[str, str, str, str | None, str]]:
    found = []
    for modifier, pattern, body in LOCATION.findall(NGINX):
        proxy = re.search(r"proxy_pass\s+\$(\w+);", body)
        rewrite = re.search(r"rewrite\s+(\S+)\s+(\S+)\s+break;", body)
        if proxy:
            found.append(
                (
                    modifier,
                    pattern,
                    proxy.group(1),
                    rewrite.group(1) if rewrite else None,
                    rewrite.group(2) if rewrite else "",
                )
            )
    return found


def route(path: str) -> tuple[str, str]:
    """nginx's choice: longest prefix, overridden by the first matching regex."""
    locations = _locations()
    prefixes = [loc for loc in locations if loc[0] == "" and path.startswith(loc[1])]
    chosen = max(prefixes, key=lambda loc: len(loc[1]), default=None)
    for loc in locations:
        if loc[0] == "~" and re.search(loc[1], path):
            chosen = loc
            break
    assert chosen, f"no gateway route for {path}"
    _, _, service, pattern, replacement = chosen
    upstream = re.sub(pattern, re.sub(r"\$(\d)", r"\\\1", replacement), path) if pattern else path
    return service, upstream


def _walk(routes: list[object]) -> list[re.Pattern[str]]:
    """Route regexes, descending into included routers (FastAPI wraps them)."""
    found = []
    for item in routes:
        if hasattr(item, "path_regex"):
            found.append(item.path_regex)
        elif hasattr(item, "original_router"):
            found.extend(_walk(item.original_router.routes))
    return found


def app_paths(name: str) -> list[re.Pattern[str]]:
    return _walk(importlib.import_module(f"services.{name}.main").create_app().routes)


GATEWAY_PATHS = [
    ("/api/articles", "articles"),
    ("/api/articles/some-slug", "articles"),
    ("/api/articles/abc/publish", "articles"),
    ("/api/categories", "articles"),
    ("/api/articles/abc/comments", "comments"),
    ("/api/comments/abc/report", "comments"),
    ("/api/moderation/queue", "comments"),
    ("/api/moderation/comments/abc/approve", "comments"),
    ("/api/moderation", "comments"),
    ("/api/articles/abc/related", "related"),
]


@pytest.mark.parametrize(("path", "service"), GATEWAY_PATHS)
def test_gateway_routes_reach_a_real_route_of_the_right_service(path, service):
    target, upstream = route(path)
    assert target == service
    assert any(regex.match(upstream) for regex in app_paths(service)), upstream


@pytest.mark.parametrize(
    "path",
    [
        "/api/related/admin/rebuild",
        "/api/admin/rebuild",
        "/api/internal/articles",
        "/api/metrics",
        "/api/related/metrics",
        "/api/openapi.json",
        "/api/asyncapi.json",
        "/api/docs",
        "/api/articlesx",
    ],
)
def test_gateway_does_not_route_internals(path):
    with pytest.raises(AssertionError, match="no gateway route"):
        route(path)


def test_compose_gateway_serves_the_site_the_config_names():
    root = re.search(r"^\s*root\s+(\S+);", NGINX, re.M).group(1)
    mounts = COMPOSE["services"]["gateway"]["volumes"]
    assert f"./gateway/site:{root}:ro" in mounts
    assert (ROOT / "gateway" / "site" / "index.html").exists()
