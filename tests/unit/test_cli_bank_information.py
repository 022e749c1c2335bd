"""`partner bank-information create|get|list` and `partner supported-banks list` through typer's
CliRunner, the client on an httpx.MockTransport."""

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
USER_ID = "cus_01JABCDEFGHJKMNPQRSTVWXYZ0"
RECORD: dict[str, Any] = {
    "id": "bi_01JABCDEFGHJKMNPQRSTVWXYZ0",
    "object": "bank_information",
    "userId": USER_ID,
    "partnerId": "ptn_01JABCDEFGHJKMNPQRSTVWXYZ0",
    "bankName": None,
    "supportedBankId": "bank_mx_012",
    "accountNumber": "1234567890",
    "accountType": "CHECKING",
    "clabe": "012180012345678912",
    "country": "MX",
    "rampType": "OFF_RAMP",
    "documentNumber": "BOXW310820HNERXN09",
    "status": "active",
    "createdAt": "2026-02-23T12:00:00Z",
    "updatedAt": "2026-02-23T12:00:00Z",
}
DOMINICAN: dict[str, Any] = {
    **RECORD,
    "id": "bi_01JABCDEFGHJKMNPQRSTVWXYZ1",
    "bankName": "Banco Local",
    "supportedBankId": None,
    "accountNumber": "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234567",  # 34 characters, the longest
    "clabe": None,
    "country": "DO",
    "rampType": "ON_RAMP",
    "documentNumber": "00113918205",
    "status": "inactive",
}
BANKS: list[dict[str, Any]] = [
    {"id": "bank_mx_012", "object": "supported_bank", "country": "MX", "name": "BBVA Mexico", "code": "012"},
    {
        "id": "bank_do_banreservas",
        "object": "supported_bank",
        "country": "DO",
        "name": "Banreservas (Banco de Reservas de la República Dominicana)",
        "code": "BANRESERVAS",
        "swift": "BRRDDOSD",
    },
]
CREATE = (
    "bank-information", "create", "--user-id", USER_ID, "--country", "MX", "--account-number",
    "1234567890", "--account-type", "CHECKING",
)  # fmt: skip

runner = CliRunner()


class Api:
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.headers = status, body, headers or {}
        self.requests: list[httpx.Request] = []

    def factory(self, scheme: str | None) -> PartnerClient:
        def answer(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            headers = {"Request-Id": "req_1", **self.headers}
            return httpx.Response(self.status, json=self.body, headers=headers)

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


def cells(stdout: str, text: str) -> list[str]:
    """The cells of the table row holding `text`."""
    row = next(line for line in stdout.splitlines() if text in line)
    return [c.strip() for c in row.split("│")][1:-1]


def test_create_sends_every_option_with_an_idempotency_key_and_says_created() -> None:
    api = Api(201, RECORD)
    result = api.invoke(
        *CREATE, "--supported-bank-id", "bank_mx_012", "--clabe", "012180012345678912",
        "--document-number", "BOXW310820HNERXN09", "--ramp-type", "OFF_RAMP",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert api.sent() == [
        (
            "POST",
            "/v1/bank-information",
            {
                "userId": USER_ID,
                "supportedBankId": "bank_mx_012",
                "accountNumber": "1234567890",
                "accountType": "CHECKING",
                "clabe": "012180012345678912",
                "country": "MX",
                "documentNumber": "BOXW310820HNERXN09",
                "rampType": "OFF_RAMP",
            },
        )
    ]
    assert api.requests[0].url.query == b""
    assert is_uuid4(api.requests[0].headers["Idempotency-Key"])
    assert "Bank information created (HTTP 201)" in result.stdout
    assert RECORD["id"] in result.stdout and "BOXW310820HNERXN09" in result.stdout


def test_create_of_an_existing_record_says_updated_and_json_prints_the_record_only() -> None:
    api = Api(200, {**RECORD, "bankName": "Banco Local", "supportedBankId": None})
    result = api.invoke(*CREATE, "--bank-name", "Banco Local")
    assert result.exit_code == 0, result.output
    assert "Bank information updated (HTTP 200)" in result.stdout and "Banco Local" in result.stdout
    assert api.sent()[0][2] == {
        "userId": USER_ID,
        "bankName": "Banco Local",
        "accountNumber": "1234567890",
        "accountType": "CHECKING",
        "country": "MX",
    }
    as_json = api.invoke(*CREATE, "--bank-name", "Banco Local", "--json")
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == {**RECORD, "bankName": "Banco Local", "supportedBankId": None}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (CREATE[2:6], "--account-number"),  # no --account-number, --account-type
        (("--country", "MX", "--account-number", "1", "--account-type", "CHECKING"), "--user-id"),
        ((*CREATE[2:4], "--country", "US", *CREATE[6:]), "US"),
        ((*CREATE[2:8], "--account-type", "CURRENT"), "CURRENT"),
        ((*CREATE[2:], "--ramp-type", "SIDEWAYS"), "SIDEWAYS"),
    ],
)
def test_create_refuses_bad_input_with_exit_2(args: tuple[str, ...], message: str) -> None:
    api = Api(201, RECORD)
    result = api.invoke("bank-information", "create", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert api.requests == []


def test_create_refused_by_the_api_exits_1_with_the_envelope() -> None:
    api = Api(422, error("customer_not_active", "userId"))
    result = api.invoke(*CREATE, "--bank-name", "B")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "HTTP 422 Unprocessable Content"
    assert "Request-Id: req_1" in lines
    assert "customer_not_active" in result.stdout
    api.status, api.body = 400, error("parameter_invalid", "clabe")
    as_json = api.invoke(*CREATE, "--bank-name", "B", "--clabe", "012180012345678910", "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == error("parameter_invalid", "clabe")


def test_get_shows_every_field_within_80_columns() -> None:
    api = Api(200, RECORD)
    result = api.invoke("bank-information", "get", RECORD["id"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert api.sent() == [("GET", f"/v1/bank-information/{RECORD['id']}", None)]
    assert "Idempotency-Key" not in api.requests[0].headers
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for name in ("userId", "partnerId", "supportedBankId", "clabe", "documentNumber", "updatedAt"):
        assert cells(result.stdout, name) == [name, str(RECORD[name])]


def test_get_json_prints_the_answer_and_an_unknown_record_exits_1() -> None:
    api = Api(200, RECORD)
    result = api.invoke("bank-information", "get", RECORD["id"], "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == RECORD
    api.status, api.body = 404, error("resource_missing", "id")
    missing = api.invoke("bank-information", "get", "bi_nope")
    assert missing.exit_code == 1
    assert missing.stdout.splitlines()[0] == "HTTP 404 Not Found"
    assert "resource_missing" in missing.stdout


def test_list_one_page_with_filters_and_a_table_of_80_columns() -> None:
    page = {"data": [RECORD, DOMINICAN], "nextCursor": "c2"}
    api = Api(200, page)
    result = api.invoke(
        "bank-information", "list", "--user-id", USER_ID, "--country", "MX", "--ramp-type", "ON_RAMP",
        "--limit", "5", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == page
    assert api.sent() == [
        ("GET", f"/v1/bank-information?userId={USER_ID}&country=MX&rampType=ON_RAMP&limit=5", None)
    ]
    table = api.invoke("bank-information", "list", "--cursor", "c1", env={"COLUMNS": "80"})
    assert table.exit_code == 0, table.output
    assert api.sent()[-1] == ("GET", "/v1/bank-information?cursor=c1", None)
    assert "2 bank information record(s)" in table.stdout and "--cursor c2" in table.stdout
    assert max(len(line) for line in table.stdout.splitlines()) <= 80
    assert cells(table.stdout, RECORD["id"]) == [RECORD["id"], "MX OFF_RAMP", "1234567890", "active"]
    # the longest account number folds onto a second line; the id never does
    dominican = cells(table.stdout, DOMINICAN["id"])
    assert (dominican[0], dominican[1], dominican[3]) == (DOMINICAN["id"], "DO ON_RAMP", "inactive")
    assert DOMINICAN["accountNumber"].startswith(dominican[2]) and dominican[2] != DOMINICAN["accountNumber"]


def test_list_all_follows_every_page() -> None:
    pages = {
        None: {"data": [RECORD], "nextCursor": "n1"},
        "n1": {"data": [DOMINICAN], "nextCursor": None},
    }
    requests: list[httpx.Request] = []

    def factory(scheme: str | None) -> PartnerClient:
        def answer(request: httpx.Request) -> httpx.Response:
            requests.append(request)
            return httpx.Response(200, json=pages[request.url.params.get("cursor")])

        return PartnerClient(CREDENTIALS, http=httpx.Client(transport=httpx.MockTransport(answer)))

    args = ["bank-information", "list", "--all", "--limit", "1", "--user-id", USER_ID, "--json"]
    result = runner.invoke(app, args, obj={"client_factory": factory})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"data": [RECORD, DOMINICAN], "nextCursor": None}
    assert [r.url.raw_path.decode() for r in requests] == [
        f"/v1/bank-information?userId={USER_ID}&limit=1",
        f"/v1/bank-information?userId={USER_ID}&limit=1&cursor=n1",
    ]
    obj = {"client_factory": factory}
    both = runner.invoke(app, ["bank-information", "list", "--all", "--cursor", "x"], obj=obj)
    assert both.exit_code == 2 and "not both" in both.stderr
    bad = runner.invoke(app, ["bank-information", "list", "--country", "US"], obj=obj)
    assert bad.exit_code == 2
    assert len(requests) == 2


def test_supported_banks_list_a_country_as_a_table_and_as_json() -> None:
    page = {"data": BANKS, "nextCursor": "n1"}
    api = Api(200, page)
    result = api.invoke("supported-banks", "list", "--country", "MX", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert api.sent() == [("GET", "/v1/supported-banks?country=MX", None)]
    assert "2 supported bank(s)" in result.stdout and "--cursor n1" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert cells(result.stdout, "bank_mx_012") == ["bank_mx_012", "012", "BBVA Mexico", ""]
    long_name = cells(result.stdout, "bank_do_banreservas")
    assert long_name[0:2] == ["bank_do_banreservas", "BANRESERVAS"] and long_name[3] == "BRRDDOSD"
    as_json = api.invoke("supported-banks", "list", "--limit", "100", "--cursor", "c1", "--json")
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == page
    assert api.sent()[-1] == ("GET", "/v1/supported-banks?limit=100&cursor=c1", None)
    bad = api.invoke("supported-banks", "list", "--country", "mx")
    assert bad.exit_code == 2
    assert len(api.requests) == 2


def test_supported_banks_list_all_follows_every_page() -> None:
    pages = {
        None: {"data": BANKS[:1], "nextCursor": "n1"},
        "n1": {"data": BANKS[1:], "nextCursor": None},
    }
    requests: list[httpx.Request] = []

    def factory(scheme: str | None) -> PartnerClient:
        def answer(request: httpx.Request) -> httpx.Response:
            requests.append(request)
            return httpx.Response(200, json=pages[request.url.params.get("cursor")])

        return PartnerClient(CREDENTIALS, http=httpx.Client(transport=httpx.MockTransport(answer)))

    result = runner.invoke(
        app, ["supported-banks", "list", "--all", "--limit", "1", "--json"], obj={"client_factory": factory}
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"data": BANKS, "nextCursor": None}
    assert [r.url.raw_path.decode() for r in requests] == [
        "/v1/supported-banks?limit=1",
        "/v1/supported-banks?limit=1&cursor=n1",
    ]


def test_a_network_failure_exits_1() -> None:
    def factory(scheme: str | None) -> PartnerClient:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

        http = httpx.Client(transport=httpx.MockTransport(refuse))
        return PartnerClient(CREDENTIALS, http=http, sleep=lambda _: None)

    result = runner.invoke(app, ["supported-banks", "list"], obj={"client_factory": factory})
    assert result.exit_code == 1
    assert "cannot reach the API" in result.stderr
