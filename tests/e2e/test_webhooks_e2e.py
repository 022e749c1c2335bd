"""Webhooks over real HTTP: the local API (`make run`) dispatches from moto's stream and
delivers from its queue; `partner webhooks listen` registers a temporary endpoint,
receives and verifies. Creating a customer prints `customer.created`, verified."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
WAIT = 60.0


def _lines(process: subprocess.Popen[str], until: float) -> Any:
    """Lines of the process's stdout as they come, until the deadline."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    while time.monotonic() < until:
        if selector.select(timeout=0.2):
            line = process.stdout.readline()
            if not line:
                return
            yield line


def test_listen_prints_a_verified_customer_created(local_api: tuple[str, Path]) -> None:
    _, credentials = local_api
    env = {**os.environ, "PARTNER_API_CREDENTIALS": str(credentials)}
    env.pop("PARTNER_API_KEY", None)
    partner = str(Path(sys.executable).parent / "partner")
    listen = subprocess.Popen(
        [partner, "webhooks", "listen", "--events", "customer.created", "--once", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = _lines(listen, time.monotonic() + WAIT)
        ready = json.loads(next(lines))
        assert ready["ready"] is True and ready["endpoint"].startswith("whk_")
        client = PartnerClient(credentials_from_file(credentials))
        customer = client.post(
            "/v1/customers",
            {"type": "individual", "name": "Ada", "externalId": f"e2e-wh-{time.time_ns()}", "country": "GB"},
        ).json()
        received = json.loads(next(lines))
        assert received["type"] == "customer.created"
        assert received["verified"] is True
        event = client.get(f"/v1/events/{received['id']}").json()
        assert event["data"]["object"]["id"] == customer["id"]
        assert listen.wait(timeout=WAIT) == 0, listen.stderr.read() if listen.stderr else ""
        # --once deleted its endpoint on the way out.
        listed = client.get("/v1/webhook-endpoints").json()["data"]
        assert ready["endpoint"] not in [e["id"] for e in listed]
        client.close()
    finally:
        if listen.poll() is None:
            listen.kill()


@pytest.mark.parametrize("name", ["webhooks_dispatch", "webhooks_deliver"])
def test_localapi_invoke_runs_the_stream_and_queue_functions_on_their_samples(
    local_api: tuple[str, Path], name: str
) -> None:
    """`localapi invoke` on events/webhooks_*.json: the handler answers a batch result
    (the samples name a tenant with no endpoints and a delivery that does not exist)."""
    localapi = str(Path(sys.executable).parent / "localapi")
    done = subprocess.run(
        [localapi, "invoke", name, name, "--credentials", str(local_api[1])],
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout[done.stdout.index("{") :])
    assert answer == {"batchItemFailures": []}
