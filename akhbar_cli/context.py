"""Where the system is: the services' own settings, the launcher's `.akhbar/`, exit codes.

Precedence for each value: the environment (the same variables the services read), then
`<state>/stack.json` and `<state>/tokens` written by `make up`, then the settings' defaults.
"""

from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from pathlib import Path
from typing import Any

from shared.auth import parse_tokens
from shared.events import STREAM_OF_PRODUCER
from shared.settings import ServiceSettings

SERVICES = ("articles", "comments", "related")


class Exit(IntEnum):
    """Exit codes scripts can rely on."""

    OK = 0
    PROBLEM = 1  # status found a problem, a job failed, a service answered with an error
    USAGE = 2  # bad arguments
    UNREACHABLE = 3  # Redis, MongoDB or a service could not be reached
    NOT_FOUND = 4  # no such DLQ entry / job
    AUTH = 5  # no admin token, or the token was refused


class CliError(Exception):
    """A failure to report on one line and exit with `code`."""

    def __init__(self, message: str, code: Exit = Exit.PROBLEM) -> None:
        super().__init__(message)
        self.code = code


def state_dir() -> Path:
    return Path(os.environ.get("AKHBAR_STATE") or Path.cwd() / ".akhbar")


def _read_stack(state: Path) -> dict[str, Any]:
    path = state / "stack.json"
    if not path.exists():
        return {}
    stack: dict[str, Any] = json.loads(path.read_text())
    pid = stack.get("launcher_pid")
    if pid:
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return {}  # left by a launcher that died: its ports mean nothing now
        except PermissionError:
            pass
    return stack


@dataclass
class Target:
    """The system the commands act on."""

    settings: dict[str, ServiceSettings]
    urls: dict[str, str]
    admin_token: str | None
    source: str  # where the servers were found, for the status header
    stack: dict[str, Any] = field(default_factory=dict)

    @property
    def redis_url(self) -> str:
        return self.settings["articles"].redis_url.get_secret_value()

    def mongo_url(self, service: str) -> str:
        return self.settings[service].mongo_url.get_secret_value()

    def stream(self, name: str) -> str:
        """A stream's full name (the services' prefix applied); accepts the full name too."""
        prefix = self.settings["articles"].stream_prefix
        return name if name.startswith(prefix) else f"{prefix}{name}"

    def streams(self) -> list[str]:
        return [self.stream(STREAM_OF_PRODUCER[name]) for name in SERVICES]

    def require_admin(self) -> str:
        if not self.admin_token:
            raise CliError(
                "no admin token: set AKHBAR_ADMIN_TOKEN, or AKHBAR_TOKENS with an admin entry "
                "(make up keeps them in .akhbar/tokens)",
                Exit.AUTH,
            )
        return self.admin_token


def _settings_class(name: str) -> type[ServiceSettings]:
    cls: type[ServiceSettings] = importlib.import_module(f"services.{name}.config").Settings
    return cls


def _admin_token(tokens: str) -> str | None:
    if os.environ.get("AKHBAR_ADMIN_TOKEN"):
        return os.environ["AKHBAR_ADMIN_TOKEN"]
    admins = [token for token, who in parse_tokens(tokens).items() if who.role == "admin"]
    return admins[0] if admins else None


def load(state: Path | None = None) -> Target:
    """Settings of every service, overlaid with what `make up` wrote when it is running."""
    state = state or state_dir()
    stack = _read_stack(state)
    overrides: dict[str, Any] = {}
    if stack and "MONGO_URL" not in os.environ:
        overrides["mongo_url"] = stack["mongo_url"]
    if stack and "REDIS_URL" not in os.environ:
        overrides["redis_url"] = stack["redis_url"]
    tokens_file = state / "tokens"
    if "AKHBAR_TOKENS" not in os.environ and tokens_file.exists():
        overrides["tokens"] = tokens_file.read_text().strip()
    settings = {name: _settings_class(name)(**overrides) for name in SERVICES}
    urls = {}
    for name, conf in settings.items():
        host = "127.0.0.1" if conf.host in ("0.0.0.0", "::", "") else conf.host
        urls[name] = (
            os.environ.get(f"AKHBAR_{name.upper()}_URL")
            or stack.get("services", {}).get(name)
            or f"http://{host}:{conf.port}"
        ).rstrip("/")
    source = f"make up ({state / 'stack.json'})" if stack else "environment / defaults"
    token = _admin_token(settings["articles"].tokens.get_secret_value())
    return Target(settings, urls, token, source, stack)


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """`2026-01-31T10:00`, `2026-01-31T10:00:00+03:00`, or a duration back from now: 90m, 2h, 7d."""
    now = now or datetime.now(UTC)
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    text = value.strip()
    if text[:-1].isdigit() and text[-1:] in units:
        return now - timedelta(**{units[text[-1]]: int(text[:-1])})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(
            f"--since {value!r}: give an ISO date-time or a duration like 90m, 2h, 7d", Exit.USAGE
        ) from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
