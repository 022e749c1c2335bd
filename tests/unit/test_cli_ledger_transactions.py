"""`partner ledger transactions create|get|list|commit|cancel|revert` and `partner ledger
statement` through typer's CliRunner, the client on an httpx.MockTransport: Midaz's JSON
from --data or a file, the ledger's options, amounts as decimals at their scale, tables
within 80 columns with the ids whole, --json, --all, refusals as exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from partner_sdk.cli import app
from tests.unit.test_cli_ledger import (
    ACCOUNT,
    EXTERNAL,
    LEDGER,
    LEDGER_PATH,
    ORG,
    UNDER_LEDGER,
    Api,
    Pages,
    error,
    is_uuid4,
    runner,
    widest,
)

TRANSACTION = "01932c07-0000-7000-8000-000000000010"
REVERSAL = "01932c07-0000-7000-8000-000000000011"
TRANSACTIONS_PATH = f"{LEDGER_PATH}/transactions"
TRANSACTION_PATH = f"{TRANSACTIONS_PATH}/{TRANSACTION}"
STATEMENT_PATH = f"{LEDGER_PATH}/accounts/{ACCOUNT}/operations"
AT = "2026-02-23T12:00:00Z"
SEND: dict[str, Any] = {
    "asset": "BRL",
    "value": 150,  # 15.00 at scale 1: shown at its own scale
    "scale": 1,
    "source": {"from": [{"account": "@external/BRL", "amount": {"asset": "BRL", "value": 150, "scale": 1}}]},
    "distribute": {"to": [{"account": ACCOUNT, "remaining": "remaining"}]},
}
MIDAZ: dict[str, Any] = {"description": "Deposit", "metadata": {"channel": "pix"}, "send": SEND}


def operation(number: int, kind: str, account: str, alias: str | None, value: int) -> dict[str, Any]:
    return {
        "id": f"01932c07-0000-7000-8000-0000000001{number:02d}",
        "object": "operation",
        "transactionId": TRANSACTION,
        "type": kind,
        "accountId": account,
        "accountAlias": alias,
        "amount": {"asset": "BRL", "value": value, "scale": 2},
        "description": None,
        "createdAt": AT,
    }


DEPOSIT: dict[str, Any] = {
    "id": TRANSACTION,
    "object": "transaction",
    "organizationId": ORG,
    "ledgerId": LEDGER,
    "status": "APPROVED",
    "description": "Deposit",
    "code": None,
    "pending": False,
    "metadata": {"channel": "pix"},
    "send": SEND,
    "operations": [
        operation(1, "DEBIT", EXTERNAL, "@external/BRL", 1500),
        operation(2, "CREDIT", ACCOUNT, None, 1500),
    ],
    "revertedBy": None,
    "createdAt": AT,
    "updatedAt": AT,
}


def rows(output: str) -> dict[str, str]:
    """A details table's (field, value) rows."""
    cells = [[c.strip() for c in line.split("│")] for line in output.splitlines()]
    return {row[1]: row[2] for row in cells if len(row) == 4}


def table_rows(output: str, marker: str) -> list[list[str]]:
    """The cells of every table row holding `marker`."""
    return [[c.strip() for c in line.split("│")][1:-1] for line in output.splitlines() if marker in line]


