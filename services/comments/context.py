"""The service's long-lived parts, built once per app: the runtime, the repository and the
queue's reads over the same database, the client hashing and limits. `start()` readies them;
routes take the parts they need through `deps.py`, use cases never take this whole."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.comments import claims
from services.comments.clients import Clients
from services.comments.config import Settings
from services.comments.counters import StatusCounters
from services.comments.group import GroupCommit
from services.comments.queries import QueueStore
from services.comments.repository import CommentRepository
from shared.ratelimit import RateLimiter
from shared.runtime import Runtime


@dataclass
class Context:
    """One per app; `start()` runs in the lifespan after the runtime opened."""

    runtime: Runtime
    settings: Settings
    counters: StatusCounters = field(init=False)
    repo: CommentRepository = field(init=False)
    store: QueueStore = field(init=False)
    clients: Clients = field(init=False)
    submissions: GroupCommit = field(init=False)  # submissions share transactions

    def __post_init__(self) -> None:
        db = self.runtime.db
        self.counters = StatusCounters(db)
        self.repo = CommentRepository(db, self.counters)
        self.store = QueueStore(db, self.counters)
        limiter = RateLimiter(self.runtime.redis, self.settings.stream_prefix)
        per_hour = {
            "submit": self.settings.submissions_per_client_per_hour,
            "report": self.settings.reports_per_client_per_hour,
        }
        self.clients = Clients(limiter, per_hour)
        self.submissions = GroupCommit(self.runtime)

    async def prepare(self) -> None:
        """Collections and indexes, before any transaction of this process can run."""
        await self.repo.ensure_indexes()
        await self.store.ensure_indexes()
        await self.counters.ensure()

    async def start(self) -> None:
        await self.store.backfill_keys(self.repo.settings)
        await claims.backfill(self.repo.db)
        await self.counters.reconcile(self.runtime.client, self.repo.comments)
        await self.repo.writers.reconcile(self.runtime.client, self.repo.comments, self.repo.bans)
        configured = self.settings.email_pepper
        value = configured.get_secret_value() if configured else await self.repo.pepper()
        self.clients.pepper = value.encode()
        # Build the character tables and compile the stored word list now, not in a request.
        (await self.repo.policy()).word_list().find("")
