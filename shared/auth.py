"""Bearer tokens mapped to roles (AKHBAR_TOKENS="token:role[:name],...").

FastAPI's `HTTPBearer` reads the `Authorization` header (and declares the scheme in OpenAPI,
so /docs can send a token); the token table and the 401/403 answers in the error shape are
ours. Routes take the `Annotated` aliases at the bottom (`Editor`, `Moderator`, `Admin`,
`Viewer`), re-exported by each service's `deps.py`.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.errors import ApiError

ROLES = ("editor", "moderator", "admin")
bearer = HTTPBearer(auto_error=False, description="AKHBAR_TOKENS token: editor/moderator/admin")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


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


def principal_of(
    table: dict[str, Principal], credentials: HTTPAuthorizationCredentials | None
) -> Principal | None:
    """The principal whose token the bearer credentials carry, compared in constant time."""
    if credentials is None:
        return None
    given = credentials.credentials.encode()
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


def authorize(
    request: Request, credentials: HTTPAuthorizationCredentials | None, role: str
) -> Principal:
    """The caller if it holds `role` (or admin); 401 without a valid token, 403 otherwise."""
    principal = principal_of(request.app.state.tokens, credentials)
    if principal is None:
        raise _unauthorized()
    if not principal.has(role):
        raise ApiError(
            403, "forbidden", f"This needs the {role} role.", "لا تملك الصلاحية اللازمة."
        )
    return principal


class RoleRequired:
    """A dependency that admits `role` (and admin); `required_role` is read by shared.openapi."""

    def __init__(self, role: str) -> None:
        self.required_role = role

    async def __call__(self, request: Request, credentials: Credentials) -> Principal:
        return authorize(request, credentials, self.required_role)


def require(role: str) -> RoleRequired:
    """A dependency that admits `role` (and admin); 401 without a valid token, 403 otherwise."""
    return RoleRequired(role)


async def optional_principal(request: Request, credentials: Credentials) -> Principal | None:
    """The caller's principal when a valid token is sent; None for the public."""
    return principal_of(request.app.state.tokens, credentials)


Editor = Annotated[Principal, Depends(require("editor"))]
Moderator = Annotated[Principal, Depends(require("moderator"))]
Admin = Annotated[Principal, Depends(require("admin"))]
Viewer = Annotated[Principal | None, Depends(optional_principal)]
