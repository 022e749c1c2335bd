"""The SDK's customers and events: client methods, `partner_sdk.ethereum`, and the
`partner customers` / `partner events` commands, all against httpx.MockTransport."""

from __future__ import annotations

import ast
import base64
import datetime
import json
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from eth_account import Account
from eth_account.messages import encode_defunct
from typer.testing import CliRunner

from partner_sdk import Credentials, CredentialsError, InvalidRequestError, PartnerClient, ethereum
from partner_sdk.cli import app

ROOT = Path(__file__).resolve().parents[2]
KEY = ed25519.Ed25519PrivateKey.generate()
PEM = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
CREDENTIALS = Credentials(
    base_url="https://api.example.test",
    api_key="sk_test",
    signing_key_id="sig_1",
    private_key_pem=PEM,
    scheme="simple",
)
ADDRESS = "0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"
SIGNATURE = re.compile(r"0x[0-9a-f]{130}")

runner = CliRunner()


class Api:
    """A MockTransport handler: answers from `handler`, records every request."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def client(self, scheme: str | None = None) -> PartnerClient:
        http = httpx.Client(transport=httpx.MockTransport(self))
        return PartnerClient(CREDENTIALS, http=http, scheme=scheme, sleep=lambda _: None)

    def invoke(self, *args: str, env: dict[str, str] | None = None) -> Any:
        return runner.invoke(app, list(args), obj={"client_factory": self.client}, env=env)

    @property
    def calls(self) -> list[tuple[str, str]]:
        """(method, raw path with query) of every request, in order."""
        return [(r.method, r.url.raw_path.decode()) for r in self.requests]


def reply(status: int, body: Any = None) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body, headers={"Request-Id": "req_1"})


def error(status: int, code: str, type_: str = "invalid_request_error") -> httpx.Response:
    body = {"error": {"type": type_, "code": code, "message": f"{code}!", "requestId": "req_e"}}
    return httpx.Response(status, json=body, headers={"Request-Id": "req_e"})


def customer(customer_id: str = "cus_1", **fields: Any) -> dict[str, Any]:
    return {
        "id": customer_id,
        "object": "customer",
        "type": "individual",
        "status": "pending",
        "externalId": None,
        "onchainId": None,
        "onchainVerifiedAt": None,
        "capabilities": [],
        "metadata": {},
        "createdAt": "2026-02-23T12:00:00Z",
        "updatedAt": "2026-02-23T12:00:00Z",
        **fields,
    }


def is_uuid4(value: str) -> bool:
    try:
        return uuid.UUID(value).version == 4
    except ValueError:
        return False


def verify_simple_signature(request: httpx.Request) -> None:
    """The simple-scheme signature covers the request exactly as it went on the wire."""
    raw_path, _, raw_query = request.url.raw_path.decode().partition("?")
    signed = (
        "\n".join([request.headers["X-Timestamp"], request.method, raw_path, raw_query]).encode()
        + b"\n"
        + request.content
    )
    KEY.public_key().verify(base64.b64decode(request.headers["X-Signature"]), signed)


def recovered(message: str, signature: str) -> str:
    return str(Account.recover_message(encode_defunct(text=message), signature=signature))


# -- client: customers ------------------------------------------------------------------------


def test_create_customer_posts_camel_case_fields_with_an_idempotency_key() -> None:
    api = Api(reply(201, customer(externalId="crm-1")))
    with api.client() as client:
        created = client.customers.create(
            type="business",
            name="Acme Ltd",
            external_id="crm-1",
            onchain_id=f"eip155:1:{ADDRESS}",
            document_number="B123",
            country="GB",
            email=None,  # None is left out
            metadata={"tier": "gold", "gone": None},  # ... but not inside metadata
        )
    assert created["id"] == "cus_1"
    (request,) = api.requests
    assert (request.method, request.url.raw_path) == ("POST", b"/v1/customers")
    assert json.loads(request.content) == {
        "type": "business",
        "name": "Acme Ltd",
        "externalId": "crm-1",
        "onchainId": f"eip155:1:{ADDRESS}",
        "documentNumber": "B123",
        "country": "GB",
        "metadata": {"tier": "gold", "gone": None},
    }
    assert request.headers["Content-Type"] == "application/json"
    assert is_uuid4(request.headers["Idempotency-Key"])
    verify_simple_signature(request)


def test_create_customer_takes_the_api_spelling_and_a_given_idempotency_key() -> None:
    api = Api(reply(201, customer()))
    with api.client() as client:
        client.customers.create(externalId="e-1", onchainId=f"eip155:1:{ADDRESS}", idempotency_key="order-7")
    (request,) = api.requests
    assert json.loads(request.content) == {"externalId": "e-1", "onchainId": f"eip155:1:{ADDRESS}"}
    assert request.headers["Idempotency-Key"] == "order-7"


def test_get_customer_quotes_the_id_into_one_path_segment() -> None:
    api = Api(reply(200, customer()))
    with api.client() as client:
        assert client.customers.get("cus_1")["id"] == "cus_1"
        client.customers.get("cus_1/../../v1/signing-keys")
        with pytest.raises(ValueError):
            client.customers.get("..")
    assert api.calls == [
        ("GET", "/v1/customers/cus_1"),
        ("GET", "/v1/customers/cus_1%2F..%2F..%2Fv1%2Fsigning-keys"),
    ]
    assert all("Idempotency-Key" not in r.headers for r in api.requests)


def test_list_customers_sends_only_the_filters_given() -> None:
    api = Api(reply(200, {"data": [customer()], "nextCursor": "c2"}))
    with api.client() as client:
        page = client.customers.list(
            status="active", external_id="crm 1", onchain_id=f"eip155:1:{ADDRESS}", limit=5, cursor="c1"
        )
        client.customers.list()
        client.customers.list(external_id="only")
    assert page == {"data": [customer()], "nextCursor": "c2"}
    assert api.calls == [
        (
            "GET",
            f"/v1/customers?status=active&externalId=crm%201&onchainId=eip155%3A1%3A{ADDRESS}&limit=5&cursor=c1",
        ),
        ("GET", "/v1/customers"),
        ("GET", "/v1/customers?externalId=only"),
    ]
    for request in api.requests:
        verify_simple_signature(request)


def test_iterate_customers_follows_next_cursor() -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("cursor") is None:
            return httpx.Response(200, json={"data": [customer("cus_a")], "nextCursor": "n1"})
        return httpx.Response(200, json={"data": [customer("cus_b")], "nextCursor": None})

    api = Api(pages)
    with api.client() as client:
        ids = [c["id"] for c in client.customers.iterate(status="pending", limit=1)]
    assert ids == ["cus_a", "cus_b"]
    assert api.calls == [
        ("GET", "/v1/customers?status=pending&limit=1"),
        ("GET", "/v1/customers?status=pending&limit=1&cursor=n1"),
    ]


@pytest.mark.parametrize(
    ("call", "method", "path", "body"),
    [
        (lambda c: c.customers.new_challenge("cus_1"), "POST", "/v1/customers/cus_1/challenge", b""),
        (
            lambda c: c.customers.verify_challenge("cus_1", "0x" + "ab" * 65),
            "POST",
            "/v1/customers/cus_1/challenge/verify",
            ('{"signature":"0x' + "ab" * 65 + '"}').encode(),
        ),
        (lambda c: c.customers.deactivate("cus_1"), "PATCH", "/v1/customers/cus_1/deactivate", b""),
        (lambda c: c.customers.activate("cus_1"), "PATCH", "/v1/customers/cus_1/activate", b""),
    ],
    ids=["new_challenge", "verify_challenge", "deactivate", "activate"],
)
def test_customer_actions_call_their_endpoints_with_an_idempotency_key(
    call: Callable[[PartnerClient], Any], method: str, path: str, body: bytes
) -> None:
    api = Api(reply(200, customer(status="inactive")))
    with api.client() as client:
        assert call(client)["id"] == "cus_1"
    (request,) = api.requests
    assert (request.method, request.url.raw_path.decode()) == (method, path)
    assert request.content == body
    assert is_uuid4(request.headers["Idempotency-Key"])
    verify_simple_signature(request)


def test_actions_take_a_given_idempotency_key() -> None:
    api = Api(reply(200, customer()))
    with api.client() as client:
        client.customers.deactivate("cus_1", idempotency_key="d-1")
        client.customers.activate("cus_1", idempotency_key="a-1")
        client.customers.new_challenge("cus_1", idempotency_key="c-1")
        client.customers.verify_challenge("cus_1", "0x" + "00" * 65, idempotency_key="v-1")
    assert [r.headers["Idempotency-Key"] for r in api.requests] == ["d-1", "a-1", "c-1", "v-1"]


def test_a_used_challenge_raises_invalid_request_error_without_retrying() -> None:
    api = Api(lambda request: error(409, "challenge_used"))
    with api.client() as client, pytest.raises(InvalidRequestError) as caught:
        client.customers.verify_challenge("cus_1", "0x" + "ab" * 65)
    assert (caught.value.status, caught.value.code) == (409, "challenge_used")
    assert len(api.requests) == 1


# -- client: events ---------------------------------------------------------------------------


def test_list_events_filters_and_get_event() -> None:
    event = {"id": "evt_1", "object": "event", "type": "customer.created", "data": {"object": customer()}}
    api = Api(lambda r: httpx.Response(200, json=event if "evt_1" in r.url.path else {"data": [event]}))
    paris = datetime.timezone(datetime.timedelta(hours=1))
    with api.client() as client:
        client.events.list(type="customer.created", created_after="2026-02-23T12:00:00Z", limit=3, cursor="c")
        client.events.list(created_after=datetime.datetime(2026, 2, 23, 13, 0, 5, 900, tzinfo=paris))
        client.events.list()
        assert client.events.get("evt_1") == event
        with pytest.raises(ValueError, match="timezone-aware"):
            client.events.list(created_after=datetime.datetime(2026, 2, 23, 12, 0))
    assert api.calls == [
        ("GET", "/v1/events?type=customer.created&createdAfter=2026-02-23T12%3A00%3A00Z&limit=3&cursor=c"),
        ("GET", "/v1/events?createdAfter=2026-02-23T12%3A00%3A05Z"),
        ("GET", "/v1/events"),
        ("GET", "/v1/events/evt_1"),
    ]


def test_iterate_events_follows_next_cursor() -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("cursor") is None:
            return httpx.Response(200, json={"data": [{"id": "evt_b"}], "nextCursor": "n"})
        return httpx.Response(200, json={"data": [{"id": "evt_a"}], "nextCursor": None})

    api = Api(pages)
    with api.client() as client:
        assert [e["id"] for e in client.events.iterate(type="customer.updated")] == ["evt_b", "evt_a"]
    assert api.calls[1] == ("GET", "/v1/events?type=customer.updated&cursor=n")


# -- partner_sdk.ethereum ---------------------------------------------------------------------


def test_new_wallet_returns_a_key_and_its_checksummed_address() -> None:
    key, address = ethereum.new_wallet()
    assert re.fullmatch(r"0x[0-9a-f]{64}", key)
    assert Account.from_key(key).address == address
    assert ethereum.address_of(key) == address == ethereum.address_of(key.removeprefix("0x"))
    assert ethereum.new_wallet()[0] != key


def test_sign_challenge_makes_a_personal_sign_signature_that_recovers_the_signer() -> None:
    key, address = ethereum.new_wallet()
    message = "api.test wants you to sign in with your Ethereum account:\n" + address + "\n\nNonce: abc12345"
    signature = ethereum.sign_challenge(message, key)
    assert SIGNATURE.fullmatch(signature)  # 0x + 130 hex, the API's pattern
    assert int(signature[-2:], 16) in (27, 28)
    assert recovered(message, signature) == address
    assert ethereum.sign_challenge(message, key.removeprefix("0x")) == signature  # RFC 6979: deterministic
    assert recovered(message + " ", signature) != address  # bound to the exact message
    # The same bytes eth-account's own personal_sign gives.
    expected = Account.sign_message(encode_defunct(text=message), private_key=key).signature
    assert signature == "0x" + bytes(expected).hex()


@pytest.mark.parametrize(
    "bad", ["", "0x1234", "zz" * 32, "0x" + "00" * 32, "0x" + "ff" * 32, "0x" + "ab" * 33]
)
def test_bad_private_keys_are_refused_without_echoing_them(bad: str) -> None:
    with pytest.raises(ValueError) as caught:
        ethereum.sign_challenge("hello", bad)
    assert not bad or bad not in str(caught.value)
    with pytest.raises(ValueError):
        ethereum.address_of(bad)


def test_caip10() -> None:
    assert ethereum.caip10(ADDRESS) == f"eip155:1:{ADDRESS}"
    assert ethereum.caip10(ADDRESS.lower(), 137) == f"eip155:137:{ADDRESS}"
    assert ethereum.caip10("0x" + ADDRESS[2:].upper()) == f"eip155:1:{ADDRESS}"
    with pytest.raises(ValueError, match="checksum"):
        ethereum.caip10("0xAB16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb")
    for address, chain_id in [("0x1234", 1), (ADDRESS, 0), (ADDRESS, True), ("ab" * 20, 1)]:
        with pytest.raises(ValueError):
            ethereum.caip10(address, chain_id)


def test_importing_the_sdk_and_cli_loads_neither_eth_account_nor_the_server() -> None:
    code = (
        "import sys, partner_sdk, partner_sdk.cli, partner_sdk.ethereum\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('eth_account', 'eth_utils', 'core'))\n"
        "assert not heavy, heavy\n"
    )
    env = {"PYTHONPATH": str(ROOT / "sdk"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr


def test_the_sdk_never_imports_the_server_package() -> None:
    for path in (ROOT / "sdk" / "partner_sdk").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n == "core" or n.startswith("core.") for n in names), (path.name, names)


# -- partner customers ------------------------------------------------------------------------


def test_cli_create_sends_every_option() -> None:
    api = Api(reply(201, customer(externalId="crm-1", name="Acme")))
    result = api.invoke(
        "customers",
        "create",
        "--type",
        "business",
        "--name",
        "Acme",
        "--email",
        "ops@acme.example",
        "--country",
        "GB",
        "--document-number",
        "B123",
        "--external-id",
        "crm-1",
        "--onchain-id",
        f"eip155:1:{ADDRESS}",
        "--metadata",
        "tier=gold",
        "--metadata",
        "note=a=b",
        "--metadata",
        "empty=",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "cus_1"
    (request,) = api.requests
    assert (request.method, request.url.path) == ("POST", "/v1/customers")
    assert json.loads(request.content) == {
        "type": "business",
        "name": "Acme",
        "email": "ops@acme.example",
        "country": "GB",
        "documentNumber": "B123",
        "externalId": "crm-1",
        "onchainId": f"eip155:1:{ADDRESS}",
        "metadata": {"tier": "gold", "note": "a=b", "empty": ""},
    }
    assert is_uuid4(request.headers["Idempotency-Key"])


def test_cli_create_minimal_prints_a_table() -> None:
    api = Api(reply(201, customer(externalId="[bold]x", verificationUrl="https://k.example/s")))
    result = api.invoke("customers", "create", "--external-id", "[bold]x")
    assert result.exit_code == 0, result.output
    assert json.loads(api.requests[0].content) == {"externalId": "[bold]x"}
    assert "cus_1" in result.stdout and "pending" in result.stdout
    assert "[bold]x" in result.stdout  # data is never read as rich markup


def test_cli_create_with_a_new_wallet_uses_its_caip10_id_and_prints_the_key() -> None:
    def created(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        challenge = {"message": "sign me", "expiresAt": "2026-02-23T12:15:00Z"}
        return httpx.Response(201, json=customer(onchainId=body["onchainId"], challenge=challenge))

    api = Api(created)
    result = api.invoke("customers", "create", "--new-wallet", "--chain-id", "137", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    wallet = shown["wallet"]
    assert Account.from_key(wallet["privateKey"]).address == wallet["address"]
    assert wallet["onchainId"] == f"eip155:137:{wallet['address']}" == shown["onchainId"]
    assert json.loads(api.requests[0].content) == {"onchainId": wallet["onchainId"]}
    assert shown["challenge"]["message"] == "sign me"

    table = api.invoke("customers", "create", "--new-wallet", "--external-id", "w-1")
    assert table.exit_code == 0, table.output
    key = re.search(r"Wallet private key: (0x[0-9a-f]{64})", table.stdout)
    assert key is not None
    assert f"partner customers verify cus_1 --wallet-key {key.group(1)}" in table.stdout
    assert "sign me" in table.stdout


def test_cli_create_with_a_wallet_key_uses_its_address() -> None:
    key, address = ethereum.new_wallet()
    api = Api(reply(201, customer()))
    result = api.invoke("customers", "create", "--wallet-key", key, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(api.requests[0].content) == {"onchainId": f"eip155:1:{address}"}
    assert "wallet" not in json.loads(result.stdout)  # the caller already holds that key
    assert key not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "--external-id"),
        (("--name", "Ada"), "--external-id"),
        (("--new-wallet", "--wallet-key", "0x" + "11" * 32), "not both"),
        (("--wallet-key", "0x12"), "--wallet-key"),
        (("--wallet-key", "0x" + "11" * 32, "--onchain-id", f"eip155:1:{ADDRESS}"), "--onchain-id"),
        (("--external-id", "x", "--metadata", "novalue"), "KEY=VALUE"),
        (("--external-id", "x", "--metadata", "=v"), "KEY=VALUE"),
    ],
)
def test_cli_create_refuses_bad_input_with_exit_2(args: tuple[str, ...], message: str) -> None:
    api = Api(reply(201, customer()))
    result = api.invoke("customers", "create", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert api.requests == []


def test_cli_create_of_a_duplicate_exits_1_with_the_envelope() -> None:
    api = Api(lambda request: error(409, "resource_already_exists"))
    result = api.invoke("customers", "create", "--external-id", "dup", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "resource_already_exists"


def test_cli_get() -> None:
    api = Api(reply(200, customer("cus_42", name="Zoë")))
    result = api.invoke("customers", "get", "cus_42")
    assert result.exit_code == 0, result.output
    assert "cus_42" in result.stdout and "Zoë" in result.stdout
    assert api.calls == [("GET", "/v1/customers/cus_42")]
    assert json.loads(api.invoke("customers", "get", "cus_42", "--json").stdout)["name"] == "Zoë"


def test_cli_get_of_an_unknown_customer_exits_1() -> None:
    api = Api(lambda request: error(404, "resource_missing"))
    result = api.invoke("customers", "get", "cus_nope")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "HTTP 404 Not Found"
    assert "resource_missing" in result.stdout


def test_cli_list_one_page_with_filters() -> None:
    api = Api(reply(200, {"data": [customer("cus_a", externalId="e-1")], "nextCursor": "n1"}))
    result = api.invoke(
        "customers",
        "list",
        "--status",
        "pending",
        "--external-id",
        "e-1",
        "--onchain-id",
        f"eip155:1:{ADDRESS}",
        "--limit",
        "5",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"data": [customer("cus_a", externalId="e-1")], "nextCursor": "n1"}
    assert api.calls == [
        ("GET", f"/v1/customers?status=pending&externalId=e-1&onchainId=eip155%3A1%3A{ADDRESS}&limit=5")
    ]
    table = api.invoke("customers", "list", "--cursor", "n0")
    assert table.exit_code == 0, table.output
    assert "cus_a" in table.stdout and "1 customer(s)" in table.stdout
    assert "--cursor n1" in table.stdout
    assert api.calls[-1] == ("GET", "/v1/customers?cursor=n0")


def test_cli_list_all_follows_every_page() -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("cursor") is None:
            return httpx.Response(200, json={"data": [customer("cus_b")], "nextCursor": "n"})
        return httpx.Response(200, json={"data": [customer("cus_a")], "nextCursor": None})

    api = Api(pages)
    result = api.invoke("customers", "list", "--all", "--limit", "1", "--status", "active", "--json")
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert [c["id"] for c in page["data"]] == ["cus_b", "cus_a"] and page["nextCursor"] is None
    assert api.calls == [
        ("GET", "/v1/customers?status=active&limit=1"),
        ("GET", "/v1/customers?status=active&limit=1&cursor=n"),
    ]
    bad = api.invoke("customers", "list", "--status", "sleeping")
    assert bad.exit_code == 2
    assert api.invoke("customers", "list", "--all", "--cursor", "x").exit_code == 2


def test_cli_challenge_prints_the_message() -> None:
    challenge = {"message": "api.test wants you to sign in", "expiresAt": "2026-02-23T12:15:00Z"}
    api = Api(reply(200, customer(challenge=challenge)))
    result = api.invoke("customers", "challenge", "cus_1")
    assert result.exit_code == 0, result.output
    assert "api.test wants you to sign in" in result.stdout and "2026-02-23T12:15:00Z" in result.stdout
    assert api.calls == [("POST", "/v1/customers/cus_1/challenge")]
    assert "Idempotency-Key" in api.requests[0].headers


class ChallengeApi(Api):
    """GET customer, POST challenge (a fresh message each time) and POST verify, which
    recovers the signer as the server does."""

    def __init__(self, address: str) -> None:
        self.onchain_id = f"eip155:1:{address}"
        self.messages: list[str] = []
        super().__init__(self.route)

    def route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == "/v1/customers/cus_1":
            return httpx.Response(200, json=customer(onchainId=self.onchain_id))
        if request.method == "POST" and path == "/v1/customers/cus_1/challenge":
            self.messages.append(f"example.test wants you to sign in\nNonce: n{len(self.messages)}")
            challenge = {"message": self.messages[-1], "expiresAt": "2026-02-23T12:15:00Z"}
            return httpx.Response(200, json=customer(onchainId=self.onchain_id, challenge=challenge))
        if request.method == "POST" and path == "/v1/customers/cus_1/challenge/verify":
            signature = json.loads(request.content)["signature"]
            if recovered(self.messages[-1], signature) != self.onchain_id.rsplit(":", 1)[1]:
                return error(422, "signature_mismatch")
            verified = customer(onchainId=self.onchain_id, onchainVerifiedAt="2026-02-23T12:01:00Z")
            return httpx.Response(200, json=verified)
        return error(404, "resource_missing")


def test_cli_verify_with_the_wallet_key_asks_for_a_challenge_signs_and_verifies() -> None:
    key, address = ethereum.new_wallet()
    api = ChallengeApi(address)
    result = api.invoke("customers", "verify", "cus_1", "--wallet-key", key, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["onchainVerifiedAt"] == "2026-02-23T12:01:00Z"
    assert api.calls == [
        ("GET", "/v1/customers/cus_1"),
        ("POST", "/v1/customers/cus_1/challenge"),
        ("POST", "/v1/customers/cus_1/challenge/verify"),
    ]
    signature = json.loads(api.requests[2].content)["signature"]
    assert SIGNATURE.fullmatch(signature)
    assert recovered(api.messages[0], signature) == address
    assert all(is_uuid4(r.headers["Idempotency-Key"]) for r in api.requests[1:])
    assert key not in result.stdout


def test_cli_verify_reads_the_key_from_the_environment() -> None:
    key, address = ethereum.new_wallet()
    api = ChallengeApi(address)
    result = api.invoke("customers", "verify", "cus_1", env={"PARTNER_WALLET_KEY": key})
    assert result.exit_code == 0, result.output
    assert "2026-02-23T12:01:00Z" in result.stdout


def test_cli_verify_with_another_wallet_key_asks_for_no_challenge() -> None:
    _, address = ethereum.new_wallet()
    other, other_address = ethereum.new_wallet()
    api = ChallengeApi(address)
    result = api.invoke("customers", "verify", "cus_1", "--wallet-key", other)
    assert result.exit_code == 2
    assert other_address in result.stderr and address in result.stderr
    assert api.calls == [("GET", "/v1/customers/cus_1")]


def test_cli_verify_of_a_customer_without_onchain_id_exits_2() -> None:
    api = Api(reply(200, customer(externalId="e-1")))
    result = api.invoke("customers", "verify", "cus_1", "--wallet-key", ethereum.new_wallet()[0])
    assert result.exit_code == 2
    assert "no onchainId" in result.stderr
    assert len(api.requests) == 1


def test_cli_verify_with_a_signature_made_elsewhere() -> None:
    signature = "0x" + "ab" * 65
    api = Api(reply(200, customer(onchainVerifiedAt="2026-02-23T12:01:00Z")))
    result = api.invoke("customers", "verify", "cus_1", "--signature", signature)
    assert result.exit_code == 0, result.output
    assert api.calls == [("POST", "/v1/customers/cus_1/challenge/verify")]
    assert json.loads(api.requests[0].content) == {"signature": signature}


def test_cli_verify_of_a_used_challenge_exits_1() -> None:
    api = Api(lambda request: error(409, "challenge_used"))
    result = api.invoke("customers", "verify", "cus_1", "--signature", "0x" + "ab" * 65, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "challenge_used"


@pytest.mark.parametrize(
    "args", [(), ("--signature", "0x00", "--wallet-key", "0x" + "11" * 32), ("--wallet-key", "nothex")]
)
def test_cli_verify_needs_exactly_one_usable_proof(args: tuple[str, ...]) -> None:
    api = Api(reply(200, customer()))
    result = api.invoke("customers", "verify", "cus_1", *args, env={"PARTNER_WALLET_KEY": ""})
    assert result.exit_code == 2, result.output
    assert api.requests == []


@pytest.mark.parametrize("action", ["deactivate", "activate"])
def test_cli_deactivate_and_activate(action: str) -> None:
    status = "inactive" if action == "deactivate" else "active"
    api = Api(reply(200, customer(status=status)))
    result = api.invoke("customers", action, "cus_1", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == status
    assert api.calls == [("PATCH", f"/v1/customers/cus_1/{action}")]
    assert is_uuid4(api.requests[0].headers["Idempotency-Key"])
    assert status in api.invoke("customers", action, "cus_1").stdout


def test_cli_an_illegal_transition_exits_1() -> None:
    api = Api(lambda request: error(409, "state_conflict"))
    result = api.invoke("customers", "deactivate", "cus_1")
    assert result.exit_code == 1
    assert "HTTP 409 Conflict" in result.stdout and "state_conflict" in result.stdout


def test_cli_customers_without_credentials_exit_2() -> None:
    def factory(scheme: str | None) -> PartnerClient:
        raise CredentialsError("no partner API credentials found")

    result = runner.invoke(app, ["customers", "list"], obj={"client_factory": factory})
    assert result.exit_code == 2
    assert "no partner API credentials found" in result.stderr


# -- partner events ---------------------------------------------------------------------------


def event(event_id: str, type_: str, object_id: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": type_,
        "createdAt": "2026-02-23T12:00:00Z",
        "data": {"object": customer(object_id), "changedFields": ["status"]},
    }


def test_cli_events_list() -> None:
    api = Api(reply(200, {"data": [event("evt_1", "customer.created", "cus_9")], "nextCursor": None}))
    result = api.invoke(
        "events",
        "list",
        "--type",
        "customer.created",
        "--created-after",
        "2026-02-23T12:00:00Z",
        "--limit",
        "10",
    )
    assert result.exit_code == 0, result.output
    assert "evt_1" in result.stdout and "customer.created" in result.stdout and "cus_9" in result.stdout
    assert api.calls == [
        ("GET", "/v1/events?type=customer.created&createdAfter=2026-02-23T12%3A00%3A00Z&limit=10")
    ]
    as_json = api.invoke("events", "list", "--json")
    assert json.loads(as_json.stdout)["data"][0]["id"] == "evt_1"


def test_cli_events_list_all() -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("cursor") is None:
            return httpx.Response(200, json={"data": [event("evt_2", "a.b", "cus_1")], "nextCursor": "n"})
        return httpx.Response(200, json={"data": [event("evt_1", "a.b", "cus_1")], "nextCursor": None})

    api = Api(pages)
    result = api.invoke("events", "list", "--all", "--json")
    assert result.exit_code == 0, result.output
    assert [e["id"] for e in json.loads(result.stdout)["data"]] == ["evt_2", "evt_1"]


def test_cli_events_get() -> None:
    api = Api(reply(200, event("evt_7", "customer.updated", "cus_3")))
    result = api.invoke("events", "get", "evt_7")
    assert result.exit_code == 0, result.output
    assert "evt_7" in result.stdout and "customer.updated" in result.stdout and "cus_3" in result.stdout
    assert api.calls == [("GET", "/v1/events/evt_7")]
    assert json.loads(api.invoke("events", "get", "evt_7", "--json").stdout)["id"] == "evt_7"


def test_cli_events_bad_filter_exits_1_with_the_envelope() -> None:
    api = Api(lambda request: error(400, "parameter_invalid"))
    result = api.invoke("events", "list", "--created-after", "yesterday")
    assert result.exit_code == 1
    assert "parameter_invalid" in result.stdout
