"""Issue 13, item 8 and the access matrix: the OpenAPI documents describe the errors and the
security scheme, and every documented route answers no / malformed / wrong-role / right-role
credentials as its row in ACCESS says (a route without a row fails the test)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import ADMIN, EDITOR, MODERATOR
from tests.integration.security.conftest import Stack

PUBLIC = "public"
# (service, METHOD, path template) -> the role it needs, or PUBLIC.
ACCESS: dict[tuple[str, str, str], str] = {
    **{
        (s, "GET", p): PUBLIC
        for s in ("articles", "comments", "related")
        for p in ("/health/live", "/health/ready", "/metrics", "/asyncapi.json")
    },
    ("articles", "POST", "/articles"): "editor",
    ("articles", "GET", "/articles"): PUBLIC,
    ("articles", "GET", "/articles/{article_id}"): PUBLIC,
    ("articles", "PATCH", "/articles/{article_id}"): "editor",
    ("articles", "DELETE", "/articles/{article_id}"): "editor",
    ("articles", "POST", "/articles/{article_id}/publish"): "editor",
    ("articles", "POST", "/articles/{article_id}/unpublish"): "editor",
    ("articles", "POST", "/articles/{article_id}/archive"): "editor",
    ("articles", "POST", "/articles/{article_id}/schedule"): "editor",
    ("articles", "GET", "/categories"): PUBLIC,
    ("articles", "POST", "/categories"): "editor",
    ("articles", "DELETE", "/categories/{slug}"): "editor",
    ("articles", "GET", "/internal/articles"): PUBLIC,  # internal: not routed by the gateway
    ("comments", "POST", "/articles/{article_id}/comments"): PUBLIC,
    ("comments", "GET", "/articles/{article_id}/comments"): PUBLIC,
    ("comments", "POST", "/comments/{comment_id}/report"): PUBLIC,
    ("comments", "GET", "/moderation/queue"): "moderator",
    ("comments", "POST", "/moderation/comments/bulk"): "moderator",
    ("comments", "POST", "/moderation/comments/{comment_id}/reject"): "moderator",
    **{
        ("comments", "POST", f"/moderation/comments/{{comment_id}}/{action}"): "moderator"
        for action in ("approve", "spam", "restore")
    },
    ("comments", "GET", "/moderation/comments/{comment_id}/history"): "moderator",
    ("comments", "GET", "/moderation/bans"): "moderator",
    ("comments", "POST", "/moderation/bans"): "moderator",
    ("comments", "DELETE", "/moderation/bans/{ban_id}"): "moderator",
    ("comments", "PUT", "/moderation/articles/{article_id}/premoderation"): "moderator",
    ("comments", "GET", "/moderation/me"): "moderator",
    ("comments", "GET", "/moderation/words/suggest"): "moderator",
    ("comments", "GET", "/moderation/counts"): "moderator",
    ("comments", "GET", "/moderation/changes"): "moderator",
    ("comments", "GET", "/moderation/settings/schema"): "admin",
    ("comments", "POST", "/moderation/settings/test"): "moderator",
    ("comments", "GET", "/moderation/settings"): "admin",
    ("comments", "PUT", "/moderation/settings"): "admin",
    ("related", "GET", "/articles/{key}/related"): PUBLIC,
    ("related", "GET", "/search"): PUBLIC,
    ("articles", "GET", "/tags"): PUBLIC,
    ("related", "POST", "/admin/rebuild"): "admin",
    ("articles", "POST", "/admin/outbox/replay"): "admin",
    ("comments", "POST", "/admin/outbox/replay"): "admin",
    ("related", "POST", "/admin/outbox/replay"): "admin",
    ("articles", "POST", "/admin/recover"): "admin",
    ("comments", "POST", "/admin/recover"): "admin",
    ("related", "POST", "/admin/recover"): "admin",
    ("articles", "POST", "/admin/rebuild/comment-counts"): "admin",
    ("articles", "POST", "/admin/reemit"): "admin",
    ("comments", "POST", "/admin/rebuild/articles"): "admin",
    ("comments", "GET", "/internal/comment-counts"): PUBLIC,  # internal: not routed by the gateway
    ("related", "GET", "/admin/rebuild/{job_id}"): "admin",
}
TOKENS = {"editor": EDITOR, "moderator": MODERATOR, "admin": ADMIN}
WRONG = {"editor": MODERATOR, "moderator": EDITOR, "admin": MODERATOR}
MALFORMED = [
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer not-a-token"},
    {"Authorization": "Basic ZWQtdG9rZW46"},
    {"Authorization": "ed-token"},
    {"Authorization": "Bearer ed-token\u202e".encode()},  # type: ignore[dict-item]
]
PATH_VALUES = {"action": "approve"}


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "nosuch"), path)


async def test_every_documented_route_has_a_row_and_every_row_a_route(stack: Stack):
    documented = {
        (service, method, path)
        for service, app in stack.apps.items()
        for method, path, _ in operations(app.openapi())
    }
    assert documented - set(ACCESS) == set(), "routes without a row in ACCESS"
    assert set(ACCESS) - documented == set(), "rows for routes that no longer exist"


async def test_access_matrix(stack: Stack):
    for (service, method, path), role in ACCESS.items():
        client = stack.clients[service]
        url = concrete(path)
        body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}

        async def call(headers: dict[str, str], c=client, m=method, u=url, b=body):  # type: ignore[no-untyped-def]
            return await c.request(m, u, headers=headers, **b)

        if role == PUBLIC:
            response = await call({})
            assert response.status_code not in (401, 403), (method, path, response.text)
            continue
        none = await call({})
        assert none.status_code == 401, (method, path, none.text)
        assert none.headers.get("www-authenticate") == "Bearer"
        for headers in MALFORMED:
            assert (await call(headers)).status_code == 401, (method, path, headers)
        wrong = await call(WRONG[role])
        assert wrong.status_code == 403, (method, path, wrong.text)
        assert wrong.json()["error"]["code"] == "forbidden"
        right = await call(TOKENS[role])
        if right.status_code == 503:  # a repair whose peer service is not running in this test
            assert right.json()["error"]["code"] == "peer_unavailable", (method, path)
            continue
        assert right.status_code not in (401, 403) and right.status_code < 500, (
            method,
            path,
            right.text,
        )
        if role != "admin":
            admin = await call(ADMIN)
            assert admin.status_code not in (401, 403), (method, path, admin.text)


async def test_openapi_documents_the_errors_and_the_bearer_scheme(stack: Stack):
    for service, app in stack.apps.items():
        doc = app.openapi()
        schemes = doc["components"]["securitySchemes"]
        assert schemes["HTTPBearer"] == {
            **schemes["HTTPBearer"],
            "type": "http",
            "scheme": "bearer",
        }
        assert "HTTPValidationError" not in json.dumps(doc), service
        error_model = doc["components"]["schemas"]["ErrorBody"]
        assert error_model["required"] == ["error"]
        for method, path, op in operations(doc):
            responses = op["responses"]
            errors = {int(s) for s in responses if int(s) >= 400}
            assert 500 in errors, (service, method, path)
            for status in errors - ({503} if path == "/health/ready" else set()):
                schema = responses[str(status)]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}
            role = ACCESS[(service, method, path)]
            if role != PUBLIC:
                assert {401, 403} <= errors and op["security"] == [{"HTTPBearer": []}]
            if op.get("parameters") or op.get("requestBody"):
                assert 422 in errors, (service, method, path)
            if method in ("POST", "PUT", "PATCH"):
                assert {400, 413, 415} <= errors, (service, method, path)
            if any(p["name"] == "cursor" for p in op.get("parameters", [])):
                assert 400 in errors


@pytest.mark.parametrize(
    ("service", "method", "path", "allowed"),
    [
        ("articles", "PUT", "/articles", {"GET", "POST"}),
        ("articles", "POST", "/articles/x", {"GET", "PATCH", "DELETE"}),
        ("comments", "DELETE", "/articles/a/comments", {"GET", "POST"}),
        ("comments", "PATCH", "/moderation/bans", {"GET", "POST"}),
    ],
)
async def test_405_names_every_allowed_method(stack: Stack, service, method, path, allowed):
    response = await stack.clients[service].request(method, path)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert allowed <= {m.strip() for m in response.headers["allow"].split(",")}
    assert response.headers.get("x-request-id")
