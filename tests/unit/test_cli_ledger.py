"""`partner ledger <kind> create|get|list|update|delete` through typer's CliRunner, the client
on an httpx.MockTransport: parents as options, bodies from options and/or --data (a file of
Midaz's JSON), --clear, tables within 80 columns, --json, and the accounts' ledger-wide
list and read."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from partner_sdk import Credentials, PartnerClient
from partner_sdk.cli import app

CREDENTIALS = Credentials(base_url="https://api.example.test", api_key="sk_test", scheme="none")
ORG = "01932c07-0000-7000-8000-000000000001"
LEDGER = "01932c07-0000-7000-8000-000000000002"
INSTRUMENT = "01932c07-0000-7000-8000-000000000003"
PORTFOLIO = "01932c07-0000-7000-8000-000000000004"
PRODUCT = "01932c07-0000-7000-8000-000000000005"
ACCOUNT = "01932c07-0000-7000-8000-000000000006"
EXTERNAL = "01932c07-0000-7000-8000-000000000007"
ORG_PATH = f"/v1/organizations/{ORG}"
LEDGER_PATH = f"{ORG_PATH}/ledgers/{LEDGER}"
PORTFOLIO_PATH = f"{LEDGER_PATH}/portfolios/{PORTFOLIO}"
UNDER_LEDGER = ("--organization", ORG, "--ledger", LEDGER)
UNDER_PORTFOLIO = (*UNDER_LEDGER, "--portfolio", PORTFOLIO)
TIMES = {"createdAt": "2026-02-23T12:00:00Z", "updatedAt": "2026-02-23T12:00:00Z", "deletedAt": None}
ADDRESS = {
    "line1": "Av. Paulista 1000",
    "line2": None,
    "zipCode": "01310-100",
    "city": "São Paulo",
    "state": "SP",
    "country": "BR",
}
ORGANIZATION: dict[str, Any] = {
    "id": ORG,
    "object": "organization",
    "legalName": "Acme Pagamentos Ltda",
    "doingBusinessAs": "Acme",
    "legalDocument": "12345678000199",
    "parentOrganizationId": None,
    "address": ADDRESS,
    "status": {"code": "ACTIVE", "description": None},
    "metadata": {"segment": "payments"},
    **TIMES,
}
LEDGER_ACCOUNT: dict[str, Any] = {
    "id": ACCOUNT,
    "object": "ledger_account",
    "organizationId": ORG,
    "ledgerId": LEDGER,
    "portfolioId": PORTFOLIO,
    "name": "Main",
    "type": "deposit",
    "instrumentCode": "BRL",
    "alias": "ana-main",
    "entityId": None,
    "parentAccountId": None,
    "productId": PRODUCT,
    "allowSending": True,
    "allowReceiving": True,
    "balance": {"available": 123456, "onHold": 50, "scale": 2},
    "status": {"code": "ACTIVE", "description": None},
    "metadata": {"tier": "gold"},
    **TIMES,
}
EXTERNAL_ACCOUNT: dict[str, Any] = {
    **LEDGER_ACCOUNT,
    "id": EXTERNAL,
    "portfolioId": None,
    "name": "External BRL",
    "type": "external",
    "alias": "@external/BRL",
    "productId": None,
    "balance": {"available": -123456, "onHold": 0, "scale": 2},
    "status": {"code": "BLOCKED", "description": "audit"},
    "metadata": {},
}

runner = CliRunner()


class Api:
    def __init__(self, status: int, body: Any) -> None:
        self.status, self.body = status, body
        self.requests: list[httpx.Request] = []

    def factory(self, scheme: str | None) -> PartnerClient:
        def answer(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            if self.body is None:
                return httpx.Response(self.status, headers={"Request-Id": "req_1"})
            body = self.body[request.url.params.get("cursor")] if isinstance(self.body, Pages) else self.body
            return httpx.Response(self.status, json=body, headers={"Request-Id": "req_1"})

        return PartnerClient(CREDENTIALS, http=httpx.Client(transport=httpx.MockTransport(answer)))

    def invoke(self, *args: str, env: dict[str, str] | None = None) -> Any:
        return runner.invoke(app, ["ledger", *args], obj={"client_factory": self.factory}, env=env)

    def sent(self) -> list[tuple[str, str, Any]]:
        return [
            (r.method, r.url.raw_path.decode(), json.loads(r.content) if r.content else None)
            for r in self.requests
        ]


class Pages(dict[str | None, Any]):
    """The answers of a list by its `cursor` query parameter."""


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


def widest(output: str) -> int:
    return max(len(line) for line in output.splitlines())


def test_organizations_create_sends_every_option_and_shows_the_organization_in_80_columns() -> None:
    api = Api(201, ORGANIZATION)
    result = api.invoke(
        "organizations", "create", "--legal-name", "Acme Pagamentos Ltda",
        "--legal-document", "12345678000199", "--doing-business-as", "Acme",
        "--line1", "Av. Paulista 1000", "--zip-code", "01310-100",
        "--city", "São Paulo", "--state", "SP", "--country", "BR", "--status", "ACTIVE",
        "--metadata", "segment=payments",
        env={"COLUMNS": "80"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    address = {name: value for name, value in ADDRESS.items() if value is not None}
    assert api.sent() == [
        (
            "POST",
            "/v1/organizations",
            {
                "legalName": "Acme Pagamentos Ltda",
                "doingBusinessAs": "Acme",
                "legalDocument": "12345678000199",
                "address": address,
                "status": {"code": "ACTIVE"},
                "metadata": {"segment": "payments"},
            },
        )
    ]
    assert is_uuid4(api.requests[0].headers["Idempotency-Key"])
    assert "Organization created" in result.stdout and ORG in result.stdout
    assert "Av. Paulista 1000, 01310-100 São Paulo, SP, BR" in result.stdout  # the address on one line
    assert widest(result.stdout) <= 80


def test_create_takes_midaz_json_from_a_file_and_options_over_it(tmp_path: Path) -> None:
    midaz: dict[str, Any] = {
        "legalName": "Acme",
        "legalDocument": "12345678000199",
        "address": {
            "line1": "Rua A 1",
            "zipCode": "01000-000",
            "city": "São Paulo",
            "state": "SP",
            "country": "BR",
        },
        "status": {"code": "ACTIVE", "description": "onboarded"},
        "metadata": {"source": "midaz"},
    }
    path = tmp_path / "organization.json"
    path.write_text(json.dumps(midaz), encoding="utf-8")
    api = Api(201, ORGANIZATION)
    result = api.invoke("organizations", "create", "--data", f"@{path}", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == ORGANIZATION
    again = api.invoke(
        "organizations", "create", "--data", f"@{path}", "--legal-name", "Acme II", "--city", "Campinas"
    )
    assert again.exit_code == 0, again.output
    assert [body for _, _, body in api.sent()] == [
        midaz,
        {**midaz, "legalName": "Acme II", "address": {**midaz["address"], "city": "Campinas"}},
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("organizations", "create", "--legal-name", "A"), "--legal-document"),
        (("organizations", "create", "--data", '{"legalName": "A"}'), "--line1, --zip-code"),
        (("organizations", "create", "--data", "[1]"), "JSON object"),
        (("organizations", "create", "--data", "@/nonexistent/org.json"), "cannot read"),
        (("ledgers", "create", "--organization", ORG), "--name"),
        (("ledgers", "create", "--name", "L"), "--organization"),
        (
            ("ledgers", "create", "--organization", ORG, "--name", "L", "--status-description", "x"),
            "--status",
        ),
        (("instruments", "create", *UNDER_LEDGER, "--name", "R", "--code", "BRL"), "--type"),
        (("instruments", "create", *UNDER_LEDGER, "--name", "R", "--type", "fiat", "--code", "BRL"), "fiat"),
        (("instruments", "create", *UNDER_LEDGER, "--name", "R", "--type", "crypto", "--scale", "19"), "18"),
        (
            ("accounts", "create", *UNDER_LEDGER, "--instrument-code", "BRL", "--type", "deposit"),
            "--portfolio",
        ),
        (("accounts", "create", *UNDER_PORTFOLIO, "--type", "deposit"), "--instrument-code"),
        (("accounts", "create", *UNDER_PORTFOLIO, "--metadata", "novalue"), "KEY=VALUE"),
    ],
)
def test_create_refuses_bad_input_with_exit_2(args: tuple[str, ...], message: str) -> None:
    api = Api(201, {})
    result = api.invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert api.requests == []


def test_each_kind_creates_under_its_parent_options() -> None:
    api = Api(201, {"id": "x"})
    runs = [
        ("ledgers", "create", "--organization", ORG, "--name", "Operations"),
        ("instruments", "create", *UNDER_LEDGER, "--name", "Real", "--type", "currency", "--code", "BRL"),
        ("instruments", "create", *UNDER_LEDGER, "--name", "Gold", "--type", "commodity", "--code", "XAU",
         "--scale", "4"),
        ("portfolios", "create", *UNDER_LEDGER, "--name", "Ana", "--entity-id", "cus-1"),
        ("products", "create", *UNDER_LEDGER, "--name", "Checking", "--status", "ACTIVE",
         "--status-description", "on sale"),
        ("accounts", "create", *UNDER_PORTFOLIO, "--instrument-code", "BRL", "--type", "deposit",
         "--name", "Main", "--alias", "ana-main", "--product", PRODUCT, "--parent-account", EXTERNAL,
         "--entity-id", "cus-1", "--deny-sending", "--allow-receiving"),
    ]  # fmt: skip
    for args in runs:
        result = api.invoke(*args, "--json")
        assert result.exit_code == 0, result.output
    assert api.sent() == [
        ("POST", f"{ORG_PATH}/ledgers", {"name": "Operations"}),
        ("POST", f"{LEDGER_PATH}/instruments", {"name": "Real", "type": "currency", "code": "BRL"}),
        (
            "POST",
            f"{LEDGER_PATH}/instruments",
            {"name": "Gold", "type": "commodity", "code": "XAU", "scale": 4},
        ),
        ("POST", f"{LEDGER_PATH}/portfolios", {"name": "Ana", "entityId": "cus-1"}),
        (
            "POST",
            f"{LEDGER_PATH}/products",
            {"name": "Checking", "status": {"code": "ACTIVE", "description": "on sale"}},
        ),
        (
            "POST",
            f"{PORTFOLIO_PATH}/accounts",
            {
                "instrumentCode": "BRL",
                "name": "Main",
                "alias": "ana-main",
                "type": "deposit",
                "entityId": "cus-1",
                "parentAccountId": EXTERNAL,
                "productId": PRODUCT,
                "allowSending": False,
                "allowReceiving": True,
            },
        ),
    ]


def test_create_refused_by_the_api_exits_1_with_the_envelope() -> None:
    api = Api(422, error("reference_invalid", "instrumentCode"))
    args = ("accounts", "create", *UNDER_PORTFOLIO, "--instrument-code", "USD", "--type", "deposit")
    result = api.invoke(*args)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "HTTP 422 Unprocessable Content" and "Request-Id: req_1" in lines
    assert "reference_invalid" in result.stdout
    as_json = api.invoke(*args, "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == error("reference_invalid", "instrumentCode")


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (("organizations", "get", ORG), ORG_PATH),
        (("ledgers", "get", LEDGER, "--organization", ORG), LEDGER_PATH),
        (("instruments", "get", INSTRUMENT, *UNDER_LEDGER), f"{LEDGER_PATH}/instruments/{INSTRUMENT}"),
        (("portfolios", "get", PORTFOLIO, *UNDER_LEDGER), PORTFOLIO_PATH),
        (("products", "get", PRODUCT, *UNDER_LEDGER), f"{LEDGER_PATH}/products/{PRODUCT}"),
        (("accounts", "get", ACCOUNT, *UNDER_PORTFOLIO), f"{PORTFOLIO_PATH}/accounts/{ACCOUNT}"),
        (("accounts", "get", ACCOUNT, *UNDER_LEDGER), f"{LEDGER_PATH}/accounts/{ACCOUNT}"),  # no portfolio
    ],
    ids=["organization", "ledger", "instrument", "portfolio", "product", "account", "account_in_ledger"],
)
def test_get_reads_the_path_its_options_name(args: tuple[str, ...], path: str) -> None:
    api = Api(200, {"id": "x", "object": "x"})
    result = api.invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    assert api.sent() == [("GET", path, None)]
    assert json.loads(result.stdout) == {"id": "x", "object": "x"}


def test_accounts_get_shows_the_balance_as_an_amount_within_80_columns() -> None:
    api = Api(200, LEDGER_ACCOUNT)
    result = api.invoke("accounts", "get", ACCOUNT, *UNDER_PORTFOLIO, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert widest(result.stdout) <= 80
    lines = [[c.strip() for c in line.split("│")] for line in result.stdout.splitlines()]
    rows = {cells[1]: cells[2] for cells in lines if len(cells) == 4}
    assert rows["balance"] == "1234.56 BRL (0.50 on hold)"
    assert (rows["id"], rows["productId"], rows["alias"]) == (ACCOUNT, PRODUCT, "ana-main")
    assert (rows["status"], rows["metadata"]) == ("ACTIVE", '{"tier": "gold"}')
    missing = Api(404, error("resource_missing", "accountId"))
    gone = missing.invoke("accounts", "get", ACCOUNT, *UNDER_LEDGER)
    assert gone.exit_code == 1
    assert gone.stdout.splitlines()[0] == "HTTP 404 Not Found" and "resource_missing" in gone.stdout


def test_lists_send_their_filters_and_fit_80_columns_with_ids_whole() -> None:
    api = Api(200, {"data": [ORGANIZATION], "nextCursor": "c2"})
    result = api.invoke("organizations", "list", "--status", "ACTIVE", "--limit", "5", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"data": [ORGANIZATION], "nextCursor": "c2"}
    table = api.invoke("organizations", "list", "--cursor", "c1", env={"COLUMNS": "80"})
    assert table.exit_code == 0, table.output
    assert "1 organization(s)" in table.stdout and "--cursor c2" in table.stdout
    assert widest(table.stdout) <= 80
    row = next(line for line in table.stdout.splitlines() if ORG in line)
    assert [c.strip() for c in row.split("│")][1:4] == [ORG, "Acme Pagamentos Ltda", "ACTIVE"]
    for args in (
        ("ledgers", "list", "--organization", ORG),
        ("instruments", "list", *UNDER_LEDGER, "--status", "BLOCKED"),
        ("portfolios", "list", *UNDER_LEDGER, "--limit", "2"),
        ("products", "list", *UNDER_LEDGER),
    ):
        assert api.invoke(*args, "--json").exit_code == 0
    assert [path for _, path, _ in api.sent()] == [
        "/v1/organizations?status=ACTIVE&limit=5",
        "/v1/organizations?cursor=c1",
        f"{ORG_PATH}/ledgers",
        f"{LEDGER_PATH}/instruments?status=BLOCKED",
        f"{LEDGER_PATH}/portfolios?limit=2",
        f"{LEDGER_PATH}/products",
    ]


def test_list_all_follows_every_page_and_refuses_a_cursor_with_it() -> None:
    pages = Pages(
        {None: {"data": [{"id": "b"}], "nextCursor": "n1"}, "n1": {"data": [{"id": "a"}], "nextCursor": None}}
    )
    api = Api(200, pages)
    result = api.invoke("products", "list", *UNDER_LEDGER, "--all", "--limit", "1", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"data": [{"id": "b"}, {"id": "a"}], "nextCursor": None}
    assert [path for _, path, _ in api.sent()] == [
        f"{LEDGER_PATH}/products?limit=1",
        f"{LEDGER_PATH}/products?limit=1&cursor=n1",
    ]
    both = api.invoke("products", "list", *UNDER_LEDGER, "--all", "--cursor", "x")
    assert both.exit_code == 2 and "not both" in both.stderr
    assert len(api.requests) == 2


def test_accounts_list_of_a_portfolio_or_ledger_wide_with_an_alias() -> None:
    api = Api(200, {"data": [LEDGER_ACCOUNT, EXTERNAL_ACCOUNT], "nextCursor": None})
    mine = api.invoke(
        "accounts", "list", *UNDER_PORTFOLIO, "--type", "deposit", "--instrument-code", "BRL", "--json"
    )
    assert mine.exit_code == 0, mine.output
    wide = api.invoke("accounts", "list", *UNDER_LEDGER, "--ledger-wide", env={"COLUMNS": "80"})
    assert wide.exit_code == 0, wide.output
    alias = api.invoke(
        "accounts", "list", *UNDER_LEDGER, "--ledger-wide", "--alias", "@external/BRL", "--all"
    )
    assert alias.exit_code == 0, alias.output
    external = api.invoke("accounts", "list", *UNDER_LEDGER, "--ledger-wide", "--type", "external", "--json")
    assert external.exit_code == 0, external.output
    assert [path for _, path, _ in api.sent()] == [
        f"{PORTFOLIO_PATH}/accounts?type=deposit&instrumentCode=BRL",
        f"{LEDGER_PATH}/accounts",
        f"{LEDGER_PATH}/accounts?alias=%40external%2FBRL",
        f"{LEDGER_PATH}/accounts?type=external",
    ]
    assert "2 account(s)" in wide.stdout and widest(wide.stdout) <= 80
    rows = [
        [c.strip() for c in line.split("│")]
        for line in wide.stdout.splitlines()
        if ACCOUNT in line or EXTERNAL in line
    ]
    assert [row[1] for row in rows] == [ACCOUNT, EXTERNAL]  # the ids whole
    assert [row[3:5] for row in rows] == [["1234.56 BRL", "ACTIVE"], ["-1234.56 BRL", "BLOCKED"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--portfolio or --ledger-wide"),
        (("--portfolio", PORTFOLIO, "--ledger-wide"), "--portfolio or --ledger-wide"),
        (("--portfolio", PORTFOLIO, "--alias", "ana"), "--ledger-wide"),
        (("--portfolio", PORTFOLIO, "--type", "external"), "--ledger-wide"),
        (("--ledger-wide", "--type", "checking"), "checking"),
    ],
)
def test_accounts_list_refuses_a_mix_of_scopes_with_exit_2(args: tuple[str, ...], message: str) -> None:
    api = Api(200, {"data": [], "nextCursor": None})
    result = api.invoke("accounts", "list", *UNDER_LEDGER, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert api.requests == []


def test_update_sends_the_options_data_and_clears() -> None:
    api = Api(200, {**LEDGER_ACCOUNT, "alias": "ana-2", "metadata": {"tier": "platinum"}})
    result = api.invoke(
        "accounts", "update", ACCOUNT, *UNDER_PORTFOLIO, "--alias", "ana-2", "--metadata", "tier=platinum",
        "--deny-receiving", "--clear", "productId",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Account updated" in result.stdout and "ana-2" in result.stdout
    moved = api.invoke(
        "organizations", "update", ORG, "--data", '{"status": {"code": "BLOCKED"}}',
        "--legal-name", "Acme SA", "--clear", "doingBusinessAs", "--clear", "parentOrganizationId", "--json",
    )  # fmt: skip
    assert moved.exit_code == 0, moved.output
    for args in (
        ("ledgers", "update", LEDGER, "--organization", ORG, "--name", "Books"),
        ("instruments", "update", INSTRUMENT, *UNDER_LEDGER, "--clear", "metadata"),
        ("portfolios", "update", PORTFOLIO, *UNDER_LEDGER, "--entity-id", "cus-2", "--status", "CLOSED"),
        ("products", "update", PRODUCT, *UNDER_LEDGER, "--metadata", "a=1", "--metadata", "b=2"),
    ):
        done = api.invoke(*args, "--json")
        assert done.exit_code == 0, done.output
    assert api.sent() == [
        (
            "PATCH",
            f"{PORTFOLIO_PATH}/accounts/{ACCOUNT}",
            {"alias": "ana-2", "allowReceiving": False, "metadata": {"tier": "platinum"}, "productId": None},
        ),
        (
            "PATCH",
            ORG_PATH,
            {
                "status": {"code": "BLOCKED"},
                "legalName": "Acme SA",
                "doingBusinessAs": None,
                "parentOrganizationId": None,
            },
        ),
        ("PATCH", LEDGER_PATH, {"name": "Books"}),
        ("PATCH", f"{LEDGER_PATH}/instruments/{INSTRUMENT}", {"metadata": None}),
        ("PATCH", PORTFOLIO_PATH, {"entityId": "cus-2", "status": {"code": "CLOSED"}}),
        ("PATCH", f"{LEDGER_PATH}/products/{PRODUCT}", {"metadata": {"a": "1", "b": "2"}}),
    ]
    assert all(is_uuid4(r.headers["Idempotency-Key"]) for r in api.requests)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ledgers", "update", LEDGER, "--organization", ORG), "nothing to update"),
        (("ledgers", "update", LEDGER, "--organization", ORG, "--clear", "name"), "--clear takes metadata"),
        (("accounts", "update", ACCOUNT, *UNDER_PORTFOLIO, "--clear", "type"), "name, alias, entityId"),
        (("accounts", "update", ACCOUNT, *UNDER_PORTFOLIO, "--alias", "a", "--clear", "alias"), "both given"),
        (("accounts", "update", ACCOUNT, *UNDER_LEDGER, "--alias", "a"), "--portfolio"),
    ],
)
def test_update_refuses_bad_input_with_exit_2(args: tuple[str, ...], message: str) -> None:
    api = Api(200, {})
    result = api.invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert api.requests == []


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (("organizations", "delete", ORG), ORG_PATH),
        (("ledgers", "delete", LEDGER, "--organization", ORG), LEDGER_PATH),
        (("instruments", "delete", INSTRUMENT, *UNDER_LEDGER), f"{LEDGER_PATH}/instruments/{INSTRUMENT}"),
        (("portfolios", "delete", PORTFOLIO, *UNDER_LEDGER), PORTFOLIO_PATH),
        (("products", "delete", PRODUCT, *UNDER_LEDGER), f"{LEDGER_PATH}/products/{PRODUCT}"),
        (("accounts", "delete", ACCOUNT, *UNDER_PORTFOLIO), f"{PORTFOLIO_PATH}/accounts/{ACCOUNT}"),
    ],
    ids=["organization", "ledger", "instrument", "portfolio", "product", "account"],
)
def test_delete_on_204_says_deleted(args: tuple[str, ...], path: str) -> None:
    api = Api(204, None)
    result = api.invoke(*args)
    assert result.exit_code == 0, result.output
    noun = args[0][:-1]
    assert result.stdout.strip() == f"Deleted {noun} {path.rsplit('/', 1)[1]}"
    as_json = api.invoke(*args, "--json")
    assert json.loads(as_json.stdout) == {"id": path.rsplit("/", 1)[1], "deleted": True}
    assert [(method, sent) for method, sent, _ in api.sent()] == [("DELETE", path)] * 2
    assert all(is_uuid4(r.headers["Idempotency-Key"]) for r in api.requests)


def test_a_refused_delete_exits_1_with_the_envelope() -> None:
    api = Api(409, error("state_conflict", "productId"))
    result = api.invoke("products", "delete", PRODUCT, *UNDER_LEDGER, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "state_conflict"


def test_help_names_the_kinds_and_the_ledger_wide_list() -> None:
    top = runner.invoke(app, ["ledger", "--help"], env={"COLUMNS": "120"})
    assert top.exit_code == 0
    for kind in ("organizations", "ledgers", "instruments", "portfolios", "products", "accounts"):
        assert kind in top.stdout
    listing = runner.invoke(app, ["ledger", "accounts", "list", "--help"], env={"COLUMNS": "120"})
    assert "--ledger-wide" in listing.stdout and "--alias" in listing.stdout


def test_a_network_failure_exits_1() -> None:
    def factory(scheme: str | None) -> PartnerClient:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

        http = httpx.Client(transport=httpx.MockTransport(refuse))
        return PartnerClient(CREDENTIALS, http=http, sleep=lambda _: None)

    result = runner.invoke(app, ["ledger", "organizations", "get", ORG], obj={"client_factory": factory})
    assert result.exit_code == 1
    assert "cannot reach the API" in result.stderr
