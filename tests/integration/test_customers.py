"""Customers: identity, uniqueness, the on-chain challenge, KYC callbacks, lifecycle, events."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from core.customers import kyc
from core.platform import clock
from tests.integration.conftest import scan_all
from tests.support.harness import Partner, Reply, call

ADDRESS = "0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"


def create(partner: Partner, body: dict[str, Any], **kw: Any) -> Reply:
    return call("customers/create", "POST", "/v1/customers", partner=partner, body=body, **kw)


def get(partner: Partner, customer_id: str) -> Reply:
    return call(
        "customers/get",
        "GET",
        f"/v1/customers/{customer_id}",
        partner=partner,
        path_params={"customerId": customer_id},
    )


def action(partner: Partner, customer_id: str, name: str, **kw: Any) -> Reply:
    method, path, fn = {
        "deactivate": ("PATCH", "deactivate", "customers/deactivate"),
        "activate": ("PATCH", "activate", "customers/activate"),
        "challenge": ("POST", "challenge", "customers/challenge"),
        "verify": ("POST", "challenge/verify", "customers/verify"),
    }[name]
    return call(
        fn,
        method,
        f"/v1/customers/{customer_id}/{path}",
        partner=partner,
        path_params={"customerId": customer_id},
        **kw,
    )


def listing(partner: Partner, query: str = "") -> Reply:
    return call("customers/list", "GET", "/v1/customers", partner=partner, query=query)


def callback(
    tenant_id: str,
    customer_id: str,
    decision: str = "approved",
    *,
    secret: str | None = None,
    signature: str | None = None,
    provider: str = "sandbox",
    now: float | None = None,
) -> Reply:
    moment = time.time() if now is None else now
    body = kyc.callback_body(
        event_id=f"kyce_{uuid.uuid4().hex}",
        tenant_id=tenant_id,
        customer_id=customer_id,
        decision=decision,
        reason=None,
        occurred_at=moment,
    )
    headers = {"Content-Type": "application/json"}
    if signature != "":
        headers[kyc.SIGNATURE_HEADER] = signature or kyc.sign_callback(body, int(moment), secret=secret)
    return call(
        "kyc/callback",
        "POST",
        f"/v1/kyc/callbacks/{provider}",
        raw_body=body,
        headers=headers,
        path_params={"provider": provider},
    )


def wallet() -> tuple[Any, str]:
    account = Account.create()
    return account, f"eip155:1:{account.address}"


def sign(account: Any, message: str) -> str:
    return "0x" + account.sign_message(encode_defunct(text=message)).signature.hex().removeprefix("0x")


def customers_in_table(client: Any) -> list[dict[str, Any]]:
    return [i for i in scan_all(client) if i.get("type", {}).get("S") == "customer"]


def events_of(client: Any, customer_id: str) -> list[str]:
    found = []
    for item in scan_all(client):
        if item.get("type", {}).get("S") == "event":
            data = json.loads(json.dumps(item["data"]))  # DynamoDB JSON; look for the id
            if customer_id in json.dumps(data):
                found.append(item["eventType"]["S"])
    return sorted(found)


def active_customer(partner: Partner, **body: Any) -> dict[str, Any]:
    created = create(partner, {"externalId": f"ext-{uuid.uuid4().hex}", **body}).json
    assert callback(partner.tenant_id, created["id"]).status == 200
    return created


# -- create ------------------------------------------------------------------------------


def test_create_with_external_id_starts_kyc(aws: Any, partner: Partner) -> None:
    reply = create(
        partner,
        {
            "type": "business",
            "name": "Acme Ltd",
            "email": "ops@acme.example",
            "country": "GB",
            "externalId": "crm-1",
            "metadata": {"tier": "gold"},
        },
    )
    assert reply.status == 201, reply.text
    body = reply.json
    assert body["id"].startswith("cus_") and body["object"] == "customer"
    assert (body["status"], body["type"], body["capabilities"]) == ("pending", "business", [])
    assert body["verificationUrl"].startswith("https://api.test/sandbox/kyc/")
    assert "challenge" not in body and body["onchainId"] is None
    assert events_of(aws, body["id"]) == ["customer.created"]


def test_create_with_onchain_id_returns_a_siwe_challenge(partner: Partner) -> None:
    reply = create(partner, {"onchainId": f"eip155:1:{ADDRESS.lower()}"})
    assert reply.status == 201, reply.text
    body = reply.json
    assert body["onchainId"] == f"eip155:1:{ADDRESS}"  # normalised to the EIP-55 form
    message = body["challenge"]["message"]
    assert message.startswith("api.test wants you to sign in with your Ethereum account:\n" + ADDRESS + "\n")
    assert f"URI: https://api.test/v1/customers/{body['id']}" in message
    assert "Chain ID: 1" in message
    assert body["challenge"]["expiresAt"].endswith("Z")


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        ({}, 400, "parameter_missing", "externalId"),
        ({"name": "x"}, 400, "parameter_missing", "externalId"),
        (
            {"onchainId": "eip155:1:0xAB16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"},
            400,
            "parameter_invalid",
            "onchainId",
        ),
        (
            {"onchainId": "bip122:000000000019d6689c085ae165831e93:128Lkh3S7CkDTBZ8W7BEK1X6Q4VV7Dqk5E"},
            400,
            "parameter_invalid",
            "onchainId",
        ),
        ({"externalId": "x", "country": "XX"}, 400, "parameter_invalid", "country"),
        ({"externalId": "x", "type": "robot"}, 400, "parameter_invalid", "type"),
        ({"externalId": "x", "status": "active"}, 400, "parameter_unknown", "status"),
        ({"externalId": "x", "capabilities": ["accounts"]}, 400, "parameter_unknown", "capabilities"),
        ({"externalId": "x", "metadata": {"bad key": "v"}}, 400, "parameter_invalid", "metadata"),
    ],
)
def test_create_rejects_bad_input(
    aws: Any, partner: Partner, body: dict[str, Any], status: int, code: str, param: str
) -> None:
    reply = create(partner, body)
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (status, code, param)
    assert customers_in_table(aws) == []


def test_external_and_onchain_ids_are_unique_per_tenant(aws: Any, make_partner: Any) -> None:
    a, b = make_partner(), make_partner()
    assert create(a, {"externalId": "same", "onchainId": f"eip155:1:{ADDRESS}"}).status == 201
    reply = create(a, {"externalId": "same"})
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (
        409,
        "resource_already_exists",
        "externalId",
    )
    reply = create(a, {"externalId": "other", "onchainId": f"eip155:1:{ADDRESS.lower()}"})
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (
        409,
        "resource_already_exists",
        "onchainId",
    )
    assert len(customers_in_table(aws)) == 1  # the refused creates wrote nothing
    # Another tenant may use the same ids.
    assert create(b, {"externalId": "same", "onchainId": f"eip155:1:{ADDRESS}"}).status == 201


@pytest.mark.slow
@pytest.mark.parametrize("field", ["externalId", "onchainId"])
def test_twenty_concurrent_creates_of_one_identity_make_one_customer(
    aws: Any, partner: Partner, field: str
) -> None:
    value = "race-1" if field == "externalId" else f"eip155:1:{ADDRESS}"
    replies: list[Reply] = []
    barrier = threading.Barrier(20)

    def worker(i: int) -> None:
        body = {field: value} if field == "externalId" else {field: value, "externalId": f"e-{i}"}
        barrier.wait()
        replies.append(create(partner, body))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status for r in replies) == [201] + [409] * 19
    assert all(r.code == "resource_already_exists" for r in replies if r.status == 409)
    assert len(customers_in_table(aws)) == 1


# -- read --------------------------------------------------------------------------------


def test_get_and_tenant_isolation(make_partner: Any) -> None:
    a, b = make_partner(), make_partner()
    created = create(a, {"externalId": "iso"}).json
    assert get(a, created["id"]).json["id"] == created["id"]
    reply = get(b, created["id"])
    assert (reply.status, reply.code) == (404, "resource_missing")
    assert get(a, "cus_01JNOSUCHCUSTOMER000000000").status == 404


def test_list_filters(partner: Partner) -> None:
    first = create(partner, {"externalId": "l-1", "onchainId": f"eip155:1:{ADDRESS}"}).json
    second = active_customer(partner)
    assert [c["id"] for c in listing(partner).json["data"]] == [second["id"], first["id"]]
    assert [c["id"] for c in listing(partner, "status=pending").json["data"]] == [first["id"]]
    assert [c["id"] for c in listing(partner, "status=active").json["data"]] == [second["id"]]
    assert [c["id"] for c in listing(partner, "externalId=l-1").json["data"]] == [first["id"]]
    assert [c["id"] for c in listing(partner, f"onchainId=eip155:1:{ADDRESS.lower()}").json["data"]] == [
        first["id"]
    ]
    assert listing(partner, "externalId=l-1&status=active").json["data"] == []
    assert listing(partner, "externalId=nope").json == {"data": [], "nextCursor": None}
    reply = listing(partner, "status=sleeping")
    assert (reply.status, reply.json["error"]["param"]) == (400, "status")


def test_list_pages_by_status(partner: Partner) -> None:
    ids = [create(partner, {"externalId": f"p-{i}"}).json["id"] for i in range(5)][::-1]
    page = listing(partner, "status=pending&limit=2").json
    seen = [c["id"] for c in page["data"]]
    while page["nextCursor"]:
        page = listing(partner, f"status=pending&limit=2&cursor={page['nextCursor']}").json
        seen += [c["id"] for c in page["data"]]
    assert seen == ids


# -- the on-chain challenge ----------------------------------------------------------------


def test_verify_a_challenge(aws: Any, partner: Partner) -> None:
    account, onchain = wallet()
    created = create(partner, {"onchainId": onchain}).json
    reply = action(
        partner, created["id"], "verify", body={"signature": sign(account, created["challenge"]["message"])}
    )
    assert reply.status == 200, reply.text
    assert reply.json["onchainVerifiedAt"].endswith("Z")
    assert events_of(aws, created["id"]) == ["customer.created", "customer.updated"]
    # Single use: the same signature again is refused and changes nothing.
    again = action(
        partner, created["id"], "verify", body={"signature": sign(account, created["challenge"]["message"])}
    )
    assert (again.status, again.code) == (409, "challenge_used")
    assert events_of(aws, created["id"]) == ["customer.created", "customer.updated"]


def test_a_signature_by_another_key_is_refused(partner: Partner) -> None:
    _, onchain = wallet()
    created = create(partner, {"onchainId": onchain}).json
    intruder = Account.create()
    reply = action(
        partner, created["id"], "verify", body={"signature": sign(intruder, created["challenge"]["message"])}
    )
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (
        422,
        "signature_mismatch",
        "signature",
    )
    assert get(partner, created["id"]).json["onchainVerifiedAt"] is None


def test_another_customers_challenge_does_not_verify(partner: Partner) -> None:
    account, onchain = wallet()
    mine = create(partner, {"onchainId": onchain}).json
    other_account, other_onchain = wallet()
    other = create(partner, {"onchainId": other_onchain}).json
    # The owner of `other` signs `other`'s challenge and sends it for `mine`.
    reply = action(
        partner, mine["id"], "verify", body={"signature": sign(other_account, other["challenge"]["message"])}
    )
    assert reply.code == "signature_mismatch"
    # ... or signs `other`'s challenge with `mine`'s key: still not this customer's challenge.
    reply = action(
        partner, mine["id"], "verify", body={"signature": sign(account, other["challenge"]["message"])}
    )
    assert reply.code == "signature_mismatch"
    assert get(partner, mine["id"]).json["onchainVerifiedAt"] is None


def test_an_expired_challenge_is_refused_and_a_new_one_works(partner: Partner) -> None:
    account, onchain = wallet()
    created = create(partner, {"onchainId": onchain}).json
    later = time.time() + 15 * 60 + 1
    clock.set_source(lambda: later)
    reply = action(
        partner,
        created["id"],
        "verify",
        body={"signature": sign(account, created["challenge"]["message"])},
        now=later,
    )
    assert (reply.status, reply.code) == (409, "challenge_expired")
    fresh = action(partner, created["id"], "challenge", now=later)
    assert fresh.status == 200 and fresh.json["challenge"]["message"] != created["challenge"]["message"]
    # The old challenge no longer counts, even signed correctly.
    stale = action(
        partner,
        created["id"],
        "verify",
        body={"signature": sign(account, created["challenge"]["message"])},
        now=later,
    )
    assert stale.code == "signature_mismatch"
    ok = action(
        partner,
        created["id"],
        "verify",
        body={"signature": sign(account, fresh.json["challenge"]["message"])},
        now=later,
    )
    assert ok.status == 200, ok.text


def test_challenge_rules(partner: Partner) -> None:
    created = create(partner, {"externalId": "no-chain"}).json
    assert action(partner, created["id"], "challenge").code == "state_conflict"
    reply = action(partner, created["id"], "verify", body={"signature": "0x" + "1b" * 65})
    assert reply.code == "challenge_missing"
    reply = action(partner, created["id"], "verify", body={"signature": "0x1234"})
    assert (reply.status, reply.json["error"]["param"]) == (400, "signature")


# -- KYC callbacks ---------------------------------------------------------------------------


def test_an_approved_callback_activates_with_capabilities(aws: Any, partner: Partner) -> None:
    created = create(partner, {"externalId": "kyc-1"}).json
    reply = callback(partner.tenant_id, created["id"])
    assert reply.status == 200, reply.text
    customer = get(partner, created["id"]).json
    assert (customer["status"], customer["capabilities"]) == ("active", ["accounts"])
    assert events_of(aws, created["id"]) == ["customer.created", "customer.updated"]


def test_a_rejected_callback_rejects(partner: Partner) -> None:
    created = create(partner, {"externalId": "kyc-2"}).json
    assert callback(partner.tenant_id, created["id"], "rejected").status == 200
    assert get(partner, created["id"]).json["status"] == "rejected"


@pytest.mark.parametrize("forgery", ["wrong_secret", "missing", "garbage", "stale"])
def test_a_forged_callback_changes_nothing(aws: Any, partner: Partner, forgery: str) -> None:
    created = create(partner, {"externalId": f"kyc-{forgery}"}).json
    before = scan_all(aws)
    reply = {
        "wrong_secret": lambda: callback(partner.tenant_id, created["id"], secret="x" * 40),
        "missing": lambda: callback(partner.tenant_id, created["id"], signature=""),
        "garbage": lambda: callback(partner.tenant_id, created["id"], signature="t=1,v1=zz"),
        "stale": lambda: callback(partner.tenant_id, created["id"], now=time.time() - 3600),
    }[forgery]()
    assert (reply.status, reply.code) == (401, "signature_invalid")
    assert scan_all(aws) == before


def test_callbacks_for_unknown_or_decided_customers_change_nothing(aws: Any, partner: Partner) -> None:
    reply = callback(partner.tenant_id, "cus_01JNOSUCHCUSTOMER000000000")
    assert (reply.status, reply.code) == (404, "resource_missing")
    created = active_customer(partner)
    before = scan_all(aws)
    reply = callback(partner.tenant_id, created["id"], "rejected")
    assert (reply.status, reply.code) == (409, "state_conflict")
    assert scan_all(aws) == before
    assert callback(partner.tenant_id, created["id"], provider="acme").code == "resource_missing"


# -- lifecycle -------------------------------------------------------------------------------


def test_every_illegal_transition_is_409(make_partner: Any) -> None:
    partner = make_partner()
    pending = create(partner, {"externalId": "t-pending"}).json
    rejected = create(partner, {"externalId": "t-rejected"}).json
    callback(partner.tenant_id, rejected["id"], "rejected")
    active = active_customer(partner)
    inactive = active_customer(partner)
    assert action(partner, inactive["id"], "deactivate").status == 200
    illegal = [
        (pending, "deactivate"),
        (pending, "activate"),
        (rejected, "deactivate"),
        (rejected, "activate"),
        (active, "activate"),
        (inactive, "deactivate"),
    ]
    for customer, name in illegal:
        reply = action(partner, customer["id"], name)
        assert (reply.status, reply.code) == (409, "state_conflict"), (customer["status"], name)
    for customer in (active, inactive, rejected):
        assert callback(partner.tenant_id, customer["id"]).code == "state_conflict"


def test_deactivate_then_activate(aws: Any, partner: Partner) -> None:
    customer = active_customer(partner)
    reply = action(partner, customer["id"], "deactivate", idempotency_key="d-1")
    assert (reply.status, reply.json["status"]) == (200, "inactive")
    assert [c["id"] for c in listing(partner, "status=inactive").json["data"]] == [customer["id"]]
    assert action(partner, customer["id"], "activate").json["status"] == "active"
    assert listing(partner, "status=inactive").json["data"] == []
    assert events_of(aws, customer["id"]).count("customer.updated") == 3
