"""What the use cases share: the runtime, the repository and the hashing key."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from services.comments.config import Settings
from services.comments.counters import StatusCounters
from services.comments.domain import Policy
from services.comments.queries import QueueStore
from services.comments.repository import Repository
from shared import pagination
from shared.ratelimit import RateLimiter
from shared.runtime import Runtime

PRODUCER = "comments"


@dataclass
class Context:
    """One per app; `start()` runs in the lifespan after the runtime opened."""

    runtime: Runtime
    settings: Settings
    repo: Repository = field(init=False)
    limits: RateLimiter = field(init=False)
    store: QueueStore = field(init=False)
    counters: StatusCounters = field(init=False)
    _pepper: bytes = b""

    def __post_init__(self) -> None:
        self.repo = Repository(self.runtime.db)
        self.limits = RateLimiter(self.runtime.redis, self.settings.stream_prefix)
        self.store = QueueStore(self.runtime.db)
        self.counters = StatusCounters(self.runtime.db)

    async def start(self) -> None:
        await self.repo.ensure_indexes()
        await self.store.ensure_indexes()
        await self.store.backfill_keys(self.repo.settings)
        await self.counters.ensure()
        await self.counters.reconcile(self.runtime.client, self.repo.comments)
        configured = self.settings.email_pepper
        value = configured.get_secret_value() if configured else await self.repo.pepper()
        self._pepper = value.encode()
        # Build the character tables and compile the stored word list now, not in a request.
        (await self.policy()).word_list().find("")

    def keyed(self, kind: str, value: str) -> str:
        """Salted hash (HMAC) of an email, IP or reader key; never published."""
        return hmac.new(self._pepper, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    async def limit(self, scope: str, client_ip: str | None, per_hour: int) -> None:
        """429 when this client (by IP hash) went past `per_hour` hits of `scope`."""
        if client_ip:
            client = self.keyed("ip", client_ip)
            await self.limits.check(scope, client, limit=per_hour, window_s=3600)

    async def policy(self) -> Policy:
        """The current policy, read per request so an admin's change applies at once."""
        return Policy.model_validate(await self.repo.policy())


def page_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    """The sort key of a list cursor; 400 when the client made it up."""
    return pagination.keyset_or_400(cursor)
