"""The SDK's resource groups for ingested records (`client.bank_accounts`,
`client.blockchain_wallets`), the `partner bank-accounts|blockchain-wallets` commands, the
sandbox's `partner customers approve`, and tables that never break ids at 80 columns."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from partner_sdk import PartnerClient
from partner_sdk.cli import app
from tests.unit.test_sdk_cli import CREDENTIALS, Harness

runner = CliRunner()
BA = "ba_01KJ5YB2C3D4E5F6G7H8J9K0MN"
BW = "bw_01KJ5YB2C3D4E5F6G7H8J9K0MP"
CUS = "cus_01KJ5YB2C3D4E5F6G7H8J9K0MQ"
RECORD = {"id": BA, "object": "bank_account", "accountNumber": "12345678", "status": "ACTIVE"}


def recorded(status: int, body: Any) -> tuple[Harness, list[httpx.Request]]:
    harness = Harness(lambda request: httpx.Response(status, json=body, headers={"Request-Id": "req_1"}))
    return harness, harness.requests


def mock_client(handler: Any) -> PartnerClient:
    return PartnerClient(
        CREDENTIALS, http=httpx.Client(transport=httpx.MockTransport(handler)), sleep=lambda _: 0
    )


def test_the_groups_build_the_routes_bodies_and_filters_of_the_api() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"data": [], "nextCursor": None} if request.method == "GET" else RECORD
        )

    with mock_client(handler) as api:
        api.bank_accounts.create({"accountNumber": "12345678"}, upsert=True)
        api.bank_accounts.get(BA)
        api.bank_accounts.list(status="ACTIVE", reference_id="r-1", limit=5)
        api.blockchain_wallets.list(chain="ethereum", client_id=CUS)
        api.blockchain_wallets.add_clients(BW, [CUS])
        with pytest.raises(TypeError, match="unknown filter"):
            api.blockchain_wallets.list(status="ACTIVE")
    lines = [(r.method, r.url.raw_path.decode()) for r in seen]
    assert lines == [
        ("POST", "/v1/bank-accounts?upsert=true"),
        ("GET", f"/v1/bank-accounts/{BA}"),
        ("GET", "/v1/bank-accounts?status=ACTIVE&referenceId=r-1&limit=5"),
        ("GET", f"/v1/blockchain-wallets?chain=ethereum&clientId={CUS}"),
        ("POST", f"/v1/blockchain-wallets/{BW}/clients"),
    ]
    assert json.loads(seen[0].content) == {"accountNumber": "12345678"}
    assert json.loads(seen[-1].content) == {"associatedClients": [CUS]}
    assert all("Idempotency-Key" in r.headers for r in seen if r.method == "POST")


def test_bank_accounts_create_takes_data_set_and_clients() -> None:
    harness, requests = recorded(201, RECORD)
    result = harness.invoke(
        "bank-accounts", "create", "--data", '{"currency": "EUR"}', "--set", "accountNumber=12345678",
        "--client", CUS, "--upsert", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == RECORD
    assert requests[0].url.raw_path == b"/v1/bank-accounts?upsert=true"
    assert json.loads(requests[0].content) == {
        "currency": "EUR",
        "accountNumber": "12345678",
        "associatedClients": [CUS],
    }


def test_create_with_nothing_to_send_is_refused_before_any_request() -> None:
    harness, requests = recorded(201, RECORD)
    result = harness.invoke("blockchain-wallets", "create")
    assert result.exit_code == 2 and "nothing to send" in result.output
    assert requests == []


def test_blockchain_wallets_list_clients_and_get() -> None:
    harness, requests = recorded(200, {"data": [{"id": BW, "chain": "ethereum"}], "nextCursor": None})
    assert harness.invoke("blockchain-wallets", "list", "--chain", "ethereum", "--json").exit_code == 0
    assert requests[-1].url.raw_path == b"/v1/blockchain-wallets?chain=ethereum"
    harness, requests = recorded(200, {"id": BW})
    assert harness.invoke("blockchain-wallets", "clients", BW, CUS, "--json").exit_code == 0
    assert (requests[-1].method, requests[-1].url.raw_path) == (
        "POST",
        f"/v1/blockchain-wallets/{BW}/clients".encode(),
    )
    assert harness.invoke("blockchain-wallets", "get", BW, "--json").exit_code == 0
    assert requests[-1].url.raw_path == f"/v1/blockchain-wallets/{BW}".encode()


def test_list_all_follows_every_page_with_one_helper() -> None:
    pages = {
        None: {"data": [{"id": BA}], "nextCursor": "c2"},
        "c2": {"data": [{"id": BA.replace("MN", "MP")}], "nextCursor": None},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = dict(urllib.parse.parse_qsl(request.url.query.decode())).get("cursor")
        return httpx.Response(200, json=pages[cursor])

    harness = Harness(handler)
    result = harness.invoke("bank-accounts", "list", "--all", "--json")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.output)["data"]] == [BA, BA.replace("MN", "MP")]
    assert harness.invoke("bank-accounts", "list", "--all", "--cursor", "c2").exit_code == 2


def test_ids_stay_whole_in_an_80_column_table() -> None:
    rows = [
        {"id": f"cus_01KJ5YB2C3D4E5F6G7H8J9K{i:03d}".replace("0", "A")[:30], "status": "active",
         "type": "individual", "externalId": "a-rather-long-external-identifier-" + str(i),
         "onchainId": "eip155:1:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb", "name": "Ada Lovelace",
         "createdAt": "2026-02-23T12:00:00Z"}
        for i in range(3)
    ]  # fmt: skip
    harness, _ = recorded(200, {"data": rows, "nextCursor": None})
    result = runner.invoke(
        app, ["customers", "list"], obj={"client_factory": harness.factory}, env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    for row in rows:
        assert any(row["id"] in line for line in result.output.splitlines()), (row["id"], result.output)


def sandbox_customer(status: str = "pending", url: str | None = None) -> dict[str, Any]:
    return {
        "id": CUS,
        "object": "customer",
        "status": status,
        "verificationUrl": url or "https://api.example.test/sandbox/kyc/tok3n",
    }


def test_customers_approve_posts_the_sandbox_pages_form_and_shows_the_new_status() -> None:
    reads = iter([sandbox_customer(), sandbox_customer("active")])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/sandbox/kyc/tok3n/decision":
            return httpx.Response(200, text="<html>recorded</html>")
        return httpx.Response(200, json=next(reads))

    harness = Harness(handler)
    result = harness.invoke("customers", "approve", CUS, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == "active"
    post = harness.requests[1]
    assert (post.method, post.url.path) == ("POST", "/sandbox/kyc/tok3n/decision")
    assert urllib.parse.parse_qs(post.content.decode()) == {"decision": ["approved"]}
    assert "Authorization" not in post.headers or post.headers["Authorization"] != "Bearer sk_test"


def test_customers_approve_with_reject_sends_the_reason() -> None:
    reads = iter([sandbox_customer(), sandbox_customer("rejected")])
    forms: list[dict[str, list[str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            forms.append(urllib.parse.parse_qs(request.content.decode()))
            return httpx.Response(200, text="ok")
        return httpx.Response(200, json=next(reads))

    result = Harness(handler).invoke("customers", "approve", CUS, "--reject", "--reason", "Suspected fraud")
    assert result.exit_code == 0, result.output
    assert forms == [{"decision": ["rejected"], "reason": ["Suspected fraud"]}]


@pytest.mark.parametrize(
    ("customer", "page_status", "message"),
    [
        (sandbox_customer("active"), 200, "not pending"),
        (sandbox_customer(url="https://kyc.example.com/verify/1"), 200, "no sandbox verification page"),
        (sandbox_customer(), 409, "answered HTTP 409"),
    ],
)
def test_customers_approve_refuses_what_the_sandbox_cannot_decide(
    customer: dict[str, Any], page_status: int, message: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(page_status, text="no")
        return httpx.Response(200, json=customer)

    result = Harness(handler).invoke("customers", "approve", CUS)
    assert result.exit_code != 0
    assert message in result.output
