"""A sample of the hostile-input catalogue over real HTTP (the local API, `make run`'s).

What only a real request can carry: raw bytes that are not UTF-8 in a body and in a
header, percent-encoded CR LF in a path and a query, a header sent twice, a folded header
line. Each is refused in the envelope and leaves the table (scanned through the local
DynamoDB endpoint) as it was. The whole catalogue runs in-process:
tests/integration/test_hostile_inputs.py.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import httpx
import pytest

from core.platform.errors import ERROR_TABLE
from tests.support.raw_signing import signed_headers

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def credentials(local_api: tuple[str, Path]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(local_api[1].read_text())
    return document


@pytest.fixture
def http(local_api: tuple[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=local_api[0], timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def table(credentials: dict[str, Any]) -> Any:
    client = boto3.client(
        "dynamodb",
        endpoint_url=credentials["dynamodbEndpoint"],
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )

    def scan() -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"TableName": credentials["tableName"]}
        while True:
            page = client.scan(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    return scan


def refused(status: int, headers: Any, text: str, code: str, param: str | None = None) -> None:
    assert status == ERROR_TABLE[code][0], text
    body = json.loads(text)
    assert set(body) == {"error"}, text
    assert body["error"]["code"] == code, text
    if param is not None:
        assert body["error"]["param"] == param, text
    assert "set-cookie" not in {name.lower() for name in headers}
    assert "x-injected" not in {name.lower() for name in headers}


def raw_request(base_url: str, head: bytes, body: bytes = b"") -> tuple[int, dict[str, str], str]:
    """Bytes on a socket, exactly as given; the answer's status, headers and body."""
    parts = urlsplit(base_url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=10) as sock:
        sock.sendall(head + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head_text, _, payload = data.partition(b"\r\n\r\n")
    lines = head_text.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return status, headers, payload.decode("utf-8", "replace")


def test_a_signed_body_of_bytes_that_are_not_utf8(
    http: httpx.Client, local_api: tuple[str, Path], credentials: dict[str, Any], table: Any
) -> None:
    url = f"{local_api[0]}/v1/customers"
    body = b'{"externalId": "crm-\xff\xfe", "name": "Ada \xc3\x28"}'
    before = table()
    headers = {**signed_headers(credentials, "POST", url, body), "Idempotency-Key": str(uuid.uuid4())}
    response = http.post(url, content=body, headers={**headers, "Content-Type": "application/json"})
    refused(response.status_code, response.headers, response.text, "body_not_json")
    assert table() == before


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/v1/customers/cus_x%0D%0ASet-Cookie:%20session=stolen", "customerId"),
        ("/v1/customers?cursor=%0D%0ASet-Cookie%3A%20session%3Dstolen", "cursor"),
        ("/v1/customers?status=active%0D%0AX-Injected%3A%201", "status"),
    ],
)
def test_percent_encoded_crlf_reaches_no_header(
    http: httpx.Client, local_api: tuple[str, Path], credentials: dict[str, Any], path: str, param: str
) -> None:
    url = f"{local_api[0]}{path}"
    response = http.get(url, headers=signed_headers(credentials, "GET", url))
    refused(response.status_code, response.headers, response.text, "parameter_invalid", param)


def test_an_authorization_header_sent_twice(
    local_api: tuple[str, Path], credentials: dict[str, Any], table: Any
) -> None:
    url = f"{local_api[0]}/v1/customers"
    body = b'{"externalId": "twice-' + uuid.uuid4().hex.encode() + b'"}'
    headers = signed_headers(credentials, "POST", url, body)
    pairs = [(k, v) for k, v in headers.items()] + [("Authorization", "Bearer sk_test_someone_else")]
    before = table()
    with httpx.Client(timeout=10) as client:
        response = client.post(url, content=body, headers=pairs)
    refused(response.status_code, response.headers, response.text, "api_key_invalid")
    assert table() == before


def test_raw_bytes_in_a_header_and_a_folded_header(
    local_api: tuple[str, Path], credentials: dict[str, Any], table: Any
) -> None:
    host = urlsplit(local_api[0]).netloc.encode()
    key = credentials["apiKey"].encode()
    before = table()
    status, headers, text = raw_request(
        local_api[0],
        b"GET /v1/customers HTTP/1.1\r\nHost: "
        + host
        + b"\r\nAuthorization: Bearer \xff\xfe"
        + key
        + b"\r\nConnection: close\r\n\r\n",
    )
    refused(status, headers, text, "api_key_invalid")
    status, headers, text = raw_request(
        local_api[0],
        b"POST /v1/customers HTTP/1.1\r\nHost: "
        + host
        + b"\r\nAuthorization: Bearer "
        + key
        + b"\r\n X-Injected: 1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
        + b"Connection: close\r\n\r\n",
        b"{}",
    )
    # The folded line is joined to the Authorization value (RFC 9112 obs-fold): no key any more.
    refused(status, headers, text, "api_key_invalid")
    assert table() == before


def test_a_129_character_idempotency_key_and_an_oversize_body(
    http: httpx.Client, local_api: tuple[str, Path], credentials: dict[str, Any], table: Any
) -> None:
    url = f"{local_api[0]}/v1/customers"
    body = json.dumps({"externalId": f"long-key-{uuid.uuid4().hex}"}).encode()
    before = table()
    headers = {**signed_headers(credentials, "POST", url, body), "Idempotency-Key": "k" * 129}
    response = http.post(url, content=body, headers=headers)
    refused(
        response.status_code, response.headers, response.text, "idempotency_key_invalid", "Idempotency-Key"
    )
    big = json.dumps({"externalId": "big", "metadata": {"pad": "x" * (256 * 1024)}}).encode()
    response = http.post(url, content=big, headers=signed_headers(credentials, "POST", url, big))
    refused(response.status_code, response.headers, response.text, "body_too_large")
    assert table() == before
