"""Customer accounts (API.md "Customer accounts"): open, read, list, PATCH, close; the
customer gates; account numbers and deposit addresses; the deactivation cascade."""

from __future__ import annotations

from typing import Any

import pytest
from clabe import validate_clabe
from schwifty import IBAN
from stdnum.us import rtn

from core.accounts import number_schemes, numbers
from core.platform import keys, pipeline
from core.platform.store import Store
from tests.integration.conftest import scan_all
from tests.integration.test_customers import action, callback, create
from tests.support.accounts import (
    approved_customer,
    close_account,
    get_account,
    issue_address,
    issue_number,
    list_accounts,
    open_account,
    opened,
    patch_account,
)
from tests.support.deposit_vectors import vector_address
from tests.support.harness import Partner


def events_of(aws: Any, partner: Partner, event_type: str) -> list[dict[str, Any]]:
    from core.platform.store import deserialize

    items = [deserialize(i) for i in scan_all(aws)]
    return sorted(
        (
            i
            for i in items
            if i.get("type") == "event"
            and i.get("tenantId") == partner.tenant_id
            and i["eventType"] == event_type
        ),
        key=lambda i: i["id"],
    )


def error(reply: Any) -> tuple[int, str, str | None]:
    body = reply.json["error"]
    return reply.status, body["code"], body.get("param")


# -- open -------------------------------------------------------------------------------------


