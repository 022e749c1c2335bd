"""Bank accounts and blockchain wallets: fields, conditional upserts, associations, the
cascade, and events."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from tests.integration.conftest import scan_all
from tests.integration.test_customers import action, active_customer
from tests.support.harness import Partner, Reply, call

EVM = "0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"
BTC_BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


def create_ba(partner: Partner, body: dict[str, Any], *, upsert: bool = False, **kw: Any) -> Reply:
    return call(
        "bank_accounts/create",
        "POST",
        "/v1/bank-accounts",
        partner=partner,
        body=body,
        query="upsert=true" if upsert else "",
        **kw,
    )


def create_bw(partner: Partner, body: dict[str, Any], *, upsert: bool = False, **kw: Any) -> Reply:
    return call(
        "blockchain_wallets/create",
        "POST",
        "/v1/blockchain-wallets",
        partner=partner,
        body=body,
        query="upsert=true" if upsert else "",
        **kw,
    )


def get_ba(partner: Partner, record_id: str) -> Reply:
    return call(
        "bank_accounts/get",
        "GET",
        f"/v1/bank-accounts/{record_id}",
        partner=partner,
        path_params={"bankAccountId": record_id},
    )


def list_ba(partner: Partner, query: str = "") -> Reply:
    return call("bank_accounts/list", "GET", "/v1/bank-accounts", partner=partner, query=query)


def list_bw(partner: Partner, query: str = "") -> Reply:
    return call("blockchain_wallets/list", "GET", "/v1/blockchain-wallets", partner=partner, query=query)


def add_clients(partner: Partner, record_id: str, clients: list[str], **kw: Any) -> Reply:
    return call(
        "bank_accounts/clients",
        "POST",
        f"/v1/bank-accounts/{record_id}/clients",
        partner=partner,
        body={"associatedClients": clients},
        path_params={"bankAccountId": record_id},
        **kw,
    )


def records(client: Any, kind: str) -> list[dict[str, Any]]:
    return [i for i in scan_all(client) if i.get("type", {}).get("S") == kind]


# -- fields ----------------------------------------------------------------------------------


def test_create_a_bank_account(partner: Partner) -> None:
    reply = create_ba(
        partner,
        {
            "accountNumber": "12345678",
            "referenceId": "r-1",
            "currency": "EUR",
            "countries": ["DEU", "FRA"],
            "customFields": {"branch": "Berlin"},
            "riskHistory": [
                {"score": 10, "level": "LOW", "source": "internal", "assessedAt": "2026-02-23T12:00:00Z"}
            ],
        },
    )
    assert reply.status == 201, reply.text
    body = reply.json
    assert body["id"].startswith("ba_") and body["object"] == "bank_account"
    assert (body["status"], body["currency"], body["countries"]) == ("ACTIVE", "EUR", ["DEU", "FRA"])
    assert body["associatedClients"] == []
    assert get_ba(partner, body["id"]).json == body


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({}, "parameter_missing", "accountNumber"),
        ({"accountNumber": "1", "currency": "EURO"}, "parameter_invalid", "currency"),
        ({"accountNumber": "1", "countries": ["DE"]}, "parameter_invalid", "countries[0]"),
        ({"accountNumber": "1", "countries": ["DEU"] * 2}, "parameter_invalid", "countries"),
        ({"accountNumber": "1", "status": "OPEN"}, "parameter_invalid", "status"),
        ({"accountNumber": "1", "customFields": {"bad key": "x"}}, "parameter_invalid", "customFields"),
        ({"accountNumber": "1", "riskHistory": [{"score": 1}]}, "parameter_missing", "riskHistory[0].level"),
        ({"accountNumber": "1", "clients": {}}, "parameter_unknown", "clients"),
        ({"accountNumber": "1", "createdAt": "x"}, "parameter_unknown", "createdAt"),
    ],
)
def test_bank_account_fields_are_checked(
    aws: Any, partner: Partner, body: dict[str, Any], code: str, param: str
) -> None:
    reply = create_ba(partner, body)
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (400, code, param)
    assert records(aws, "bank_account") == []


def test_countries_at_most_20(partner: Partner) -> None:
    codes = [
        "DEU",
        "FRA",
        "ITA",
        "ESP",
        "PRT",
        "NLD",
        "BEL",
        "LUX",
        "AUT",
        "CHE",
        "POL",
        "CZE",
        "SVK",
        "HUN",
        "ROU",
        "BGR",
        "GRC",
        "HRV",
        "SVN",
        "DNK",
        "SWE",
    ]
    assert create_ba(partner, {"accountNumber": "c20", "countries": codes[:20]}).status == 201
    reply = create_ba(partner, {"accountNumber": "c21", "countries": codes})
    assert (reply.status, reply.json["error"]["param"]) == (400, "countries")


def test_a_wallet_address_valid_on_one_chain_and_not_another(partner: Partner) -> None:
    assert create_bw(partner, {"address": EVM.lower(), "chain": "ethereum"}).json["address"] == EVM
    reply = create_bw(partner, {"address": EVM, "chain": "bitcoin"})
    assert (reply.status, reply.json["error"]["param"]) == (400, "address")
    assert create_bw(partner, {"address": BTC_BECH32, "chain": "bitcoin"}).status == 201
    reply = create_bw(partner, {"address": BTC_BECH32, "chain": "ethereum"})
    assert (reply.status, reply.json["error"]["param"]) == (400, "address")
    reply = create_bw(partner, {"address": "x" * 25, "chain": "solanaish"})
    assert (reply.status, reply.json["error"]["param"]) == (400, "address")


def test_addresses_are_unique_per_tenant_and_chain(partner: Partner) -> None:
    assert create_bw(partner, {"address": EVM, "chain": "ethereum"}).status == 201
    reply = create_bw(partner, {"address": EVM.lower(), "chain": "ethereum"})
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (
        409,
        "resource_already_exists",
        "address",
    )
    assert create_bw(partner, {"address": EVM, "chain": "polygon"}).status == 201
    assert [w["chain"] for w in list_bw(partner, "chain=polygon").json["data"]] == ["polygon"]


# -- upserts ---------------------------------------------------------------------------------


def test_duplicates_without_upsert_are_409(partner: Partner) -> None:
    assert create_ba(partner, {"accountNumber": "d-1", "referenceId": "ref-d"}).status == 201
    reply = create_ba(partner, {"accountNumber": "d-1"})
    assert (reply.code, reply.json["error"]["param"]) == ("resource_already_exists", "accountNumber")
    reply = create_ba(partner, {"accountNumber": "d-2", "referenceId": "ref-d"})
    assert (reply.code, reply.json["error"]["param"]) == ("resource_already_exists", "referenceId")


def test_upsert_updates_by_reference_then_by_number(aws: Any, partner: Partner) -> None:
    first = create_ba(partner, {"accountNumber": "u-1", "referenceId": "ref-u"}, upsert=True)
    assert first.status == 201
    by_ref = create_ba(
        partner, {"accountNumber": "u-2", "referenceId": "ref-u", "status": "INACTIVE"}, upsert=True
    )
    assert (by_ref.status, by_ref.json["id"], by_ref.json["accountNumber"]) == (200, first.json["id"], "u-2")
    # The number moved: its old guard is gone, so u-1 is free again.
    assert create_ba(partner, {"accountNumber": "u-1"}).status == 201
    by_number = create_ba(partner, {"accountNumber": "u-2", "currency": "USD"}, upsert=True)
    assert (by_number.status, by_number.json["id"], by_number.json["currency"]) == (
        200,
        first.json["id"],
        "USD",
    )
    assert by_number.json["status"] == "INACTIVE"  # an upsert changes only the fields it names
    assert len(records(aws, "bank_account")) == 2


def test_an_upsert_without_chain_checks_the_address_against_the_chain_the_record_keeps(
    aws: Any, partner: Partner
) -> None:
    """A fuzzing finding: the body's address was checked without a chain (none was sent),
    then merged into an ethereum wallet, whose chain rule failed inside the update: 500.
    The body is valid; it conflicts with the record it matched: 409, changing nothing."""
    created = create_bw(partner, {"address": EVM, "chain": "ethereum", "referenceId": "ref-w"}).json
    before = scan_all(aws)
    reply = create_bw(
        partner, {"referenceId": "ref-w", "address": 'rj5#{U0LM0LE$0IUd"z&:s?"odvmIY'}, upsert=True
    )
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (409, "state_conflict", "address")
    assert "ethereum address" in reply.json["error"]["message"]
    assert [i for i in scan_all(aws) if i.get("type", {}).get("S") != "idempotency"] == [
        i for i in before if i.get("type", {}).get("S") != "idempotency"
    ]
    # A valid one is stored as the kept chain wants it: checksummed on ethereum.
    other = "0x" + "52908400098527886E0F7030069857D2E4169EE7".lower()
    reply = create_bw(partner, {"referenceId": "ref-w", "address": other}, upsert=True)
    assert (reply.status, reply.json["id"], reply.json["chain"]) == (200, created["id"], "ethereum")
    assert reply.json["address"] == "0x52908400098527886E0F7030069857D2E4169EE7"


def test_reference_and_number_of_two_records_is_409_never_a_merge(aws: Any, partner: Partner) -> None:
    a = create_ba(partner, {"accountNumber": "m-1", "referenceId": "ref-a"}).json
    b = create_ba(partner, {"accountNumber": "m-2", "referenceId": "ref-b"}).json
    before = scan_all(aws)
    reply = create_ba(partner, {"accountNumber": "m-2", "referenceId": "ref-a"}, upsert=True)
    assert (reply.status, reply.code) == (409, "state_conflict")
    assert scan_all(aws) == before
    assert a["id"] != b["id"]


@pytest.mark.slow
def test_twenty_concurrent_upserts_of_one_reference_make_one_record(aws: Any, partner: Partner) -> None:
    replies: list[Reply] = []
    barrier = threading.Barrier(20)

    def worker(i: int) -> None:
        barrier.wait()
        replies.append(
            create_ba(
                partner,
                {"accountNumber": "race-1", "referenceId": "ref-race", "customFields": {"writer": str(i)}},
                upsert=True,
            )
        )

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in replies)
    assert statuses == [200] * 19 + [201], [r.text for r in replies if r.status not in (200, 201)]
    assert len({r.json["id"] for r in replies}) == 1
    assert len(records(aws, "bank_account")) == 1


# -- associations ----------------------------------------------------------------------------


def test_associations_are_checked_and_idempotent(make_partner: Any) -> None:
    partner, other = make_partner(), make_partner()
    mine = active_customer(partner)
    theirs = active_customer(other)
    record = create_ba(partner, {"accountNumber": "a-1", "associatedClients": [mine["id"]]}).json
    assert [c["id"] for c in record["associatedClients"]] == [mine["id"]]
    reply = add_clients(partner, record["id"], [theirs["id"]])
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (
        422,
        "reference_invalid",
        "associatedClients[0]",
    )
    again = add_clients(partner, record["id"], [mine["id"]])
    assert again.status == 200 and [c["id"] for c in again.json["associatedClients"]] == [mine["id"]]
    assert [r["id"] for r in list_ba(partner, f"clientId={mine['id']}").json["data"]] == [record["id"]]


def test_the_51st_association_is_422(store: Any, partner: Partner) -> None:
    from core.platform import keys

    clients = []
    for i in range(51):  # customers written directly: the limit is what is tested here
        customer_id = f"cus_01JLIMIT{i:018d}"
        store.put(
            keys.entity_key(partner.tenant_id, customer_id),
            {"type": "customer", "id": customer_id, "status": "active"},
        )
        clients.append(customer_id)
    record = create_ba(partner, {"accountNumber": "l-1", "associatedClients": clients[:30]}).json
    assert add_clients(partner, record["id"], clients[30:50]).status == 200
    reply = add_clients(partner, record["id"], clients[50:])
    assert (reply.status, reply.code) == (422, "limit_exceeded")
    assert len(get_ba(partner, record["id"]).json["associatedClients"]) == 50


def test_deactivation_makes_associations_inactive_and_activation_restores_them(partner: Partner) -> None:
    customer = active_customer(partner)
    bank = create_ba(partner, {"accountNumber": "c-1", "associatedClients": [customer["id"]]}).json
    wallet = create_bw(
        partner, {"address": EVM, "chain": "ethereum", "associatedClients": [customer["id"]]}
    ).json
    assert action(partner, customer["id"], "deactivate").status == 200
    assert get_ba(partner, bank["id"]).json["associatedClients"][0]["status"] == "inactive"
    wallet_now = call(
        "blockchain_wallets/get",
        "GET",
        f"/v1/blockchain-wallets/{wallet['id']}",
        partner=partner,
        path_params={"blockchainWalletId": wallet["id"]},
    ).json
    assert wallet_now["associatedClients"][0]["status"] == "inactive"
    # An association made while the customer is inactive is inactive, and restored with it.
    late = create_ba(partner, {"accountNumber": "c-2", "associatedClients": [customer["id"]]}).json
    assert late["associatedClients"][0]["status"] == "inactive"
    assert action(partner, customer["id"], "activate").status == 200
    for record_id in (bank["id"], late["id"]):
        assert get_ba(partner, record_id).json["associatedClients"][0]["status"] == "active"


def test_events_for_changes(aws: Any, partner: Partner) -> None:
    customer = active_customer(partner)
    record = create_ba(partner, {"accountNumber": "e-1", "referenceId": "ref-e"}).json
    create_ba(partner, {"accountNumber": "e-1", "currency": "USD"}, upsert=True)
    add_clients(partner, record["id"], [customer["id"]], idempotency_key=str(uuid.uuid4()))
    kinds = sorted(
        i["eventType"]["S"]
        for i in scan_all(aws)
        if i.get("type", {}).get("S") == "event" and i["eventType"]["S"].startswith("bank_account")
    )
    assert kinds == ["bank_account.clients_associated", "bank_account.created", "bank_account.updated"]
