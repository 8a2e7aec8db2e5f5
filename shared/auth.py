"""Bearer tokens mapped to roles (AKHBAR_TOKENS="token:role[:name],...")."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.errors import ApiError

ROLES = ("editor", "moderator", "admin")
# Declares the bearer scheme in OpenAPI (so /docs can send a token); checking stays ours.
bearer = HTTPBearer(auto_error=False, description="AKHBAR_TOKENS token: editor/moderator/admin")
Credentials = HTTPAuthorizationCredentials | None


@dataclass(frozen=True)
class Principal:
    role: str
    name: str  # shown in audit records; never the token itself

    def has(self, role: str) -> bool:
        return self.role == role or self.role == "admin"


def parse_tokens(spec: str) -> dict[str, Principal]:
    """Parse the token spec; an unknown role is a configuration error."""
    table: dict[str, Principal] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        token, _, rest = item.partition(":")
        role, _, name = rest.partition(":")
        if not token or role not in ROLES:
            raise ValueError(
                "AKHBAR_TOKENS entries must be token:role[:name] with role in " + "/".join(ROLES)
            )
        digest = hashlib.sha256(token.encode()).hexdigest()[:8]
        table[token] = Principal(role=role, name=name or f"{role}-{digest}")
    return table


def authenticate(table: dict[str, Principal], header: str | None) -> Principal | None:
    """The principal for an `Authorization: Bearer` header, compared in constant time."""
    if not header or not header.lower().startswith("bearer "):
        return None
    given = header[7:].strip().encode()
    found = None
    for token, principal in table.items():
        if hmac.compare_digest(token.encode(), given):
            found = principal
    return found


def _unauthorized() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "A valid bearer token is required.",
        "يلزم رمز دخول صالح.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def require(role: str) -> Callable[[Request], Coroutine[Any, Any, Principal]]:
    """A dependency that admits `role` (and admin); 401 without a valid token, 403 otherwise."""

    async def dependency(request: Request, _: Credentials = Depends(bearer)) -> Principal:  # noqa: B008
        principal = authenticate(request.app.state.tokens, request.headers.get("authorization"))
        if principal is None:
            raise _unauthorized()
        if not principal.has(role):
            raise ApiError(
                403, "forbidden", f"This needs the {role} role.", "لا تملك الصلاحية اللازمة."
            )
        return principal

    dependency.required_role = role  # type: ignore[attr-defined]  # read by shared.openapi
    return dependency


async def optional_principal(
    request: Request,
    _: Credentials = Depends(bearer),  # noqa: B008
) -> Principal | None:
    """The caller's principal when a valid token is sent; None for the public."""
    return authenticate(request.app.state.tokens, request.headers.get("authorization"))
