"""The launcher's environment for the services behind its gateway."""

from __future__ import annotations

from scripts.up import gateway_env


def test_comments_trust_the_gateways_forwarded_address_only_when_a_gateway_runs():
    assert gateway_env({}, "/usr/sbin/nginx")["COMMENTS_TRUST_PROXY"] == "true"
    assert "COMMENTS_TRUST_PROXY" not in gateway_env({}, None)
    chosen = {"COMMENTS_TRUST_PROXY": "false"}
    assert gateway_env(chosen, "/usr/sbin/nginx")["COMMENTS_TRUST_PROXY"] == "false"
