"""Writers and readers, known only by salted hashes: HMAC keys of emails, IPs and reader keys,
and the per-client hourly limits counted under the IP's key."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Protocol


class Limiter(Protocol):
    """Counts hits per (scope, client) in a window; raises the 429 past the limit."""

    async def check(self, scope: str, client: str, *, limit: int, window_s: int) -> None: ...


@dataclass(frozen=True)
class Writer:
    """Who writes a comment, as stored: the email (lower-cased) and the keys of it and the IP."""

    email: str | None
    email_hash: str | None
    ip_key: str | None

    def flood_keys(self) -> list[str]:
        """The flood-control keys: the email's and the IP's, where known."""
        keys = [f"e:{self.email_hash}"] if self.email_hash else []
        return keys + ([f"i:{self.ip_key}"] if self.ip_key else [])


class Clients:
    """Keys and limits per client. `per_hour` caps each scope's hits (0: no limit); the HMAC
    key (pepper) is set once the service started (it may be stored in MongoDB)."""

    def __init__(self, limiter: Limiter, per_hour: dict[str, int], pepper: bytes = b"") -> None:
        self.limiter = limiter
        self.per_hour = per_hour
        self.pepper = pepper

    def key(self, kind: str, value: str) -> str:
        """Salted hash (HMAC) of an email, IP or reader key; never published."""
        return hmac.new(self.pepper, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def writer(self, email: str | None, client_ip: str | None) -> Writer:
        email = email.lower() if email else None
        return Writer(
            email=email,
            email_hash=self.key("email", email) if email else None,
            ip_key=self.key("ip", client_ip) if client_ip else None,
        )

    async def limit(self, scope: str, client_ip: str | None) -> None:
        """429 when this client (by IP hash) went past the hourly hits of `scope`."""
        if client_ip:
            client, per_hour = self.key("ip", client_ip), self.per_hour.get(scope, 0)
            await self.limiter.check(scope, client, limit=per_hour, window_s=3600)
