"""Customers and events over real HTTP against the local API, as a partner calls them: the
signing client, a local Ethereum wallet for the ownership proof, the sandbox KYC callback,
and the `partner` CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from partner_sdk import ethereum
from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file
from partner_sdk.errors import InvalidRequestError

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
UNKNOWN_CUSTOMER = "cus_01JNOSUCHCUSTOMER000000000"


@pytest.fixture
def api(local_api: tuple[str, Path]) -> Iterator[PartnerClient]:
    with PartnerClient(credentials_from_file(local_api[1])) as client:
        yield client


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def kyc_decision(local_api: tuple[str, Path], customer_id: str, decision: str = "approved") -> httpx.Response:
    """What the sandbox KYC page sends when a person decides: a signed callback."""
    from core.customers import kyc  # the server's own format; the test runs beside the server

    creds = json.loads(local_api[1].read_text())
    secret = creds["kycSandboxSecret"]  # written by `localapi serve`
    now = int(time.time())
    body = kyc.callback_body(
        event_id=f"kyce_{uuid.uuid4().hex}",
        tenant_id=creds["tenantId"],
        customer_id=customer_id,
        decision=decision,
        reason=None,
        occurred_at=now,
    )
    headers = {
        "Content-Type": "application/json",
        kyc.SIGNATURE_HEADER: kyc.sign_callback(body, now, secret=secret),
    }
    return httpx.post(kyc.callback_url(local_api[0]), content=body, headers=headers)


def test_an_onchain_customer_proves_ownership_with_its_wallet(api: PartnerClient) -> None:
    key, address = ethereum.new_wallet()
    external_id = unique("wallet")
    created = api.customers.create(
        type="individual", name="Ada", external_id=external_id, onchain_id=ethereum.caip10(address)
    )
    assert created["id"].startswith("cus_")
    assert (created["status"], created["onchainId"], created["onchainVerifiedAt"]) == (
        "pending",
        f"eip155:1:{address}",
        None,
    )
    assert created["verificationUrl"].startswith("http")
    challenge = created["challenge"]
    assert address in challenge["message"] and created["id"] in challenge["message"]
    assert challenge["expiresAt"].endswith("Z")

    # A signature by another key is refused and verifies nothing.
    intruder, _ = ethereum.new_wallet()
    with pytest.raises(InvalidRequestError) as caught:
        api.customers.verify_challenge(created["id"], ethereum.sign_challenge(challenge["message"], intruder))
    assert (caught.value.status, caught.value.code, caught.value.param) == (
        422,
        "signature_mismatch",
        "signature",
    )

    signature = ethereum.sign_challenge(challenge["message"], key)
    verified = api.customers.verify_challenge(created["id"], signature)
    assert verified["onchainVerifiedAt"] is not None and verified["onchainVerifiedAt"].endswith("Z")
    assert api.customers.get(created["id"])["onchainVerifiedAt"] == verified["onchainVerifiedAt"]

    # Single use: the same signature again (a new request, new Idempotency-Key) is refused.
    with pytest.raises(InvalidRequestError) as caught:
        api.customers.verify_challenge(created["id"], signature)
    assert (caught.value.status, caught.value.code) == (409, "challenge_used")
    # ... and a verified customer is not challenged again.
    with pytest.raises(InvalidRequestError) as caught:
        api.customers.new_challenge(created["id"])
    assert (caught.value.status, caught.value.code) == (409, "state_conflict")


def test_a_new_challenge_replaces_the_one_from_create(api: PartnerClient) -> None:
    key, address = ethereum.new_wallet()
    created = api.customers.create(onchainId=ethereum.caip10(address))
    fresh = api.customers.new_challenge(created["id"])["challenge"]
    assert fresh["message"] != created["challenge"]["message"]
    with pytest.raises(InvalidRequestError) as caught:  # the first challenge no longer counts
        api.customers.verify_challenge(
            created["id"], ethereum.sign_challenge(created["challenge"]["message"], key)
        )
    assert caught.value.code == "signature_mismatch"
    verified = api.customers.verify_challenge(created["id"], ethereum.sign_challenge(fresh["message"], key))
    assert verified["onchainVerifiedAt"] is not None


def test_list_filters_and_uniqueness(api: PartnerClient) -> None:
    _, address = ethereum.new_wallet()
    external_id = unique("crm")
    created = api.customers.create(
        externalId=external_id, onchainId=ethereum.caip10(address), metadata={"tier": "gold"}
    )
    assert created["metadata"] == {"tier": "gold"}

    assert [c["id"] for c in api.customers.list(external_id=external_id)["data"]] == [created["id"]]
    by_chain = api.customers.list(onchain_id=f"eip155:1:{address.lower()}")  # any case finds it
    assert [c["id"] for c in by_chain["data"]] == [created["id"]]
    assert api.customers.list(external_id=external_id, status="active")["data"] == []
    assert api.customers.list(external_id=unique("nobody")) == {"data": [], "nextCursor": None}
    pending = [c["id"] for c in api.customers.iterate(status="pending", limit=100)]
    assert created["id"] in pending
    assert created["id"] in [c["id"] for c in api.customers.list(limit=100)["data"]]  # newest first

    with pytest.raises(InvalidRequestError) as caught:
        api.customers.create(externalId=external_id)
    assert (caught.value.status, caught.value.code, caught.value.param) == (
        409,
        "resource_already_exists",
        "externalId",
    )
    with pytest.raises(InvalidRequestError) as caught:
        api.customers.create(externalId=unique("other"), onchainId=f"eip155:1:{address.lower()}")
    assert (caught.value.code, caught.value.param) == ("resource_already_exists", "onchainId")
    assert api.customers.list(external_id=external_id)["data"][0]["id"] == created["id"]


def test_a_retried_create_with_the_same_idempotency_key_makes_one_customer(api: PartnerClient) -> None:
    external_id, key = unique("retry"), str(uuid.uuid4())
    first = api.customers.create(externalId=external_id, idempotency_key=key)
    second = api.customers.create(externalId=external_id, idempotency_key=key)
    assert first == second
    assert len(api.customers.list(external_id=external_id)["data"]) == 1


def test_errors_for_unknown_customers_and_illegal_transitions(api: PartnerClient) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        api.customers.get(UNKNOWN_CUSTOMER)
    assert (caught.value.status, caught.value.code) == (404, "resource_missing")
    with pytest.raises(InvalidRequestError) as caught:
        api.customers.deactivate(UNKNOWN_CUSTOMER)
    assert caught.value.status == 404

    pending = api.customers.create(externalId=unique("pending"))
    for action in (api.customers.deactivate, api.customers.activate):
        with pytest.raises(InvalidRequestError) as caught:
            action(pending["id"])
        assert (caught.value.status, caught.value.code) == (409, "state_conflict")
    with pytest.raises(InvalidRequestError) as caught:  # nothing on-chain to prove
        api.customers.new_challenge(pending["id"])
    assert caught.value.code == "state_conflict"
    with pytest.raises(InvalidRequestError) as caught:
        api.customers.create(name="nobody")
    assert (caught.value.status, caught.value.code, caught.value.param) == (
        400,
        "parameter_missing",
        "externalId",
    )


def test_kyc_approval_then_deactivate_and_activate(api: PartnerClient, local_api: tuple[str, Path]) -> None:
    created = api.customers.create(externalId=unique("kyc"))
    answer = kyc_decision(local_api, created["id"])
    assert answer.status_code == 200, answer.text
    active = api.customers.get(created["id"])
    assert (active["status"], active["capabilities"]) == ("active", ["accounts"])
    assert created["id"] in [c["id"] for c in api.customers.iterate(status="active", limit=100)]

    assert api.customers.deactivate(created["id"])["status"] == "inactive"
    with pytest.raises(InvalidRequestError) as caught:
        api.customers.deactivate(created["id"])
    assert (caught.value.status, caught.value.code) == (409, "state_conflict")
    assert created["id"] in [c["id"] for c in api.customers.iterate(status="inactive", limit=100)]
    assert api.customers.activate(created["id"])["status"] == "active"
    assert api.customers.get(created["id"])["status"] == "active"

    statuses = [
        e["data"]["object"]["status"]
        for e in api.events.iterate(type="customer.updated", limit=100)
        if e["data"]["object"]["id"] == created["id"]
    ]
    assert statuses == ["active", "inactive", "active"]  # newest first


def test_events_show_the_customer_created(api: PartnerClient) -> None:
    created = api.customers.create(externalId=unique("events"))
    mine = [
        e
        for e in api.events.iterate(type="customer.created", limit=100)
        if e["data"]["object"]["id"] == created["id"]
    ]
    assert len(mine) == 1
    event = mine[0]
    assert event["id"].startswith("evt_") and event["type"] == "customer.created"
    assert event["data"]["object"]["externalId"] == created["externalId"]
    assert event["createdAt"] == created["createdAt"]
    assert api.events.get(event["id"]) == event
    assert event["id"] in [e["id"] for e in api.events.list(limit=100)["data"]]  # unfiltered too
    with pytest.raises(InvalidRequestError) as caught:
        api.events.get("evt_01JNOSUCHEVENT000000000000")
    assert caught.value.status == 404
    with pytest.raises(InvalidRequestError) as caught:
        api.events.list(created_after="yesterday")
    assert (caught.value.status, caught.value.param) == (400, "createdAfter")


def _next_second() -> int:
    """Sleep into the next whole second; return it."""
    now = time.time()
    time.sleep(int(now) + 1 - now + 0.05)
    return int(time.time())


def test_events_created_after_keeps_only_later_events(api: PartnerClient) -> None:
    older = api.customers.create(externalId=unique("older"))
    bound = _next_second()  # `older` was made in an earlier second
    _next_second()
    newer = api.customers.create(externalId=unique("newer"))
    after = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(bound))
    objects = [e["data"]["object"]["id"] for e in api.events.iterate(created_after=after, limit=100)]
    assert newer["id"] in objects
    assert older["id"] not in objects


def test_the_created_event_holds_the_customer_without_its_challenge(api: PartnerClient) -> None:
    _, address = ethereum.new_wallet()
    created = api.customers.create(externalId=unique("leak"), onchainId=ethereum.caip10(address))
    assert "challenge" in created
    (event,) = [
        e
        for e in api.events.iterate(type="customer.created", limit=100)
        if e["data"]["object"]["id"] == created["id"]
    ]
    assert "challenge" not in event["data"]["object"]


def test_events_keep_null_fields(api: PartnerClient) -> None:
    key, address = ethereum.new_wallet()
    created = api.customers.create(onchainId=ethereum.caip10(address))
    api.customers.verify_challenge(
        created["id"], ethereum.sign_challenge(created["challenge"]["message"], key)
    )
    (event,) = [
        e
        for e in api.events.iterate(type="customer.updated", limit=100)
        if e["data"]["object"]["id"] == created["id"]
    ]
    assert event["data"]["changedFields"] == ["onchainVerifiedAt"]
    assert event["data"]["previousAttributes"] == {"onchainVerifiedAt": None}
    assert event["data"]["object"] == api.customers.get(created["id"])


def partner_cli(local_api: tuple[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "partner"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "partner_sdk.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNER_")}
    env["PARTNER_API_CREDENTIALS"] = str(local_api[1])
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "sdk"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=60, check=False)


def test_the_cli_end_to_end(api: PartnerClient, local_api: tuple[str, Path]) -> None:
    external_id = unique("cli")
    done = partner_cli(local_api, "customers", "create", "--external-id", external_id, "--json")
    assert done.returncode == 0, done.stderr
    created: dict[str, Any] = json.loads(done.stdout)
    assert (created["externalId"], created["status"]) == (external_id, "pending")
    assert api.customers.get(created["id"])["externalId"] == external_id

    again = partner_cli(local_api, "customers", "create", "--external-id", external_id, "--json")
    assert again.returncode == 1
    assert json.loads(again.stdout)["error"]["code"] == "resource_already_exists"

    # An on-chain customer with a new local wallet, then the proof with that wallet's key.
    done = partner_cli(local_api, "customers", "create", "--new-wallet", "--json")
    assert done.returncode == 0, done.stderr
    wallet_customer = json.loads(done.stdout)
    wallet = wallet_customer["wallet"]
    assert wallet_customer["onchainId"] == wallet["onchainId"] == ethereum.caip10(wallet["address"])
    done = partner_cli(
        local_api,
        "customers",
        "verify",
        wallet_customer["id"],
        "--wallet-key",
        wallet["privateKey"],
        "--json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["onchainVerifiedAt"] is not None


def test_the_cli_approves_in_the_sandbox_then_records_a_bank_account_and_a_wallet(
    api: PartnerClient, local_api: tuple[str, Path]
) -> None:
    """`partner customers approve` decides the sandbox KYC over its real page; the new
    record commands create, associate and list against the running API."""

    def run(*args: str) -> Any:
        done = partner_cli(local_api, *args, "--json")
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout)

    customer = run("customers", "create", "--external-id", unique("approve"))
    approved = run("customers", "approve", customer["id"])
    assert (approved["status"], approved["capabilities"]) == ("active", ["accounts"])
    again = partner_cli(local_api, "customers", "approve", customer["id"])
    assert again.returncode != 0 and "not pending" in again.stderr

    number = unique("acct")[-20:]
    account = run("bank-accounts", "create", "--set", f"accountNumber={number}", "--client", customer["id"])
    assert [c["id"] for c in account["associatedClients"]] == [customer["id"]]
    wallet = run(
        "blockchain-wallets", "create", "--data",
        json.dumps({"address": "0x" + os.urandom(20).hex(), "chain": "ethereum"}),
    )  # fmt: skip
    linked = run("blockchain-wallets", "clients", wallet["id"], customer["id"])
    assert [c["id"] for c in linked["associatedClients"]] == [customer["id"]]
    listed = run("bank-accounts", "list", "--client-id", customer["id"])
    assert [r["id"] for r in listed["data"]] == [account["id"]]
    wallets = run("blockchain-wallets", "list", "--chain", "ethereum", "--client-id", customer["id"])
    assert [r["id"] for r in wallets["data"]] == [wallet["id"]]
    assert api.blockchain_wallets.get(wallet["id"])["address"].lower() == wallet["address"].lower()
