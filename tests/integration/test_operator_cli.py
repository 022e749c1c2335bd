"""The operator CLI onboards a partner whose key then works against the handlers."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from operator_cli import main as operator_main
from operator_cli.main import app
from partner_sdk import signing
from tests.integration.conftest import TABLE
from tests.support.harness import Partner, call

runner = CliRunner()


def run(*args: str) -> Any:
    result = runner.invoke(app, ["--table", TABLE, *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_onboard_sign_rotate_and_revoke(aws: Any, tmp_path: Any) -> None:
    private = signing.generate_private_key("ed25519")
    key_file = tmp_path / "partner.pub.pem"
    key_file.write_text(signing.public_key_pem(private))
    created = run(
        "partner",
        "create",
        "--name",
        "Acme Ramp",
        "--mode",
        "live",
        "--public-key-file",
        str(key_file),
        "--json",
    )
    assert created["apiKey"].startswith("sk_live_")
    assert created["signingKeyId"].startswith("sig_")
    partner = Partner(
        created["tenantId"], created["apiKey"], created["apiKeyId"], created["signingKeyId"], private
    )
    assert call("signing_keys/list", "GET", "/v1/signing-keys", partner=partner).status == 200

    listed = run("key", "list", "--tenant", created["tenantId"], "--json")
    assert [k["id"] for k in listed] == [created["apiKeyId"]]
    assert "apiKey" not in listed[0] and created["apiKey"] not in json.dumps(listed)

    run(
        "key",
        "scopes",
        "--tenant",
        created["tenantId"],
        created["apiKeyId"],
        "--scope",
        "customers:read",
        "--json",
    )
    reply = call("signing_keys/list", "GET", "/v1/signing-keys", partner=partner)
    assert (reply.status, reply.code) == (403, "scope_missing")

    revoked = run("key", "revoke", "--tenant", created["tenantId"], created["apiKeyId"], "--json", "--yes")
    assert revoked["status"] == "revoked"
    reply = call("signing_keys/list", "GET", "/v1/signing-keys", partner=partner)
    assert (reply.status, reply.code) == (401, "api_key_revoked")


def test_optional_signatures_only_in_test_mode(aws: Any) -> None:
    created = run("partner", "create", "--name", "Live Co", "--mode", "live", "--json")
    result = runner.invoke(
        app,
        ["--table", TABLE, "key", "policy", "--tenant", created["tenantId"], created["apiKeyId"], "optional"],
    )
    assert result.exit_code == 1
    assert "sandbox" in result.output


def test_unknown_scope_is_refused(aws: Any) -> None:
    result = runner.invoke(app, ["--table", TABLE, "partner", "create", "--name", "X", "--scope", "root"])
    assert result.exit_code == 1
    assert "unknown scopes" in result.output


def test_revoke_asks_first_and_without_a_terminal_needs_yes(
    aws: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = run("partner", "create", "--name", "Careful Ramp", "--json")
    tenant, key_id = created["tenantId"], created["apiKeyId"]

    def status() -> str:
        return {k["id"]: k["status"] for k in run("key", "list", "--tenant", tenant, "--json")}[key_id]

    revoke = ["--table", TABLE, "key", "revoke", "--tenant", tenant, key_id]
    refused = runner.invoke(app, revoke)
    assert refused.exit_code == 2 and "--yes" in refused.output
    monkeypatch.setattr(operator_main, "stdin_is_terminal", lambda: True)
    declined = runner.invoke(
        app, ["--table", TABLE, "key", "revoke", "--tenant", tenant, key_id], input="n\n"
    )
    assert declined.exit_code == 1 and "cannot be undone" in declined.output
    assert status() == "active"
    accepted = runner.invoke(
        app, ["--table", TABLE, "key", "revoke", "--tenant", tenant, key_id], input="y\n"
    )
    assert accepted.exit_code == 0, accepted.output
    assert status() == "revoked"


def test_the_api_key_and_ids_print_whole_at_80_columns(aws: Any) -> None:
    """The key shown once is printed on a line of its own, whole; tables never cut an id."""
    created = runner.invoke(
        app, ["--table", TABLE, "partner", "create", "--name", "Narrow"], env={"COLUMNS": "80"}
    )
    assert created.exit_code == 0, created.output
    (line,) = [line for line in created.output.splitlines() if line.startswith("apiKey (shown once")]
    key = line.rsplit(" ", 1)[-1]
    assert re.fullmatch(r"sk_test_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}", key), line
    assert "…" not in created.output
    tenant = re.search(r"ptn_[0-9A-Z]{26}", created.output)
    assert tenant is not None
    listed = runner.invoke(
        app, ["--table", TABLE, "key", "list", "--tenant", tenant.group()], env={"COLUMNS": "80"}
    )
    assert listed.exit_code == 0, listed.output
    assert re.search(r"key_[0-9A-Z]{26}", listed.output) and "…" not in listed.output
