"""The `partner` CLI through typer's CliRunner, with the client on an httpx.MockTransport."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from typer.testing import CliRunner

from partner_sdk import Credentials, CredentialsError, PartnerClient
from partner_sdk.cli import app

KEY = ed25519.Ed25519PrivateKey.generate()
PEM = KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
CREDENTIALS = Credentials(
    base_url="https://api.example.test", api_key="sk_test", signing_key_id="sig_1", private_key_pem=PEM
)

runner = CliRunner()


class Harness:
    """Answers requests from `handler`, records them and the scheme the CLI asked for."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []
        self.schemes: list[str | None] = []

    def _transport(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def factory(self, scheme: str | None) -> PartnerClient:
        self.schemes.append(scheme)
        http = httpx.Client(transport=httpx.MockTransport(self._transport))
        return PartnerClient(CREDENTIALS, http=http, scheme=scheme, sleep=lambda _: None)

    def invoke(self, *args: str) -> Any:
        return runner.invoke(app, list(args), obj={"client_factory": self.factory})


def answer(
    status: int, body: Any = None, headers: dict[str, str] | None = None
) -> Callable[..., httpx.Response]:
    headers = {"Request-Id": "req_123", **(headers or {})}
    return lambda request: httpx.Response(status, json=body, headers=headers)


# -- partner request ------------------------------------------------------------------------


def test_request_get_prints_status_headers_and_pretty_body() -> None:
    harness = Harness(answer(200, {"data": [{"id": "cus_1"}], "nextCursor": None}))
    result = harness.invoke("request", "GET", "/v1/customers?limit=1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "HTTP 200 OK"
    assert "Request-Id: req_123" in lines
    assert json.loads("\n".join(lines[2:])) == {"data": [{"id": "cus_1"}], "nextCursor": None}
    (request,) = harness.requests
    assert request.url.raw_path == b"/v1/customers?limit=1"
    assert "Signature-Input" in request.headers
    assert harness.schemes == [None]


def test_request_post_sends_compact_json_with_the_given_idempotency_key() -> None:
    harness = Harness(answer(201, {"id": "cus_1"}, {"Idempotency-Replayed": "true"}))
    data = '{"type": "individual", "name": "Ada"}'
    result = harness.invoke("request", "post", "/v1/customers", "--data", data, "--idempotency-key", "k-1")
    assert result.exit_code == 0, result.output
    assert "HTTP 201 Created" in result.stdout
    assert "Idempotency-Replayed: true" in result.stdout
    (request,) = harness.requests
    assert request.content == b'{"type":"individual","name":"Ada"}'
    assert request.headers["Idempotency-Key"] == "k-1"


def test_request_reads_data_from_a_file(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text('{\n  "signature": "0xabc"\n}\n')
    harness = Harness(answer(200, {"id": "cus_1"}))
    result = harness.invoke("request", "POST", "/v1/customers/cus_1/challenge/verify", "--data", f"@{body}")
    assert result.exit_code == 0, result.output
    assert harness.requests[0].content == b'{"signature":"0xabc"}'


def test_request_raw_sends_data_verbatim() -> None:
    harness = Harness(answer(400, {"error": {"type": "invalid_request_error", "code": "body_not_json"}}))
    result = harness.invoke("request", "POST", "/v1/customers", "--data", " [1,  2]\n", "--raw")
    assert harness.requests[0].content == b" [1,  2]\n"
    assert result.exit_code == 1


def test_request_scheme_option_reaches_the_client() -> None:
    harness = Harness(answer(200, {}))
    result = harness.invoke("request", "GET", "/v1/customers", "--scheme", "simple")
    assert result.exit_code == 0, result.output
    assert harness.schemes == ["simple"]
    assert "X-Signature" in harness.requests[0].headers


def test_request_error_prints_the_envelope_and_exits_1() -> None:
    error = {
        "error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such customer"}
    }
    harness = Harness(answer(404, error))
    result = harness.invoke("request", "GET", "/v1/customers/cus_404")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "HTTP 404 Not Found"
    assert "resource_missing" in result.stdout
    assert "Request-Id: req_123" in result.stdout


def test_request_json_prints_only_the_body() -> None:
    harness = Harness(answer(200, {"id": "cus_1", "name": "Zoë"}))
    result = harness.invoke("request", "GET", "/v1/customers/cus_1", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"id": "cus_1", "name": "Zoë"}


def test_request_json_on_error_prints_the_error_body_and_exits_1() -> None:
    harness = Harness(answer(403, {"error": {"type": "permission_error", "code": "scope_missing"}}))
    result = harness.invoke("request", "GET", "/v1/customers", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"]["code"] == "scope_missing"


def test_request_rejects_data_that_is_not_json() -> None:
    harness = Harness(answer(200, {}))
    result = harness.invoke("request", "POST", "/v1/customers", "--data", "{nope")
    assert result.exit_code == 2
    assert "--raw" in result.stderr
    assert harness.requests == []


def test_missing_credentials_exit_2_with_the_reason() -> None:
    def factory(scheme: str | None) -> PartnerClient:
        raise CredentialsError("no partner API credentials found")

    result = runner.invoke(app, ["request", "GET", "/v1/customers"], obj={"client_factory": factory})
    assert result.exit_code == 2
    assert "no partner API credentials found" in result.stderr


def test_a_network_failure_exits_1() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused")

    harness = Harness(refuse)
    result = harness.invoke("request", "GET", "/v1/customers")
    assert result.exit_code == 1
    assert "cannot reach the API" in result.stderr
    assert len(harness.requests) == 3  # the client's retries ran


# -- partner signing-keys ----------------------------------------------------------------------


def test_signing_keys_create_posts_the_pem(tmp_path: Path) -> None:
    public = tmp_path / "public_key.pem"
    public.write_text("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n")
    harness = Harness(answer(201, {"id": "sig_2", "algorithm": "ed25519"}))
    result = harness.invoke(
        "signing-keys", "create", "--public-key-file", str(public), "--algorithm", "ed25519", "--json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id": "sig_2", "algorithm": "ed25519"}
    (request,) = harness.requests
    assert (request.method, request.url.path) == ("POST", "/v1/signing-keys")
    assert json.loads(request.content) == {"publicKey": public.read_text(), "algorithm": "ed25519"}


def test_signing_keys_create_sends_a_jwk_as_an_object(tmp_path: Path) -> None:
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    path = tmp_path / "key.jwk"
    path.write_text(json.dumps(jwk))
    harness = Harness(answer(201, {"id": "sig_3"}))
    result = harness.invoke("signing-keys", "create", "--public-key-file", str(path))
    assert result.exit_code == 0, result.output
    assert json.loads(harness.requests[0].content) == {"publicKey": jwk}
    assert "sig_3" in result.stdout


def test_signing_keys_list_follows_pages() -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("cursor") is None:
            return httpx.Response(
                200, json={"data": [{"id": "sig_a", "algorithm": "ed25519"}], "nextCursor": "n"}
            )
        return httpx.Response(
            200, json={"data": [{"id": "sig_b", "algorithm": "ecdsa-p256-sha256"}], "nextCursor": None}
        )

    harness = Harness(pages)
    result = harness.invoke("signing-keys", "list", "--json")
    assert result.exit_code == 0, result.output
    assert [k["id"] for k in json.loads(result.stdout)] == ["sig_a", "sig_b"]
    table = harness.invoke("signing-keys", "list")
    assert table.exit_code == 0, table.output
    assert "sig_a" in table.stdout and "ecdsa-p256-sha256" in table.stdout
    assert "2 signing key(s)" in table.stdout


def test_signing_keys_delete() -> None:
    harness = Harness(lambda request: httpx.Response(204))
    result = harness.invoke("signing-keys", "delete", "sig_old", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"id": "sig_old", "deleted": True}
    assert (harness.requests[0].method, harness.requests[0].url.path) == (
        "DELETE",
        "/v1/signing-keys/sig_old",
    )


def test_signing_keys_delete_of_an_unknown_key_exits_1() -> None:
    harness = Harness(answer(404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}))
    result = harness.invoke("signing-keys", "delete", "sig_none")
    assert result.exit_code == 1
    assert "HTTP 404" in result.stdout


@pytest.mark.parametrize("algorithm", ["ed25519", "ecdsa-p384-sha384"])
def test_signing_keys_generate_writes_a_usable_pair(tmp_path: Path, algorithm: str) -> None:
    out = tmp_path / "keys"
    result = runner.invoke(
        app, ["signing-keys", "generate", "--algorithm", algorithm, "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    paths = json.loads(result.stdout)
    private = serialization.load_pem_private_key(Path(paths["privateKeyFile"]).read_bytes(), password=None)
    public = serialization.load_pem_public_key(Path(paths["publicKeyFile"]).read_bytes())
    assert private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert stat.S_IMODE(Path(paths["privateKeyFile"]).stat().st_mode) == 0o600
    # A second run does not overwrite the pair
    again = runner.invoke(app, ["signing-keys", "generate", "--algorithm", algorithm, "--out", str(out)])
    assert again.exit_code == 2
    assert "already exists" in again.stderr


def test_signing_keys_generate_rejects_unknown_algorithms(tmp_path: Path) -> None:
    result = runner.invoke(app, ["signing-keys", "generate", "--algorithm", "dsa", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert list(tmp_path.iterdir()) == []
