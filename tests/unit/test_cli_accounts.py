"""`partner accounts ...` (and `numbers issue`, `addresses issue`) through typer's CliRunner,
the client on an httpx.MockTransport."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from partner_sdk import Credentials, PartnerClient
from partner_sdk.cli import app

CREDENTIALS = Credentials(base_url="https://api.example.test", api_key="sk_test", scheme="none")
CUSTOMER_ID = "cus_01JABCDEFGHJKMNPQRSTVWXYZ0"
ACCOUNT: dict[str, Any] = {
    "id": "acc_01JABCDEFGHJKMNPQRSTVWXYZ0",
    "object": "account",
    "customerId": CUSTOMER_ID,
    "type": "demand_deposit",
    "status": "active",
    "currency": "EUR",
    "asset": None,
    "chain": None,
    "label": "Operating Account - EUR",
    "purpose": "operating",
    "metadata": {"team": "ops"},
    "createdAt": "2026-02-23T12:00:00Z",
    "updatedAt": "2026-02-23T12:00:00Z",
}
WALLET: dict[str, Any] = {
    **ACCOUNT,
    "id": "acc_01JABCDEFGHJKMNPQRSTVWXYZ1",
    "type": "wallet",
    "currency": None,
    "asset": "USDC",
    "chain": "ethereum",
    "label": None,
}
NUMBER: dict[str, Any] = {
    "id": "an_01JABCDEFGHJKMNPQRSTVWXYZ0",
    "object": "account_number",
    "accountId": ACCOUNT["id"],
    "scheme": "iban",
    "number": "GB33BUKB20201555555555",
    "routingNumber": None,
    "sortCode": "202015",
    "bic": "BUKBGB22",
    "bankName": "Sandbox Bank",
    "status": "active",
    "createdAt": "2026-02-23T12:00:00Z",
}
ADDRESS: dict[str, Any] = {
    "id": "addr_01JABCDEFGHJKMNPQRSTVWXYZ0",
    "object": "blockchain_address",
    "accountId": WALLET["id"],
    "chain": "ethereum",
    "asset": "USDC",
    "address": "0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb",
    "derivationPath": "m/44'/60'/0'/0/7",
    "status": "active",
    "createdAt": "2026-02-23T12:00:00Z",
}


def with_children(account: dict[str, Any], numbers: Any = (), addresses: Any = ()) -> dict[str, Any]:
    return {**account, "accountNumbers": list(numbers), "blockchainAddresses": list(addresses)}


runner = CliRunner()


class Api:
    def __init__(self, status: int, body: Any) -> None:
        self.status, self.body = status, body
        self.requests: list[httpx.Request] = []

    def factory(self, scheme: str | None) -> PartnerClient:
        def answer(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return httpx.Response(self.status, json=self.body, headers={"Request-Id": "req_1"})

        return PartnerClient(CREDENTIALS, http=httpx.Client(transport=httpx.MockTransport(answer)))

    def invoke(self, *args: str, env: dict[str, str] | None = None) -> Any:
        return runner.invoke(app, list(args), obj={"client_factory": self.factory}, env=env)

    def sent(self) -> list[tuple[str, str, Any]]:
        return [
            (r.method, r.url.raw_path.decode(), json.loads(r.content) if r.content else None)
            for r in self.requests
        ]


def is_uuid4(value: str) -> bool:
    try:
        return uuid.UUID(value).version == 4
    except ValueError:
        return False


def error(code: str, param: str | None = None) -> dict[str, Any]:
    return {
        "error": {
            "type": "invalid_request_error",
            "code": code,
            "message": f"{code}!",
            "param": param,
            "requestId": "req_e",
        }
    }


def test_create_sends_every_option_with_an_idempotency_key() -> None:
    api = Api(201, with_children(ACCOUNT))
    result = api.invoke(
        "accounts",
        "create",
        "--customer",
        CUSTOMER_ID,
        "--type",
        "demand_deposit",
        "--currency",
        "EUR",
        "--label",
        "Operating Account - EUR",
        "--purpose",
        "operating",
        "--metadata",
        "team=ops",
        "--metadata",
        "note=a=b",
    )
    assert result.exit_code == 0, result.output
    assert api.sent() == [
        (
            "POST",
            "/v1/accounts",
            {
                "customerId": CUSTOMER_ID,
                "type": "demand_deposit",
                "currency": "EUR",
                "label": "Operating Account - EUR",
                "purpose": "operating",
                "metadata": {"team": "ops", "note": "a=b"},
            },
        )
    ]
    assert is_uuid4(api.requests[0].headers["Idempotency-Key"])
    assert "Account created" in result.stdout and ACCOUNT["id"] in result.stdout
    assert f"No account numbers yet: partner accounts numbers issue {ACCOUNT['id']}" in result.stdout
    assert "blockchain address" not in result.stdout  # a fiat account takes none


def test_create_a_wallet_account_as_json() -> None:
    api = Api(201, with_children(WALLET))
    result = api.invoke(
        "accounts", "create", "--customer", CUSTOMER_ID, "--type", "wallet", "--asset", "USDC",
        "--chain", "ethereum", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == with_children(WALLET)
    assert api.sent()[0][2] == {
        "customerId": CUSTOMER_ID,
        "type": "wallet",
        "asset": "USDC",
        "chain": "ethereum",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--type", "wallet"), "--customer"),
        (("--customer", CUSTOMER_ID), "--type"),
        (("--customer", CUSTOMER_ID, "--type", "savings"), "savings"),
        (("--customer", CUSTOMER_ID, "--type", "virtual", "--purpose", "fun"), "fun"),
        (("--customer", CUSTOMER_ID, "--type", "virtual", "--metadata", "novalue"), "KEY=VALUE"),
    ],
)
def test_create_refuses_bad_input_with_exit_2(args: tuple[str, ...], message: str) -> None:
    api = Api(201, with_children(ACCOUNT))
    result = api.invoke("accounts", "create", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert api.requests == []


def test_create_refused_by_the_api_exits_1_with_the_envelope() -> None:
    api = Api(422, error("capability_missing", "customerId"))
    result = api.invoke(
        "accounts", "create", "--customer", CUSTOMER_ID, "--type", "virtual", "--currency", "EUR"
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "HTTP 422 Unprocessable Content"
    assert "Request-Id: req_1" in lines
    assert "capability_missing" in result.stdout
    as_json = api.invoke(
        "accounts", "create", "--customer", CUSTOMER_ID, "--type", "virtual", "--currency", "EUR", "--json"
    )
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == error("capability_missing", "customerId")


def test_get_shows_the_account_and_a_table_of_its_numbers() -> None:
    api = Api(200, with_children(ACCOUNT, numbers=[NUMBER]))
    result = api.invoke("accounts", "get", ACCOUNT["id"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert api.sent() == [("GET", f"/v1/accounts/{ACCOUNT['id']}", None)]
    assert "Operating Account - EUR" in result.stdout and '{"team": "ops"}' in result.stdout
    assert "1 account number(s)" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    row = next(line for line in result.stdout.splitlines() if NUMBER["number"] in line)
    cells = [c.strip() for c in row.split("│")]
    # the whole number at 80 columns; routing is a GBP IBAN's sort code (an ABA's routing number)
    assert cells[1:6] == ["iban", NUMBER["number"], "202015", "BUKBGB22", "active"]
    assert "No blockchain addresses" not in result.stdout


def test_get_of_a_wallet_account_shows_a_table_of_its_addresses() -> None:
    api = Api(200, with_children(WALLET, addresses=[ADDRESS]))
    result = api.invoke("accounts", "get", WALLET["id"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "1 blockchain address(s)" in result.stdout
    row = next(line for line in result.stdout.splitlines() if ADDRESS["address"] in line)
    assert [c.strip() for c in row.split("│")][1:4] == [
        ADDRESS["address"],
        ADDRESS["derivationPath"],
        "active",
    ]
    assert "account number" not in result.stdout
    empty = Api(200, with_children(WALLET))
    hint = empty.invoke("accounts", "get", WALLET["id"])
    assert f"No blockchain addresses yet: partner accounts addresses issue {WALLET['id']}" in hint.stdout


def test_get_json_prints_the_answer_and_an_unknown_account_exits_1() -> None:
    body = with_children(ACCOUNT, numbers=[NUMBER])
    api = Api(200, body)
    result = api.invoke("accounts", "get", ACCOUNT["id"], "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == body
    api.status, api.body = 404, error("resource_missing", "accountId")
    missing = api.invoke("accounts", "get", "acc_nope")
    assert missing.exit_code == 1
    assert missing.stdout.splitlines()[0] == "HTTP 404 Not Found"
    assert "resource_missing" in missing.stdout


def test_list_one_page_with_filters() -> None:
    page = {"data": [ACCOUNT, WALLET], "nextCursor": "c2"}
    api = Api(200, page)
    result = api.invoke(
        "accounts", "list", "--customer", CUSTOMER_ID, "--type", "wallet", "--status", "active",
        "--limit", "5", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == page
    assert api.sent() == [
        ("GET", f"/v1/accounts?customerId={CUSTOMER_ID}&type=wallet&status=active&limit=5", None)
    ]
    table = api.invoke("accounts", "list", "--cursor", "c1", env={"COLUMNS": "120"})
    assert table.exit_code == 0, table.output
    assert api.sent()[-1] == ("GET", "/v1/accounts?cursor=c1", None)
    assert "2 account(s)" in table.stdout and "--cursor c2" in table.stdout
    fiat = next(line for line in table.stdout.splitlines() if ACCOUNT["id"] in line)
    wallet = next(line for line in table.stdout.splitlines() if WALLET["id"] in line)
    assert [c.strip() for c in fiat.split("│")][2:5] == ["demand_deposit", "active", "EUR"]
    assert [c.strip() for c in wallet.split("│")][2:5] == ["wallet", "active", "USDC on ethereum"]


def test_list_all_follows_every_page() -> None:
    pages = {
        None: {"data": [ACCOUNT], "nextCursor": "n1"},
        "n1": {"data": [WALLET], "nextCursor": None},
    }
    requests: list[httpx.Request] = []

    def factory(scheme: str | None) -> PartnerClient:
        def answer(request: httpx.Request) -> httpx.Response:
            requests.append(request)
            return httpx.Response(200, json=pages[request.url.params.get("cursor")])

        return PartnerClient(CREDENTIALS, http=httpx.Client(transport=httpx.MockTransport(answer)))

    args = ["accounts", "list", "--all", "--limit", "1", "--status", "active", "--json"]
    result = runner.invoke(app, args, obj={"client_factory": factory})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"data": [ACCOUNT, WALLET], "nextCursor": None}
    assert [r.url.raw_path.decode() for r in requests] == [
        "/v1/accounts?status=active&limit=1",
        "/v1/accounts?status=active&limit=1&cursor=n1",
    ]
    both = runner.invoke(app, ["accounts", "list", "--all", "--cursor", "x"], obj={"client_factory": factory})
    assert both.exit_code == 2 and "not both" in both.stderr
    bad = runner.invoke(app, ["accounts", "list", "--status", "open"], obj={"client_factory": factory})
    assert bad.exit_code == 2
    assert len(requests) == 2


def test_update_sends_only_the_given_fields_and_refuses_nothing() -> None:
    api = Api(200, with_children({**ACCOUNT, "purpose": "payroll"}))
    result = api.invoke("accounts", "update", ACCOUNT["id"], "--purpose", "payroll", "--metadata", "team=hr")
    assert result.exit_code == 0, result.output
    assert api.sent() == [
        ("PATCH", f"/v1/accounts/{ACCOUNT['id']}", {"purpose": "payroll", "metadata": {"team": "hr"}})
    ]
    assert is_uuid4(api.requests[0].headers["Idempotency-Key"])
    assert "Account updated" in result.stdout and "payroll" in result.stdout
    labelled = api.invoke("accounts", "update", ACCOUNT["id"], "--label", "Payroll", "--json")
    assert labelled.exit_code == 0, labelled.output
    assert api.sent()[-1][2] == {"label": "Payroll"}
    assert json.loads(labelled.stdout)["purpose"] == "payroll"
    nothing = api.invoke("accounts", "update", ACCOUNT["id"])
    assert nothing.exit_code == 2
    assert "nothing to update" in nothing.stderr
    assert len(api.requests) == 2


def test_update_of_a_closed_account_exits_1_with_the_envelope() -> None:
    api = Api(409, error("state_conflict", "accountId"))
    result = api.invoke("accounts", "update", ACCOUNT["id"], "--label", "X", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "state_conflict"


def test_close_posts_an_empty_object_and_shows_the_closed_account() -> None:
    closed = with_children({**ACCOUNT, "status": "closed"}, numbers=[{**NUMBER, "status": "inactive"}])
    api = Api(200, closed)
    result = api.invoke("accounts", "close", ACCOUNT["id"])
    assert result.exit_code == 0, result.output
    assert api.sent() == [("POST", f"/v1/accounts/{ACCOUNT['id']}/close", {})]
    assert is_uuid4(api.requests[0].headers["Idempotency-Key"])
    assert "Account closed" in result.stdout and "inactive" in result.stdout
    as_json = api.invoke("accounts", "close", ACCOUNT["id"], "--json")
    assert json.loads(as_json.stdout)["status"] == "closed"
    api.body = with_children({**ACCOUNT, "status": "closed"})
    bare = api.invoke("accounts", "close", ACCOUNT["id"])
    assert bare.exit_code == 0, bare.output
    assert "No account numbers yet" not in bare.stdout  # a closed account is issued nothing


def test_numbers_issue_with_and_without_a_scheme() -> None:
    api = Api(201, NUMBER)
    result = api.invoke("accounts", "numbers", "issue", ACCOUNT["id"])
    assert result.exit_code == 0, result.output
    assert "Account number issued" in result.stdout
    assert NUMBER["number"] in result.stdout and "Sandbox Bank" in result.stdout
    aba = {
        **NUMBER,
        "scheme": "aba",
        "number": "000123456789",
        "routingNumber": "021000021",
        "sortCode": None,
    }
    api.body = aba
    as_json = api.invoke("accounts", "numbers", "issue", ACCOUNT["id"], "--scheme", "aba", "--json")
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == aba
    path = f"/v1/accounts/{ACCOUNT['id']}/account-numbers"
    assert api.sent() == [("POST", path, {}), ("POST", path, {"scheme": "aba"})]
    assert all(is_uuid4(r.headers["Idempotency-Key"]) for r in api.requests)
    bad = api.invoke("accounts", "numbers", "issue", ACCOUNT["id"], "--scheme", "swift")
    assert bad.exit_code == 2
    assert len(api.requests) == 2


def test_numbers_issue_for_an_unsupported_scheme_exits_1_with_the_envelope() -> None:
    api = Api(422, error("scheme_unsupported", "scheme"))
    result = api.invoke("accounts", "numbers", "issue", ACCOUNT["id"], "--scheme", "clabe")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "HTTP 422 Unprocessable Content"
    assert "scheme_unsupported" in result.stdout


def test_addresses_issue() -> None:
    api = Api(201, ADDRESS)
    result = api.invoke("accounts", "addresses", "issue", WALLET["id"])
    assert result.exit_code == 0, result.output
    assert api.sent() == [("POST", f"/v1/accounts/{WALLET['id']}/blockchain-addresses", {})]
    assert is_uuid4(api.requests[0].headers["Idempotency-Key"])
    assert "Blockchain address issued" in result.stdout
    assert ADDRESS["address"] in result.stdout and ADDRESS["derivationPath"] in result.stdout
    as_json = api.invoke("accounts", "addresses", "issue", WALLET["id"], "--json")
    assert json.loads(as_json.stdout) == ADDRESS


def test_a_network_failure_exits_1() -> None:
    def factory(scheme: str | None) -> PartnerClient:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

        http = httpx.Client(transport=httpx.MockTransport(refuse))
        return PartnerClient(CREDENTIALS, http=http, sleep=lambda _: None)

    result = runner.invoke(app, ["accounts", "get", ACCOUNT["id"]], obj={"client_factory": factory})
    assert result.exit_code == 1
    assert "cannot reach the API" in result.stderr
