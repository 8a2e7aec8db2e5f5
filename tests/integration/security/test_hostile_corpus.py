"""A hostile-input corpus replayed against every documented endpoint of the three services
(admin token, so requests get past auth): deep nesting, huge numbers, invalid UTF-8, lone
surrogates, bidi overrides, 10k-character path segments, negative and huge limits. No 5xx,
and every error in the one shape with a request id."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from tests.conftest import ADMIN
from tests.integration.security.conftest import Stack

TEXTS = [
    "x" * 10_000,
    "ب" * 5_000,
    "\u202eevil\u202c\u2066",
    "\u0000nul",
    "$where",
    "../../etc/passwd",
    "😀" * 100,
    " ",
]
RAW_SEGMENTS = ["%ED%A0%80", "%FF%FE", "%C0%AF", "%00", "%2F%2E%2E"]  # sent as they are
NUMBERS = [-1, 0, 10**30, -(10**30), "1e309", "NaN", "-0", "9" * 400]
BODIES: list[bytes] = [
    b"[" * 5_000 + b"]" * 5_000,
    b'{"a":' * 300 + b"1" + b"}" * 300,
    b'{"body": "\xff\xfe\xfd"}',
    b"\xef\xbb\xbf{}",
    b'{"text": "\\ud800"}',
    b'{"n": 1e400, "m": -1e400, "k": ' + b"9" * 5_000 + b"}",
    b'{"s": "' + "\u202e".encode() * 1000 + b'"}',
    b"null",
    b'"just a string"',
    b"[]",
    b"1" * 10_000,
]
HEADERS = [
    {"X-Request-ID": "x" * 10_000},
    {"X-Request-ID": "bad id\r"},
    {"Accept-Language": "ar;q=" + "9" * 500},
    {"If-Match": '"' + "9" * 500 + '"'},
    {"If-Match": '"-1"'},
    {"X-Forwarded-For": "1" * 10_000},
    {"Content-Type": "application/json; charset=latin-1"},
]


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def filled(doc: dict[str, Any], schema: dict[str, Any], leaf: Any, depth: int = 0) -> Any:
    """A body shaped like the schema whose every string (and number) is `leaf`."""
    schema = _resolve(doc, schema)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        non_null = [o for o in options if o.get("type") != "null"] or options
        return filled(doc, non_null[0], leaf, depth)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        return {k: filled(doc, v, leaf, depth + 1) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [filled(doc, schema.get("items", {}), leaf, depth + 1)] if depth <= 4 else []
    if kind in ("integer", "number"):
        return leaf if not isinstance(leaf, str) else 10**30
    if kind == "boolean":
        return leaf if not isinstance(leaf, str) else "true"
    return leaf if isinstance(leaf, str) else str(leaf)


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def requests_for(doc: dict[str, Any], method: str, path: str, op: dict[str, Any]):  # type: ignore[no-untyped-def]
    names = re.findall(r"\{(\w+)\}", path)
    plain = re.sub(r"\{\w+\}", "nosuch", path)
    for segment in [quote(t, safe="") for t in TEXTS] + RAW_SEGMENTS:
        for name in names:
            yield path.replace("{" + name + "}", segment).replace("{", "").replace("}", ""), {}, {}
    for param in op.get("parameters", []):
        if param["in"] != "query":
            continue
        for value in [*NUMBERS, *TEXTS[:4]]:
            yield plain, {param["name"]: str(value)}, {}
        yield f"{plain}?{param['name']}=%FF%FE", {}, {}
    for headers in HEADERS:
        yield plain, {}, {"headers": headers}
    if method in ("POST", "PUT", "PATCH"):
        for raw in BODIES:
            yield plain, {}, {"content": raw}
        content = op.get("requestBody", {}).get("content", {}).get("application/json")
        if content:
            for leaf in [*TEXTS[:4], "\ud800", "ok", 10**30, -(10**30), 1e308, None]:
                body = filled(doc, content["schema"], leaf)
                yield plain, {}, {"content": json.dumps(body).encode()}
            yield plain, {}, {"content": b'{"x": "\\udc00\\ud800"}'}


async def test_hostile_corpus_gives_no_5xx_anywhere(stack: Stack):
    sent, failures = 0, []
    for service, app in stack.apps.items():
        doc = app.openapi()
        client = stack.clients[service]
        for method, path, op in operations(doc):
            for url, params, extra in requests_for(doc, method, path, op):
                headers = {**ADMIN, "Content-Type": "application/json"}
                headers.update(extra.pop("headers", {}))
                response = await client.request(
                    method, url, params=params, headers=headers, **extra
                )
                sent += 1
                peer_down = response.status_code == 503 and "peer_unavailable" in response.text
                if response.status_code >= 500 and not peer_down:  # no peer runs in this test
                    failures.append((service, method, url[:120], params, response.text[:200]))
                elif response.status_code >= 400 and "/metrics" not in url:
                    body = response.json()
                    assert set(body["error"]) == {"code", "message", "message_ar", "fields"}
                    assert response.headers.get("x-request-id"), url[:120]
    assert not failures, failures[:10]
    assert sent > 1000