def test_create_sends_midaz_json_from_a_file_and_shows_it_in_80_columns(tmp_path: Path) -> None:
    path = tmp_path / "transaction.json"
    path.write_text(json.dumps(MIDAZ), encoding="utf-8")
    api = Api(201, DEPOSIT)
    result = api.invoke("transactions", "create", *UNDER_LEDGER, "--data", f"@{path}", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert api.sent() == [("POST", TRANSACTIONS_PATH, MIDAZ)]
    assert is_uuid4(api.requests[0].headers["Idempotency-Key"])
    assert widest(result.stdout) <= 80
    assert result.stdout.startswith("Transaction created")
    shown = rows(result.stdout)
    assert (shown["id"], shown["status"], shown["amount"]) == (TRANSACTION, "APPROVED", "15.0 BRL")
    assert (shown["pending"], shown["metadata"]) == ("False", '{"channel": "pix"}')
    assert "2 operation(s)" in result.stdout
    assert table_rows(result.stdout, "DEBIT") == [["DEBIT", "@external/BRL", "15.00 BRL"]]
    assert table_rows(result.stdout, "CREDIT") == [["CREDIT", ACCOUNT, "15.00 BRL"]]  # no alias: its id


def test_create_takes_inline_json_an_idempotency_key_and_prints_json() -> None:
    api = Api(201, DEPOSIT)
    given = ("--data", json.dumps(MIDAZ), "--idempotency-key", "dep-1", "--json")
    result = api.invoke("transactions", "create", *UNDER_LEDGER, *given)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == DEPOSIT
    assert api.sent() == [("POST", TRANSACTIONS_PATH, MIDAZ)]
    assert api.requests[0].headers["Idempotency-Key"] == "dep-1"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--data"),
        (("--data", "[1]"), "JSON object"),
        (("--data", "{nope"), "not JSON"),
        (("--data", "@/no/such/file.json"), "cannot read"),
        (("--data", '{"description": "x"}'), "send"),
    ],
)
def test_create_refuses_bad_input_with_exit_2(args: tuple[str, ...], message: str) -> None:
    api = Api(201, DEPOSIT)
    result = api.invoke("transactions", "create", *UNDER_LEDGER, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert api.requests == []


def test_a_refused_create_exits_1_with_the_envelope() -> None:
    api = Api(422, error("insufficient_funds", "send.source.from[0].account"))
    result = api.invoke("transactions", "create", *UNDER_LEDGER, "--data", json.dumps(MIDAZ), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "insufficient_funds"
    table = api.invoke("transactions", "create", *UNDER_LEDGER, "--data", json.dumps(MIDAZ))
    assert table.exit_code == 1
    assert (
        table.stdout.splitlines()[0].startswith("HTTP 422 Unprocessable")
        and "insufficient_funds" in table.stdout
    )


def test_get_reads_the_transaction_with_its_operations() -> None:
    reverted = {**DEPOSIT, "revertedBy": REVERSAL}
    api = Api(200, reverted)
    result = api.invoke("transactions", "get", TRANSACTION, *UNDER_LEDGER, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert api.sent() == [("GET", TRANSACTION_PATH, None)]
    assert widest(result.stdout) <= 80
    assert rows(result.stdout)["revertedBy"] == REVERSAL
    as_json = api.invoke("transactions", "get", TRANSACTION, *UNDER_LEDGER, "--json")
    assert json.loads(as_json.stdout) == reverted
    missing = Api(404, error("resource_missing", "transactionId"))
    gone = missing.invoke("transactions", "get", TRANSACTION, *UNDER_LEDGER)
    assert gone.exit_code == 1 and "resource_missing" in gone.stdout


def test_list_fits_80_columns_with_ids_whole_and_follows_every_page() -> None:
    pending = {**DEPOSIT, "id": REVERSAL, "status": "PENDING", "description": "A long description " * 3}
    api = Api(200, {"data": [pending, DEPOSIT], "nextCursor": "c2"})
    table = api.invoke("transactions", "list", *UNDER_LEDGER, "--limit", "2", env={"COLUMNS": "80"})
    assert table.exit_code == 0, table.output
    assert "2 transaction(s)" in table.stdout and "--cursor c2" in table.stdout
    assert widest(table.stdout) <= 80
    assert table_rows(table.stdout, TRANSACTION) == [[TRANSACTION, "APPROVED", "15.0 BRL", "Deposit"]]
    assert table_rows(table.stdout, REVERSAL)[0][:3] == [REVERSAL, "PENDING", "15.0 BRL"]
    pages = Pages(
        {None: {"data": [pending], "nextCursor": "n1"}, "n1": {"data": [DEPOSIT], "nextCursor": None}}
    )
    every = Api(200, pages)
    result = every.invoke("transactions", "list", *UNDER_LEDGER, "--all", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"data": [pending, DEPOSIT], "nextCursor": None}
    both = every.invoke("transactions", "list", *UNDER_LEDGER, "--all", "--cursor", "x")
    assert both.exit_code == 2 and "not both" in both.stderr
    assert [path for _, path, _ in api.sent() + every.sent()] == [
        f"{TRANSACTIONS_PATH}?limit=2",
        TRANSACTIONS_PATH,
        f"{TRANSACTIONS_PATH}?cursor=n1",
    ]


@pytest.mark.parametrize(
    ("action", "title", "status"),
    [
        ("commit", "Transaction committed", "APPROVED"),
        ("cancel", "Transaction canceled", "CANCELED"),
        ("revert", "Reversing transaction created", "APPROVED"),
    ],
)
def test_commit_cancel_and_revert_post_an_empty_body(action: str, title: str, status: str) -> None:
    answered = {**DEPOSIT, "status": status, "id": REVERSAL if action == "revert" else TRANSACTION}
    api = Api(200, answered)
    result = api.invoke("transactions", action, TRANSACTION, *UNDER_LEDGER, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(title) and widest(result.stdout) <= 80
    assert (rows(result.stdout)["id"], rows(result.stdout)["status"]) == (answered["id"], status)
    keyed = api.invoke(
        "transactions", action, TRANSACTION, *UNDER_LEDGER, "--idempotency-key", "k1", "--json"
    )
    assert json.loads(keyed.stdout) == answered
    assert api.sent() == [("POST", f"{TRANSACTION_PATH}/{action}", {})] * 2
    assert is_uuid4(api.requests[0].headers["Idempotency-Key"])
    assert api.requests[1].headers["Idempotency-Key"] == "k1"
    conflict = Api(409, error("state_conflict", "transactionId"))
    again = conflict.invoke("transactions", action, TRANSACTION, *UNDER_LEDGER, "--json")
    assert again.exit_code == 1
    assert json.loads(again.stdout)["error"]["code"] == "state_conflict"


def test_statement_signs_the_amounts_within_80_columns() -> None:
    credit = {**operation(3, "CREDIT", ACCOUNT, "ana", 12345678), "transactionId": REVERSAL}
    debit = operation(4, "DEBIT", ACCOUNT, "ana", 500)
    api = Api(200, {"data": [credit, debit], "nextCursor": "c2"})
    table = api.invoke("statement", ACCOUNT, *UNDER_LEDGER, "--limit", "2", env={"COLUMNS": "80"})
    assert table.exit_code == 0, table.output
    assert "2 operation(s)" in table.stdout and "--cursor c2" in table.stdout
    assert widest(table.stdout) <= 80
    assert table_rows(table.stdout, REVERSAL) == [[AT, REVERSAL, "+123456.78 BRL"]]
    assert table_rows(table.stdout, TRANSACTION) == [[AT, TRANSACTION, "-5.00 BRL"]]
    as_json = api.invoke("statement", ACCOUNT, *UNDER_LEDGER, "--cursor", "c1", "--json")
    assert json.loads(as_json.stdout) == {"data": [credit, debit], "nextCursor": "c2"}
    pages = Pages({None: {"data": [credit], "nextCursor": "n1"}, "n1": {"data": [debit], "nextCursor": None}})
    every = Api(200, pages)
    result = every.invoke("statement", ACCOUNT, *UNDER_LEDGER, "--all", "--json")
    assert json.loads(result.stdout) == {"data": [credit, debit], "nextCursor": None}
    assert [path for _, path, _ in api.sent() + every.sent()] == [
        f"{STATEMENT_PATH}?limit=2",
        f"{STATEMENT_PATH}?cursor=c1",
        STATEMENT_PATH,
        f"{STATEMENT_PATH}?cursor=n1",
    ]
    empty = Api(200, {"data": [], "nextCursor": None}).invoke("statement", ACCOUNT, *UNDER_LEDGER)
    assert empty.exit_code == 0 and "0 operation(s)" in empty.stdout


def test_help_names_transactions_and_the_statement() -> None:
    top = runner.invoke(app, ["ledger", "--help"], env={"COLUMNS": "120"})
    assert top.exit_code == 0
    assert "transactions" in top.stdout and "statement" in top.stdout
    group = runner.invoke(app, ["ledger", "transactions", "--help"], env={"COLUMNS": "120"})
    for command in ("create", "get", "list", "commit", "cancel", "revert"):
        assert command in group.stdout
