"""Over real HTTP against the local API, as a partner would call it: the signing client
with both schemes, and raw (curl-equivalent) requests for the error cases."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
import pytest

from partner_sdk import signing
from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file
from partner_sdk.errors import AuthenticationError, IdempotencyError, InvalidRequestError

pytestmark = pytest.mark.e2e


def client(local_api: tuple[str, Path], scheme: str) -> PartnerClient:
    return PartnerClient(credentials_from_file(local_api[1]), scheme=scheme)


@pytest.mark.parametrize("scheme", ["rfc9421", "simple"])
def test_rotation_through_the_api(local_api: tuple[str, Path], scheme: str) -> None:
    with client(local_api, scheme) as api:
        private = signing.generate_private_key("ed25519")
        created = api.signing_keys.create(signing.public_key_pem(private))
        assert created["id"].startswith("sig_")
        ids = [k["id"] for k in api.signing_keys.list(limit=100)["data"]]
        assert created["id"] in ids
        api.signing_keys.delete(created["id"])
        assert created["id"] not in [k["id"] for k in api.iterate("/v1/signing-keys")]


def test_idempotent_replay_over_http(local_api: tuple[str, Path]) -> None:
    with client(local_api, "rfc9421") as api:
        body = {"publicKey": signing.public_key_pem(signing.generate_private_key("ed25519"))}
        key = str(uuid.uuid4())
        first = api.request("POST", "/v1/signing-keys", json=body, idempotency_key=key)
        second = api.request("POST", "/v1/signing-keys", json=body, idempotency_key=key)
        assert first.status == second.status == 201
        assert second.content == first.content
        assert second.replayed and not first.replayed
        with pytest.raises(IdempotencyError) as info:
            api.request("POST", "/v1/signing-keys", json={"publicKey": "other"}, idempotency_key=key)
        assert info.value.code == "duplicate_idempotency_key"
        api.signing_keys.delete(first.json()["id"])


def test_the_client_raises_typed_errors(local_api: tuple[str, Path]) -> None:
    with client(local_api, "rfc9421") as api:
        with pytest.raises(InvalidRequestError) as info:
            api.request("POST", "/v1/signing-keys", json={"publicKey": "nope"})
        assert (info.value.status, info.value.code, info.value.param) == (
            400,
            "parameter_invalid",
            "publicKey",
        )
        with pytest.raises(InvalidRequestError) as info:
            api.signing_keys.delete("sig_01JNOTHERE0000000000000000")
        assert info.value.status == 404


def raw(
    local_api: tuple[str, Path],
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    content: bytes = b"",
) -> httpx.Response:
    return httpx.request(method, local_api[0] + path, headers=headers or {}, content=content)


def test_raw_requests_without_key_or_signature(local_api: tuple[str, Path]) -> None:
    creds = json.loads(local_api[1].read_text())
    reply = raw(local_api, "GET", "/v1/signing-keys")
    assert reply.status_code == 401 and reply.json()["error"]["code"] == "api_key_missing"
    assert reply.headers["Request-Id"] == reply.json()["error"]["requestId"]
    reply = raw(local_api, "GET", "/v1/signing-keys", headers={"Authorization": f"Bearer {creds['apiKey']}"})
    assert reply.json()["error"]["code"] == "signature_missing"
    reply = raw(local_api, "GET", "/v1/signing-keys", headers={"Authorization": "Bearer sk_test_garbage"})
    assert reply.json()["error"]["code"] == "api_key_invalid"


def test_raw_request_signed_by_hand_with_the_simple_scheme(local_api: tuple[str, Path]) -> None:
    creds = json.loads(local_api[1].read_text())
    private = signing.load_private_key(creds["privateKeyPem"])
    ts = int(time.time())
    headers = {"Authorization": f"Bearer {creds['apiKey']}"}
    headers.update(
        signing.simple_headers(
            private_key=private,
            key_id=creds["signingKeyId"],
            method="GET",
            path="/v1/signing-keys",
            query="limit=2",
            body=b"",
            timestamp=ts,
        )
    )
    assert raw(local_api, "GET", "/v1/signing-keys?limit=2", headers=headers).status_code == 200
    # The same signature over a different query string is refused.
    reply = raw(local_api, "GET", "/v1/signing-keys?limit=3", headers=headers)
    assert (reply.status_code, reply.json()["error"]["code"]) == (401, "signature_invalid")
    # An old timestamp is refused.
    headers.update(
        signing.simple_headers(
            private_key=private,
            key_id=creds["signingKeyId"],
            method="GET",
            path="/v1/signing-keys",
            query="",
            body=b"",
            timestamp=ts - 61,
        )
    )
    reply = raw(local_api, "GET", "/v1/signing-keys", headers=headers)
    assert reply.json()["error"]["code"] == "timestamp_out_of_range"


def test_raw_body_errors(local_api: tuple[str, Path]) -> None:
    creds = json.loads(local_api[1].read_text())
    private = signing.load_private_key(creds["privateKeyPem"])

    def signed_post(body: bytes) -> httpx.Response:
        headers = {"Authorization": f"Bearer {creds['apiKey']}", "Content-Type": "application/json"}
        headers.update(
            signing.rfc9421_headers(
                private_key=private,
                key_id=creds["signingKeyId"],
                algorithm="ed25519",
                method="POST",
                url=local_api[0] + "/v1/signing-keys",
                body=body,
                created=int(time.time()),
            )
        )
        return raw(local_api, "POST", "/v1/signing-keys", headers=headers, content=body)

    assert signed_post(b"not json").json()["error"]["code"] == "body_not_json"
    reply = signed_post(b'{"publicKey": "x", "createdAt": "2026-01-01T00:00:00Z"}')
    assert (reply.json()["error"]["code"], reply.json()["error"]["param"]) == (
        "parameter_unknown",
        "createdAt",
    )
    reply = signed_post(b"{" + b" " * (256 * 1024 + 1) + b"}")
    assert (reply.status_code, reply.json()["error"]["code"]) == (413, "body_too_large")


def test_a_wrong_key_is_refused_by_the_client(local_api: tuple[str, Path], tmp_path: Path) -> None:
    creds = json.loads(local_api[1].read_text())
    creds["apiKey"] = creds["apiKey"][:-4] + "AAAA"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(creds))
    with PartnerClient(credentials_from_file(path)) as api, pytest.raises(AuthenticationError) as info:
        api.signing_keys.list()
    assert info.value.code == "api_key_invalid"


def test_a_key_revoked_by_the_operator_cannot_write(local_api: tuple[str, Path]) -> None:
    """The operator CLI revokes through DynamoDB from another process; the server's cached
    copy of the key may still read for API_KEY_CACHE_SECONDS, but a write re-checks the key
    inside its own transaction and is refused at once."""
    import subprocess
    import sys

    creds = json.loads(local_api[1].read_text())
    operator = [
        str(Path(sys.executable).parent / "operator"),
        "--table",
        creds["tableName"],
        "--endpoint-url",
        creds["dynamodbEndpoint"],
    ]
    issued = json.loads(
        subprocess.run(
            [
                *operator,
                "key",
                "issue",
                "--tenant",
                creds["tenantId"],
                "--signature-policy",
                "optional",
                "--json",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    headers = {"Authorization": f"Bearer {issued['apiKey']}"}
    assert raw(local_api, "GET", "/v1/signing-keys", headers=headers).status_code == 200
    subprocess.run(
        [*operator, "key", "revoke", "--tenant", creds["tenantId"], issued["id"], "--json", "--yes"],
        check=True,
        capture_output=True,
    )
    pem = signing.public_key_pem(signing.generate_private_key("ed25519")).encode()
    body = json.dumps({"publicKey": pem.decode()}).encode()
    reply = raw(local_api, "POST", "/v1/signing-keys", headers=headers, content=body)
    assert (reply.status_code, reply.json()["error"]["code"]) == (401, "api_key_revoked")
