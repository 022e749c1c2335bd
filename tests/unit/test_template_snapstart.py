"""template.yaml as CloudFormation receives it (SAM's transform, tests/support/sam_transform.py),
with the SnapStart parameter off and on: every function published behind its `live`
alias, which the HTTP API and the event sources invoke; SnapStart on each function only
when the parameter says so; a new version of every function when DEPLOY_DIGEST changes;
and the stack within CloudFormation's 500 resources."""

from __future__ import annotations

import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SAM_PYTHON = REPO / ".venv-sam" / "bin" / "python"
SECRETS = {"CursorSecret": "c" * 40, "KycSandboxSecret": "k" * 40}
CLOUDFORMATION_RESOURCE_LIMIT = 500

pytestmark = pytest.mark.skipif(
    not SAM_PYTHON.exists(), reason="SAM's virtualenv is built by `make template` (make test runs it)"
)


@cache
def _transformed(template: Path, snapstart: str) -> dict[str, Any]:
    arguments = [f"{k}={v}" for k, v in {**SECRETS, "SnapStart": snapstart}.items()]
    out = subprocess.run(
        [str(SAM_PYTHON), str(REPO / "tests/support/sam_transform.py"), str(template), *arguments],
        capture_output=True,
        text=True,
        check=True,
        env={"AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"},
    )
    resources: dict[str, Any] = json.loads(out.stdout)["Resources"]
    return resources


def _of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def _snapstart(function: dict[str, Any], on: bool) -> Any:
    """A function's SnapStart with the template's one condition resolved."""
    value = function["Properties"].get("SnapStart")
    if isinstance(value, dict) and "Fn::If" in value:
        condition, when_on, when_off = value["Fn::If"]
        assert condition == "SnapStartOn"
        value = when_on if on else when_off
    return None if value == {"Ref": "AWS::NoValue"} else value


@pytest.mark.parametrize("snapstart", ["off", "on"])
def test_every_function_runs_as_its_live_alias(snapstart: str) -> None:
    resources = _transformed(REPO / "template.yaml", snapstart)
    functions = _of_type(resources, "AWS::Lambda::Function")
    aliases = {
        r["Properties"]["FunctionName"]["Ref"]: name
        for name, r in _of_type(resources, "AWS::Lambda::Alias").items()
    }

    assert set(aliases) == set(functions)
    assert all(resources[a]["Properties"]["Name"] == "live" for a in aliases.values())
    assert len(_of_type(resources, "AWS::Lambda::Version")) == len(functions)
    for function in functions.values():
        expected = {"ApplyOn": "PublishedVersions"} if snapstart == "on" else None
        assert _snapstart(function, snapstart == "on") == expected
    body = next(iter(_of_type(resources, "AWS::ApiGatewayV2::Api").values()))["Properties"]["Body"]
    uris = [
        operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        for path in body["paths"].values()
        for operation in path.values()
    ]
    assert uris and all("Aliaslive}" in uri for uri in uris)
    mappings = _of_type(resources, "AWS::Lambda::EventSourceMapping").values()
    assert mappings and all(m["Properties"]["FunctionName"]["Ref"] in aliases.values() for m in mappings)
    assert len(resources) < CLOUDFORMATION_RESOURCE_LIMIT, len(resources)


def test_a_new_deploy_digest_publishes_a_new_version_of_every_function(tmp_path: Path) -> None:
    text = (REPO / "template.yaml").read_text()
    changed = tmp_path / "template.yaml"
    changed.write_text(text.replace('DEPLOY_DIGEST: "', 'DEPLOY_DIGEST: "changed', 1))
    before = set(_of_type(_transformed(REPO / "template.yaml", "off"), "AWS::Lambda::Version"))
    after = set(_of_type(_transformed(changed, "off"), "AWS::Lambda::Version"))

    assert before and not before & after
