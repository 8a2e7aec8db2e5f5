"""OpenAPI that tells the truth about errors, applied once when a service's routes are set.

Every operation lists the error statuses it can answer with the real error model
(`{"error": {...}}`): the ones the shared plumbing adds (body guard, validation, auth,
cursors, path lookups, 500) are derived from the route itself; a service names the few
domain ones (409, 412, 429...) per endpoint function in one table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from shared.errors import ErrorBody

WRITE_METHODS = {"POST", "PUT", "PATCH"}
REF = "#/components/schemas/"
_DESCRIPTIONS = {
    400: "Malformed request: invalid JSON, nesting too deep, invalid text or cursor",
    401: "Missing or invalid bearer token",
    403: "The token's role may not do this",
    404: "Not found",
    409: "Conflict with the current state",
    412: "The If-Match version is stale",
    413: "The request body is too large",
    415: "The request body is not JSON",
    422: "Some fields are missing or invalid (named in `fields`)",
    429: "Too many requests (see Retry-After)",
    500: "Unexpected failure (the request id is in X-Request-ID)",
    503: "The database is unreachable; retry (see Retry-After)",
}


def _dependencies(dependant: Dependant) -> Iterable[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def requires_role(route: Any) -> bool:
    """Whether a dependency of the route admits a role only (a token is then required)."""
    return any(getattr(sub.call, "required_role", None) for sub in _dependencies(route.dependant))


def derived_errors(route: Any) -> set[int]:
    """The error statuses the shared plumbing can give this route."""
    statuses = {500}
    dependant: Dependant = route.dependant
    subs = list(_dependencies(dependant))
    params = [*dependant.path_params, *dependant.query_params, *dependant.header_params]
    for sub in subs:
        params += [*sub.path_params, *sub.query_params, *sub.header_params]
    if set(route.methods) & WRITE_METHODS:
        statuses |= {400, 413, 415, 422}  # the JSON body guard sees every write
    if params or dependant.body_params:
        statuses.add(422)
    if dependant.path_params:
        statuses.add(404)
    if any(p.name == "cursor" for p in params):
        statuses.add(400)
    if requires_role(route):
        statuses |= {401, 403}
    return statuses


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"{REF}ErrorBody"}}},
    }
    if status in (429, 503):
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
        }
    return response


def _patch(schema: dict[str, Any], app: FastAPI, extra: Mapping[str, Iterable[int]]) -> None:
    paths = schema.get("paths", {})
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        endpoint, methods = context.endpoint, context.methods or set()
        if dependant is None or endpoint is None or not context.include_in_schema:
            continue
        statuses = derived_errors(context) | set(extra.get(endpoint.__name__, ()))
        for method in methods:
            operation = paths.get(context.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            if operation.get("security") and not requires_role(context):
                operation["security"] = [*operation["security"], {}]  # the token is optional
            for status in sorted(statuses):
                responses[str(status)] = _error_response(status)
            responses.setdefault("503", _error_response(503))  # kept: readiness has its own
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in (
        ErrorBody.model_json_schema(ref_template=REF + "{model}").pop("$defs", {}).items()
    ):
        components[name] = definition
    components["ErrorBody"] = {
        k: v
        for k, v in ErrorBody.model_json_schema(ref_template=REF + "{model}").items()
        if k != "$defs"
    }
    if "HTTPValidationError" not in json.dumps(paths):
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)


def document_errors(app: FastAPI, extra: Mapping[str, Iterable[int]] | None = None) -> None:
    """Make app.openapi() declare each operation's error responses with ErrorBody."""
    table = dict(extra or {})
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            _patch(schema, app, table)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
