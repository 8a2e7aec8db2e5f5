"""Writers and readers, known only by salted hashes: HMAC keys of emails, IPs and reader keys,
and the per-client hourly limits counted under the IP's key."""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol


class Limiter(Protocol):
    """Counts hits per (scope, client) in a window; raises the 429 past the limit."""

    async def check(self, scope: str, client: str, *, limit: int, window_s: int) -> None: ...


class Clients:
    """The HMAC key (pepper) is set once the service started (it may be stored in MongoDB)."""

    def __init__(self, limiter: Limiter, pepper: bytes = b"") -> None:
        self.limiter = limiter
        self.pepper = pepper

    def key(self, kind: str, value: str) -> str:
        """Salted hash (HMAC) of an email, IP or reader key; never published."""
        return hmac.new(self.pepper, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    def ip_key(self, client_ip: str | None) -> str | None:
        return self.key("ip", client_ip) if client_ip else None

    async def limit(self, scope: str, client_ip: str | None, per_hour: int) -> None:
        """429 when this client (by IP hash) went past `per_hour` hits of `scope`."""
        if client_ip:
            await self.limiter.check(
                scope, self.key("ip", client_ip), limit=per_hour, window_s=3600
            )
