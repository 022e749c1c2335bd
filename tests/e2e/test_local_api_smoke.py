"""The local API over real HTTP: routing errors, authentication, and a signed round trip."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from localapi.process import localapi_command, serve_environment
from tests.support.raw_signing import signed_headers

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def credentials(local_api: tuple[str, Path]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(local_api[1].read_text())
    return document


@pytest.fixture
def http(local_api: tuple[str, Path]) -> Any:
    with httpx.Client(base_url=local_api[0], timeout=10) as client:
        yield client


def assert_envelope(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"]["code"] == code
    assert response.headers["Request-Id"].startswith("req_")
    assert body["error"]["requestId"] == response.headers["Request-Id"]
    return body


def test_credentials_file(local_api: tuple[str, Path], credentials: dict[str, Any]) -> None:
    base_url, path = local_api
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert credentials["baseUrl"] == base_url
    assert credentials["apiKey"].startswith("sk_test_")
    assert credentials["signingKeyId"].startswith("sig_")
    assert credentials["apiKeyId"].startswith("key_")
    assert credentials["tenantId"].startswith("ptn_")
    assert credentials["algorithm"] == "ed25519"
    assert "PRIVATE KEY" in credentials["privateKeyPem"] and "PUBLIC KEY" in credentials["publicKeyPem"]
    assert credentials["dynamodbEndpoint"].startswith("http://127.0.0.1:")
    assert credentials["tableName"] and len(credentials["cursorSecret"]) >= 32


def test_unknown_route_is_404(http: httpx.Client) -> None:
    body = assert_envelope(http.get("/v1/nope"), 404, "resource_missing")
    assert body["error"]["type"] == "invalid_request_error"


def test_wrong_method_is_405_with_allow(http: httpx.Client) -> None:
    response = http.patch("/v1/signing-keys", json={})
    assert_envelope(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_missing_api_key_is_401(http: httpx.Client) -> None:
    body = assert_envelope(http.get("/v1/signing-keys"), 401, "api_key_missing")
    assert body["error"]["type"] == "authentication_error"


def test_unsigned_request_is_401_signature_missing(http: httpx.Client, credentials: dict[str, Any]) -> None:
    response = http.get("/v1/signing-keys", headers={"Authorization": f"Bearer {credentials['apiKey']}"})
    assert_envelope(response, 401, "signature_missing")


def test_signed_request_lists_the_sandbox_signing_key(
    http: httpx.Client, local_api: tuple[str, Path], credentials: dict[str, Any]
) -> None:
    url = f"{local_api[0]}/v1/signing-keys?limit=5"
    response = http.get(url, headers=signed_headers(credentials, "GET", url))
    assert response.status_code == 200, response.text
    assert [k["id"] for k in response.json()["data"]] == [credentials["signingKeyId"]]


def test_dynamodb_endpoint_serves_the_table(credentials: dict[str, Any]) -> None:
    import boto3

    client = boto3.client(
        "dynamodb",
        endpoint_url=credentials["dynamodbEndpoint"],
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    table = client.describe_table(TableName=credentials["tableName"])["Table"]
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "GSI1"


def test_localapi_env_exports_what_a_request_signed_by_hand_needs(
    local_api: tuple[str, Path], credentials: dict[str, Any], tmp_path: Path
) -> None:
    key_file = tmp_path / "private.pem"
    exports = _localapi("env", "--credentials", str(local_api[1]), "--key-file", str(key_file))
    values = dict(line.removeprefix("export ").split("=", 1) for line in exports.splitlines())
    assert values["API_KEY"] == credentials["apiKey"] and values["KEY_ID"] == credentials["signingKeyId"]
    assert values["BASE_URL"] == local_api[0]
    assert key_file.read_text() == credentials["privateKeyPem"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_localapi_scan_prints_the_raw_items_of_the_table(
    local_api: tuple[str, Path], credentials: dict[str, Any]
) -> None:
    lines = _localapi("scan", "--credentials", str(local_api[1]), "--limit", "3").splitlines()
    assert len(lines) == 3
    assert all(json.loads(line)["PK"].startswith("T#") for line in lines)


def _localapi(*args: str) -> str:

    done = subprocess.run(
        localapi_command(*args),
        env=serve_environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout
