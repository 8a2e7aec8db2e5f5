"""What the use cases share: the runtime, the repository and the hashing key."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

from services.comments.config import Settings
from services.comments.domain import Policy
from services.comments.lifecycle import decode_cursor
from services.comments.repository import Repository
from shared.errors import ApiError
from shared.runtime import Runtime

PRODUCER = "comments"


@dataclass
class Context:
    """One per app; `start()` runs in the lifespan after the runtime opened."""

    runtime: Runtime
    settings: Settings
    repo: Repository = field(init=False)
    _pepper: bytes = b""

    def __post_init__(self) -> None:
        self.repo = Repository(self.runtime.db)

    async def start(self) -> None:
        await self.repo.ensure_indexes()
        configured = self.settings.email_pepper
        value = configured.get_secret_value() if configured else await self.repo.pepper()
        self._pepper = value.encode()
        # Build the character tables and compile the stored word list now, not in a request.
        (await self.policy()).word_list().find("")

    def keyed(self, kind: str, value: str) -> str:
        """Salted hash (HMAC) of an email, IP or reader key; never published."""
        return hmac.new(self._pepper, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    async def policy(self) -> Policy:
        """The current policy, read per request so an admin's change applies at once."""
        return Policy.model_validate(await self.repo.policy())


def page_cursor(cursor: str | None) -> list[Any] | None:
    """The sort key of a list cursor; 400 when the client made it up."""
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor)
    except ValueError:
        raise ApiError(
            400,
            "invalid_cursor",
            "The cursor is not valid.",
            "المؤشر غير صالح.",
            {"cursor": "invalid"},
        ) from None