def test_open_a_fiat_and_a_wallet_account(aws: Any, partner: Partner) -> None:
    customer = approved_customer(partner)
    fiat = opened(
        partner,
        customer["id"],
        label="Operating Account - USD",
        currency="USD",
        purpose="operating",
        metadata={"costCenter": "ops"},
    )
    assert fiat["id"].startswith("acc_") and fiat["object"] == "account"
    assert (fiat["type"], fiat["status"], fiat["currency"], fiat["asset"], fiat["chain"]) == (
        "demand_deposit",
        "active",
        "USD",
        None,
        None,
    )
    assert (fiat["accountNumbers"], fiat["blockchainAddresses"]) == ([], [])
    assert fiat["metadata"] == {"costCenter": "ops"} and fiat["purpose"] == "operating"
    wallet = opened(partner, customer["id"], type="wallet", currency=None, asset="USDC", chain="base")
    assert (wallet["type"], wallet["asset"], wallet["chain"], wallet["currency"]) == (
        "wallet",
        "USDC",
        "base",
        None,
    )
    virtual = opened(partner, customer["id"], type="virtual", currency="GBP")
    assert virtual["type"] == "virtual"
    created = events_of(aws, partner, "account.created")
    assert [e["data"]["object"]["id"] for e in created] == [fiat["id"], wallet["id"], virtual["id"]]
    assert "accountNumbers" not in created[0]["data"]["object"]
    assert get_account(partner, fiat["id"]).json == fiat


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"type": "demand_deposit", "currency": None}, "parameter_missing", "currency"),
        ({"type": "wallet", "currency": None, "asset": "USDC"}, "parameter_missing", "chain"),
        ({"type": "wallet", "currency": None, "chain": "ethereum"}, "parameter_missing", "asset"),
        ({"type": "wallet", "asset": "USDC", "chain": "ethereum"}, "parameter_invalid", "currency"),
        ({"asset": "USDC"}, "parameter_invalid", "asset"),
        ({"currency": "EURO"}, "parameter_invalid", "currency"),
        ({"currency": "XYZ"}, "parameter_invalid", "currency"),
        ({"type": "savings"}, "parameter_invalid", "type"),
        ({"purpose": "gambling"}, "parameter_invalid", "purpose"),
        ({"label": ""}, "parameter_invalid", "label"),
        ({"label": "x" * 101}, "parameter_invalid", "label"),
        ({"metadata": {"bad key": "v"}}, "parameter_invalid", "metadata"),
        ({"status": "closed"}, "parameter_unknown", "status"),
        ({"balance": 5}, "parameter_unknown", "balance"),
        ({"iban": "DE89"}, "parameter_unknown", "iban"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(
    partner: Partner, body: dict[str, Any], code: str, param: str
) -> None:
    customer = approved_customer(partner)
    reply = open_account(partner, customer["id"], **body)  # a None is sent as null
    assert error(reply)[:2] == (400, code), reply.text
    assert error(reply)[2] is not None and error(reply)[2].startswith(param)


def test_the_customer_gates(aws: Any, partner: Partner, make_partner: Any, store: Store) -> None:
    pending = create(partner, {"externalId": "pending-1"}).json
    assert error(open_account(partner, pending["id"])) == (422, "customer_not_active", "customerId")
    rejected = create(partner, {"externalId": "rejected-1"}).json
    assert callback(partner.tenant_id, rejected["id"], "rejected").status == 200
    assert error(open_account(partner, rejected["id"])) == (422, "customer_not_active", "customerId")
    inactive = approved_customer(partner)
    assert action(partner, inactive["id"], "deactivate").status == 200
    assert error(open_account(partner, inactive["id"])) == (422, "customer_not_active", "customerId")
    # An active customer without the capability (granted with approval; removed here by hand).
    bare = approved_customer(partner)
    store.update(
        keys.entity_key(partner.tenant_id, bare["id"]), "SET capabilities = :none", values={":none": []}
    )
    assert error(open_account(partner, bare["id"])) == (422, "capability_missing", "customerId")
    assert error(open_account(partner, "cus_01JQNOSUCHCUSTOMER00000000")) == (
        422,
        "reference_invalid",
        "customerId",
    )
    other = approved_customer(make_partner())
    assert error(open_account(partner, other["id"])) == (422, "reference_invalid", "customerId")
    assert events_of(aws, partner, "account.created") == []


# -- read, list, PATCH, close -------------------------------------------------------------------------


def test_another_tenants_account_is_404_on_every_route(partner: Partner, make_partner: Any) -> None:
    customer = approved_customer(partner)
    account = opened(partner, customer["id"])
    intruder = make_partner()
    for reply in (
        get_account(intruder, account["id"]),
        patch_account(intruder, account["id"], {"label": "mine"}),
        close_account(intruder, account["id"]),
        issue_number(intruder, account["id"]),
        issue_address(intruder, account["id"]),
    ):
        assert error(reply) == (404, "resource_missing", "accountId"), reply.text
    assert list_accounts(intruder).json["data"] == []
    assert get_account(partner, account["id"]).json["status"] == "active"


def test_list_with_filters(partner: Partner) -> None:
    ada, bob = approved_customer(partner), approved_customer(partner)
    a1 = opened(partner, ada["id"])
    a2 = opened(partner, ada["id"], type="wallet", currency=None, asset="BTC", chain="bitcoin")
    b1 = opened(partner, bob["id"], type="virtual", currency="USD")
    assert close_account(partner, a1["id"]).status == 200

    def ids(query: str) -> list[str]:
        reply = list_accounts(partner, query)
        assert reply.status == 200, reply.text
        return [a["id"] for a in reply.json["data"]]

    assert ids("") == [b1["id"], a2["id"], a1["id"]]
    assert ids(f"customerId={ada['id']}") == [a2["id"], a1["id"]]
    assert ids(f"customerId={ada['id']}&status=active") == [a2["id"]]
    assert ids("type=virtual") == [b1["id"]]
    assert ids("status=closed") == [a1["id"]]
    assert ids(f"customerId={bob['id']}&type=wallet") == []
    first = list_accounts(partner, "limit=2").json
    assert len(first["data"]) == 2 and first["nextCursor"]
    rest = list_accounts(partner, f"limit=2&cursor={first['nextCursor']}").json
    assert [a["id"] for a in rest["data"]] == [a1["id"]] and rest["nextCursor"] is None
    assert "accountNumbers" not in first["data"][0]
    assert error(list_accounts(partner, "status=frozen"))[:2] == (400, "parameter_invalid")


def test_patch_label_purpose_and_metadata(aws: Any, partner: Partner) -> None:
    customer = approved_customer(partner)
    account = opened(partner, customer["id"], label="Ops", metadata={"a": "1", "b": "2"})
    reply = patch_account(
        partner, account["id"], {"label": "Payroll", "purpose": "payroll", "metadata": {"b": None, "c": "3"}}
    )
    assert reply.status == 200, reply.text
    assert (reply.json["label"], reply.json["purpose"], reply.json["metadata"]) == (
        "Payroll",
        "payroll",
        {"a": "1", "c": "3"},
    )
    assert reply.json["accountNumbers"] == [] and reply.json["updatedAt"] >= account["updatedAt"]
    updated = events_of(aws, partner, "account.updated")
    assert len(updated) == 1
    assert updated[0]["data"]["previousAttributes"] == {
        "label": "Ops",
        "purpose": None,
        "metadata": {"a": "1", "b": "2"},
    }
    # The same values again: no write, no event.
    again = patch_account(partner, account["id"], {"label": "Payroll"})
    assert again.status == 200 and len(events_of(aws, partner, "account.updated")) == 1
    for field, value in (
        ("type", "virtual"),
        ("currency", "USD"),
        ("status", "closed"),
        ("customerId", customer["id"]),
    ):
        assert error(patch_account(partner, account["id"], {field: value})) == (
            400,
            "parameter_unknown",
            field,
        )


def test_close_is_terminal_and_its_numbers_and_addresses_go_inactive(aws: Any, partner: Partner) -> None:
    customer = approved_customer(partner)
    fiat = opened(partner, customer["id"])
    number = issue_number(partner, fiat["id"]).json
    assert number["status"] == "active"
    closed = close_account(partner, fiat["id"], idempotency_key="close-1")
    assert closed.status == 200, closed.text
    assert closed.json["status"] == "closed"
    assert [n["status"] for n in closed.json["accountNumbers"]] == ["inactive"]
    assert close_account(partner, fiat["id"], idempotency_key="close-1").json == closed.json  # a replay
    assert error(close_account(partner, fiat["id"])) == (409, "state_conflict", "accountId")
    assert error(issue_number(partner, fiat["id"])) == (409, "state_conflict", "accountId")
    assert error(patch_account(partner, fiat["id"], {"label": "x"})) == (409, "state_conflict", "accountId")
    wallet = opened(partner, customer["id"], type="wallet", currency=None, asset="ETH", chain="ethereum")
    issue_address(partner, wallet["id"])
    assert close_account(partner, wallet["id"]).json["blockchainAddresses"][0]["status"] == "inactive"
    assert error(issue_address(partner, wallet["id"])) == (409, "state_conflict", "accountId")
    previous = [e["data"]["previousAttributes"] for e in events_of(aws, partner, "account.updated")]
    assert previous == [{"status": "active"}, {"status": "active"}]


# -- account numbers -----------------------------------------------------------------------------------


def mod97(iban: str) -> int:
    """ISO 13616's check, written out (independent of schwifty)."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97


@pytest.mark.parametrize("currency", ["EUR", "GBP", "CHF", "PLN", "SEK", "NOK", "DKK"])
def test_iban_numbers_pass_schwifty_and_mod_97(aws: Any, partner: Partner, currency: str) -> None:
    customer = approved_customer(partner)
    account = opened(partner, customer["id"], currency=currency)
    for _ in range(numbers.MAX_PER_ACCOUNT):
        reply = issue_number(partner, account["id"])
        assert reply.status == 201, reply.text
        issued = reply.json
        assert issued["id"].startswith("an_") and issued["scheme"] == "iban" and issued["status"] == "active"
        iban = IBAN(issued["number"])  # raises unless the checksum and the BBAN are valid
        assert mod97(issued["number"]) == 1
        config = number_schemes.issuers(pipeline.runtime()[0]).iban[currency]
        assert iban.country_code == config.country and iban.bank_code == config.bank_code
        assert issued["bankName"] == iban.bank_name and issued["bic"] == str(iban.bic)
        if currency == "GBP":
            assert issued["sortCode"] == config.branch_code == iban.branch_code
        else:
            assert issued["sortCode"] is None
    assert error(issue_number(partner, account["id"])) == (422, "limit_exceeded", "accountId")
    got = get_account(partner, account["id"]).json
    assert len(got["accountNumbers"]) == numbers.MAX_PER_ACCOUNT
    assert len(events_of(aws, partner, "account_number.created")) == numbers.MAX_PER_ACCOUNT


def aba_check(routing: str) -> bool:
    """The 3-7-1 checksum, written out (independent of python-stdnum)."""
    digits = [int(c) for c in routing]
    return sum(d * w for d, w in zip(digits, [3, 7, 1] * 3, strict=True)) % 10 == 0


def test_usd_numbers_are_aba_and_mxn_numbers_clabe(partner: Partner) -> None:
    customer = approved_customer(partner)
    usd = opened(partner, customer["id"], currency="USD")
    issued = issue_number(partner, usd["id"]).json
    assert (
        issued["scheme"] == "aba"
        and rtn.is_valid(issued["routingNumber"])
        and aba_check(issued["routingNumber"])
    )
    assert issued["number"].isdigit() and 10 <= len(issued["number"]) <= 17
    assert issued["bankName"] == "Sandbox Bank" and issued["bic"] is None
    mxn = opened(partner, customer["id"], type="virtual", currency="MXN")
    for _ in range(3):
        clabe = issue_number(partner, mxn["id"], {"scheme": "clabe"}).json
        assert clabe["scheme"] == "clabe" and validate_clabe(clabe["number"])
        assert clabe["number"][:3] == "646" and clabe["number"][3:6] == "180" and clabe["bankName"] == "STP"


def test_schemes_that_do_not_apply_are_422_scheme_unsupported(partner: Partner) -> None:
    customer = approved_customer(partner)
    jpy = opened(partner, customer["id"], currency="JPY")
    assert error(issue_number(partner, jpy["id"])) == (422, "scheme_unsupported", "accountId")
    eur = opened(partner, customer["id"], currency="EUR")
    assert error(issue_number(partner, eur["id"], {"scheme": "aba"})) == (422, "scheme_unsupported", "scheme")
    assert error(issue_number(partner, eur["id"], {"scheme": "sepa"}))[:2] == (400, "parameter_invalid")
    wallet = opened(partner, customer["id"], type="wallet", currency=None, asset="USDC", chain="polygon")
    assert error(issue_number(partner, wallet["id"])) == (422, "scheme_unsupported", "accountId")
    assert error(issue_address(partner, eur["id"])) == (422, "scheme_unsupported", "accountId")


def test_a_number_is_guarded_across_the_deployment_and_a_collision_draws_again(
    aws: Any, partner: Partner, make_partner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = approved_customer(partner)
    account = opened(partner, customer["id"], currency="MXN")
    first = issue_number(partner, account["id"]).json
    guard = next(
        i
        for i in scan_all(aws)
        if i["PK"]["S"] == keys.deployment_guard_key("account_number#clabe", first["number"])["PK"]
    )
    assert set(guard) == {"PK", "SK", "type", "tenantId", "of"}
    assert (guard["tenantId"]["S"], guard["of"]["S"]) == (partner.tenant_id, account["id"])
    # Another tenant's draw hits the same value first: it draws again, never issues it twice.
    other = make_partner()
    other_account = opened(other, approved_customer(other)["id"], currency="MXN")
    real_draw = number_schemes.draw
    draws: list[str] = []

    def colliding(scheme: Any, currency: str, config: Any) -> dict[str, Any]:
        out = {**real_draw(scheme, currency, config)}
        if not draws:
            out.update(number=first["number"], unique=first["number"])
        draws.append(out["number"])
        return out

    monkeypatch.setattr(number_schemes, "draw", colliding)
    second = issue_number(other, other_account["id"])
    assert second.status == 201, second.text
    assert draws[0] == first["number"] and second.json["number"] == draws[-1] != first["number"]
    assert len(draws) == 2


# -- deposit addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chain", "family"),
    [("ethereum", "evm"), ("polygon", "evm"), ("bitcoin", "bitcoin"), ("tron", "tron")],
)
def test_addresses_follow_the_published_vectors_index_by_index(
    aws: Any, partner: Partner, chain: str, family: str
) -> None:
    customer = approved_customer(partner)
    account = opened(partner, customer["id"], type="wallet", currency=None, asset="USDT", chain=chain)
    issued = [issue_address(partner, account["id"]).json for _ in range(3)]
    for index, address in enumerate(issued):
        assert address["id"].startswith("addr_") and address["status"] == "active"
        assert (address["chain"], address["asset"]) == (chain, "USDT")
        assert address["address"] == vector_address(family, index)
        assert address["derivationPath"].endswith(f"/0'/0/{index}")
    got = get_account(partner, account["id"]).json
    assert [a["address"] for a in got["blockchainAddresses"]] == [a["address"] for a in issued]


def test_evm_chains_share_one_index_sequence_and_solana_is_unsupported(partner: Partner) -> None:
    customer = approved_customer(partner)
    eth = opened(partner, customer["id"], type="wallet", currency=None, asset="ETH", chain="ethereum")
    base = opened(partner, customer["id"], type="wallet", currency=None, asset="USDC", chain="base")
    assert issue_address(partner, eth["id"]).json["derivationPath"] == "m/44'/60'/0'/0/0"
    assert issue_address(partner, base["id"]).json["derivationPath"] == "m/44'/60'/0'/0/1"
    solana = opened(partner, customer["id"], type="wallet", currency=None, asset="SOL", chain="solana")
    assert error(issue_address(partner, solana["id"])) == (422, "scheme_unsupported", "accountId")


def test_a_family_without_a_configured_key_is_unsupported(
    partner: Partner, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = approved_customer(partner)
    tron = opened(partner, customer["id"], type="wallet", currency=None, asset="USDT", chain="tron")
    monkeypatch.setenv("DEPOSIT_XPUB_TRON", "")
    pipeline.reset_runtime()
    assert error(issue_address(partner, tron["id"])) == (422, "scheme_unsupported", "accountId")


# -- the cascade ---------------------------------------------------------------------------------------


def test_deactivation_suspends_active_accounts_and_activation_restores_exactly(
    aws: Any, partner: Partner
) -> None:
    customer = approved_customer(partner)
    fiat = opened(partner, customer["id"])
    issue_number(partner, fiat["id"])
    wallet = opened(partner, customer["id"], type="wallet", currency=None, asset="ETH", chain="ethereum")
    issue_address(partner, wallet["id"])
    closed = opened(partner, customer["id"], currency="USD")
    close_account(partner, closed["id"])
    later_closed = opened(partner, customer["id"], currency="GBP")

    assert action(partner, customer["id"], "deactivate").status == 200
    got = {a["id"]: get_account(partner, a["id"]).json for a in (fiat, wallet, closed, later_closed)}
    assert [got[a["id"]]["status"] for a in (fiat, wallet, closed, later_closed)] == [
        "suspended",
        "suspended",
        "closed",
        "suspended",
    ]
    assert got[fiat["id"]]["accountNumbers"][0]["status"] == "suspended"
    assert got[wallet["id"]]["blockchainAddresses"][0]["status"] == "suspended"
    assert error(issue_number(partner, fiat["id"])) == (409, "state_conflict", "accountId")
    assert error(issue_address(partner, wallet["id"])) == (409, "state_conflict", "accountId")
    assert patch_account(partner, fiat["id"], {"label": "still mine"}).status == 200
    # Closed while suspended: it leaves the cascade, and activation does not reopen it.
    assert close_account(partner, later_closed["id"]).json["status"] == "closed"

    assert action(partner, customer["id"], "activate").status == 200
    statuses = [get_account(partner, a["id"]).json["status"] for a in (fiat, wallet, closed, later_closed)]
    assert statuses == ["active", "active", "closed", "closed"]
    assert get_account(partner, fiat["id"]).json["accountNumbers"][0]["status"] == "active"
    assert issue_address(partner, wallet["id"]).status == 201
    # Per account, in commit order (one cascade's events share a transaction, so only
    # each account's own sequence is ordered).
    changes: dict[str, list[tuple[dict[str, Any], str]]] = {fiat["id"]: [], wallet["id"]: []}
    for event in events_of(aws, partner, "account.updated"):
        obj = event["data"]["object"]
        if obj["id"] in changes:
            changes[obj["id"]].append((event["data"]["previousAttributes"], obj["status"]))
    assert changes[fiat["id"]] == [
        ({"status": "active"}, "suspended"),
        ({"label": None}, "suspended"),
        ({"status": "suspended"}, "active"),
    ]
    assert changes[wallet["id"]] == [({"status": "active"}, "suspended"), ({"status": "suspended"}, "active")]
