"""What `localapi serve` reads to restart on a DynamoDB that outlived it, to override
environment variables (`--env-vars`, as sam local), and to arm a crash point."""

from __future__ import annotations

from pathlib import Path

import pytest

from localapi import faults
from localapi.sandbox import previous_sandbox, write_credentials
from localapi.server import functions_environment, local_overrides, with_env_vars
from localapi.template import Template, load_template

OVERRIDES = local_overrides("local-table", "c" * 40, "k" * 40)


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template()


@pytest.fixture(scope="module")
def function_env(template: Template) -> dict[str, str]:
    return functions_environment(template, OVERRIDES)


def test_env_vars_parameters_override_every_function(
    template: Template, function_env: dict[str, str]
) -> None:
    out = with_env_vars(template, function_env, {"Parameters": {"IDEMPOTENCY_LEASE_SECONDS": 3}})
    assert out == {**function_env, "IDEMPOTENCY_LEASE_SECONDS": "3"}
    assert function_env["IDEMPOTENCY_LEASE_SECONDS"] == "30"  # the input is left as it was


def test_env_vars_of_one_function(template: Template, function_env: dict[str, str]) -> None:
    function = next(iter(template.functions()))
    out = with_env_vars(template, function_env, {function: {"IDEMPOTENCY_LEASE_SECONDS": "5"}})
    assert out["IDEMPOTENCY_LEASE_SECONDS"] == "5"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"Parameters": {"NO_SUCH_VARIABLE": "1"}}, "no function declares the variable NO_SUCH_VARIABLE"),
        ({"NoSuchFunction": {"IDEMPOTENCY_LEASE_SECONDS": "1"}}, "neither Parameters nor a function"),
        ({"Parameters": ["IDEMPOTENCY_LEASE_SECONDS"]}, "must map variable names to values"),
        (["Parameters"], "holds a JSON object"),
    ],
)
def test_env_vars_refused(
    template: Template, function_env: dict[str, str], document: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        with_env_vars(template, function_env, document)


def test_env_vars_one_value_per_variable(template: Template, function_env: dict[str, str]) -> None:
    function = next(iter(template.functions()))
    document = {
        "Parameters": {"IDEMPOTENCY_LEASE_SECONDS": "3"},
        function: {"IDEMPOTENCY_LEASE_SECONDS": "4"},
    }
    with pytest.raises(ValueError, match="set IDEMPOTENCY_LEASE_SECONDS differently"):
        with_env_vars(template, function_env, document)


def test_a_restart_reuses_the_credentials_of_the_same_endpoint_and_table(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.json"
    assert previous_sandbox(path, "t", "http://127.0.0.1:8001") is None  # no file yet
    write_credentials(path, {"dynamodbEndpoint": "http://127.0.0.1:8001", "tableName": "t", "apiKey": "x"})
    assert previous_sandbox(path, "t", "http://127.0.0.1:8001") == {
        "dynamodbEndpoint": "http://127.0.0.1:8001",
        "tableName": "t",
        "apiKey": "x",
    }
    assert previous_sandbox(path, "t", "http://127.0.0.1:8002") is None
    assert previous_sandbox(path, "other", "http://127.0.0.1:8001") is None


def test_crash_point_from_the_environment() -> None:
    assert faults.boundary_from_environment({}) is None
    assert faults.boundary_from_environment({faults.ENV: " "}) is None
    assert faults.boundary_from_environment({faults.ENV: "after-commit"}) == "after-commit"
    with pytest.raises(ValueError, match="expected one of after-claim, after-commit, before-response"):
        faults.boundary_from_environment({faults.ENV: "after-lunch"})
