"""A local API process killed with SIGKILL in the middle of a write, then restarted on the
same table, and the write retried over HTTP with the SDK and the same Idempotency-Key.

The table lives in a `localapi dynamodb` process of its own, which outlives the API.
`LOCALAPI_CRASH_AT` (local/localapi/faults.py) makes `localapi serve` kill itself at one
boundary of a write; the restarted server reuses the sandbox partner of its credentials
file. After the restart: exactly one customer and one `customer.created` event in the
partner's partition, and an answer that every later retry repeats byte for byte (the body
and the API's headers; the HTTP server's own `Date` differs by nature). The in-process
tests (tests/integration/test_faults.py) run every boundary on every create endpoint;
this one proves the same of a real process and a real kill, on `POST /v1/customers`.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from core.platform import keys
from core.platform.store import deserialize
from localapi.dynamodb import DUMMY_CREDENTIALS, REGION
from localapi.events import event_body_bytes, load_event
from localapi.faults import BOUNDARIES, ENV
from localapi.process import NotReady, dynamodb_command, serve_command, serve_environment, stop, wait_ready
from partner_sdk.client import PartnerClient, Response
from partner_sdk.credentials import credentials_from_file
from partner_sdk.errors import PartnerApiError

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
# The in-flight lease: longer than a restart takes, shorter than the template's 30 s.
LEASE_SECONDS = 15
API_HEADERS = ("Request-Id", "Content-Type", "Idempotency-Replayed")


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    ready: str  # what followed READY: the base URL or the endpoint
    output: Path

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def stop(self) -> None:
        stop(self.process, STOP_TIMEOUT)


def start(command: list[str], output: Path, env: dict[str, str] | None = None) -> Running:
    with output.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, env=serve_environment(env), stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        return Running(process, wait_ready(process, output, READY_TIMEOUT), output)
    except NotReady as exc:
        process.kill()
        pytest.fail(f"{command[:2]} {exc}:\n{output.read_text(errors='replace')}")


@pytest.fixture(scope="module")
def dynamodb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The endpoint of a `localapi dynamodb` for this module."""
    running = start(dynamodb_command(), tmp_path_factory.mktemp("dynamodb") / "output.txt")
    try:
        yield running.ready
    finally:
        running.stop()


def tenant_items(endpoint: str, table: str, tenant_id: str) -> list[dict[str, Any]]:
    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    out = client.query(
        TableName=table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.tenant_pk(tenant_id)}},
        ConsistentRead=True,
    )
    return [deserialize(i) for i in out["Items"]]


def create_customer(credentials: Path, key: str) -> Response:
    """The sample customer, once, with no retry by the SDK."""
    body = event_body_bytes(load_event("customers_create"))
    with PartnerClient(credentials_from_file(credentials), max_retries=0) as client:
        return client.request("POST", "/v1/customers", content=body, idempotency_key=key)


def api_headers(response: Response) -> dict[str, str]:
    return {name: response.headers[name] for name in API_HEADERS if name in response.headers}


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_killed_at_a_boundary_then_restarted_and_retried(
    boundary: str, dynamodb: str, tmp_path: Path
) -> None:
    credentials, table, key = tmp_path / "sandbox.json", f"killed-{boundary}", f"killed-{boundary}"
    env_vars = tmp_path / "env.json"
    env_vars.write_text(json.dumps({"Parameters": {"IDEMPOTENCY_LEASE_SECONDS": str(LEASE_SECONDS)}}))
    serve = serve_command(
        credentials, "--dynamodb-endpoint", dynamodb, "--table-name", table, "--env-vars", str(env_vars)
    )

    doomed = start(serve, tmp_path / "doomed.txt", {ENV: boundary})
    try:
        with pytest.raises(httpx.TransportError):  # the connection dies with the process
            create_customer(credentials, key)
        assert doomed.process.wait(timeout=STOP_TIMEOUT) == -signal.SIGKILL, doomed.log()
    finally:
        doomed.stop()
    tenant = json.loads(credentials.read_text())["tenantId"]
    left = tenant_items(dynamodb, table, tenant)
    claims = [i for i in left if i["type"] == "idempotency"]
    assert [c["state"] for c in claims] == ["completed" if boundary != "after-claim" else "in_progress"]
    if boundary == "after-claim":
        assert not [i for i in left if i["type"] in ("customer", "event")]

    restarted = start(serve, tmp_path / "restarted.txt")
    try:
        assert json.loads(credentials.read_text())["tenantId"] == tenant  # the same partner
        if boundary == "after-claim":
            # The dead request's claim holds the key until its lease ends (a restart slower
            # than the lease finds it ended: then the retry runs at once).
            lease_left = claims[0]["leaseUntil"] - time.time()
            if lease_left > 1:
                with pytest.raises(PartnerApiError) as blocked:
                    create_customer(credentials, key)
                assert (blocked.value.status, blocked.value.code) == (409, "idempotency_key_in_flight")
                retry_after = int(blocked.value.headers["Retry-After"])
                assert 1 <= retry_after <= LEASE_SECONDS
                time.sleep(max(0.0, claims[0]["leaseUntil"] - time.time()) + 1)
        answer = create_customer(credentials, key)
        assert answer.status == 201
        assert answer.replayed is (boundary != "after-claim")
        again = create_customer(credentials, key)
        assert again.replayed and again.status == answer.status and again.content == answer.content
        assert api_headers(again) == {**api_headers(answer), "Idempotency-Replayed": "true"}
        assert create_customer(credentials, key).content == again.content

        items = tenant_items(dynamodb, table, tenant)
        assert [i["id"] for i in items if i["type"] == "customer"] == [answer.json()["id"]]
        events = [i for i in items if i["type"] == "event"]
        assert [e["eventType"] for e in events] == ["customer.created"]
        assert events[0]["data"]["object"]["id"] == answer.json()["id"]
    finally:
        restarted.stop()
    assert restarted.process.returncode == 0, restarted.log()
