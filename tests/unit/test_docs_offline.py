"""/docs and /redoc work offline: every asset they reference is served by the service itself."""

from __future__ import annotations

import importlib
import re

import pytest
from fastapi.testclient import TestClient

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\s*:\s*['"]([^'"]+)['"]""")


@pytest.mark.parametrize("name", ["articles", "comments", "related"])
@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_reference_only_local_assets_and_they_are_served(name, page):
    app = importlib.import_module(f"services.{name}.main").create_app()
    client = TestClient(app)  # no lifespan: the docs need no database
    html = client.get(page)
    assert html.status_code == 200 and "text/html" in html.headers["content-type"]
    assert not re.search(r"(?:src|href)=[\"']https?://", html.text), "a remote asset"
    assert "cdn" not in html.text.lower() and "fonts.googleapis" not in html.text
    assets = [a or b for a, b in ASSET.findall(html.text)]
    scripts = [a for a in assets if a.endswith(".js")]
    assert scripts, html.text
    for asset in assets:
        assert asset.startswith("/"), asset
        served = client.get(asset)
        assert served.status_code == 200, asset
        if asset.endswith((".js", ".css")):
            assert len(served.content) > 50_000, asset  # the real bundle, not a placeholder
    assert client.get("/openapi.json").json()["info"]["title"]
