"""The resources the sample events and the document's examples name, written into a
tenant: the approved customer `cus_01JQ0...0` (with a KYC document number, a valid CURP),
its EUR account and ethereum USDC wallet, its Mexican bank information, and a ledger
hierarchy (`core.ledger.hierarchy.EXAMPLE_IDS`): an organization, its ledger with a BRL
instrument (and its external account), a portfolio, a product, an account and a
transaction paying 15.00 EUR into it.

The create trials seed them in each trial's fresh partner, and the fuzzing run in its
partner, so that a request naming these ids (an example, a sample event) can succeed.
Written directly, as a customer approved through KYC and those creates would leave them."""

from __future__ import annotations

import time
from typing import Any

from core.accounts import accounts
from core.bank_information import bank_information
from core.ledger import (
    balances,
    hierarchy,
    instruments,
    ledger_accounts,
    ledgers,
    organizations,
    portfolios,
    products,
    transactions,
)
from core.platform import keys

SAMPLE_CUSTOMER = "cus_01JQ0000000000000000000000"
SAMPLE_FIAT_ACCOUNT = "acc_01JQ0000000000000000000000"
SAMPLE_WALLET_ACCOUNT = "acc_01JQ0000000000000000000WAL"
SAMPLE_BANK_INFORMATION = "bi_01JQ0000000000000000000000"
SAMPLE_DOCUMENT_NUMBER = "BOXW310820HNERXN09"  # a CURP
SAMPLE_ADDRESS = {  # the sample organization's
    "line1": "Av. Paulista 1000",
    "zipCode": "01310-100",
    "city": "Sao Paulo",
    "state": "SP",
    "country": "BR",
}


def seed_sample_world(store: Any, tenant_id: str, *, instrument: bool = True) -> None:
    """`instrument=False` leaves out the EUR instrument (for its own create to make it)."""
    now = int(time.time())
    store.put(
        keys.entity_key(tenant_id, SAMPLE_CUSTOMER),
        {
            "type": "customer",
            "id": SAMPLE_CUSTOMER,
            "tenantId": tenant_id,
            "status": "active",
            "capabilities": ["accounts"],
            "documentNumber": SAMPLE_DOCUMENT_NUMBER,
            "createdAt": now,
            "updatedAt": now,
        },
    )
    for account_id, account_type, shape in (
        (SAMPLE_FIAT_ACCOUNT, "demand_deposit", {"currency": "EUR"}),
        (SAMPLE_WALLET_ACCOUNT, "wallet", {"asset": "USDC", "chain": "ethereum"}),
    ):
        store.put(
            keys.entity_key(tenant_id, account_id),
            accounts.new_item(tenant_id, account_id, SAMPLE_CUSTOMER, account_type, shape, now),
        )
    # Another account number than the sample create's, which must create, not update.
    fields = {**bank_information.EXAMPLE, "bankName": None, "accountNumber": "1234567891"}
    store.put(
        keys.entity_key(tenant_id, SAMPLE_BANK_INFORMATION),
        bank_information.new_item(tenant_id, SAMPLE_BANK_INFORMATION, fields, now),
    )
    store.put(bank_information.guard_key(tenant_id, fields), {"type": "guard", "of": SAMPLE_BANK_INFORMATION})

    _seed_ledger(store, tenant_id, now, instrument=instrument)


def _seed_ledger(store: Any, tenant_id: str, now: int, *, instrument: bool) -> None:
    """What the ledger samples name, each parent counting its children as the API would:
    the EUR instrument the sample account names (the sample instrument's own code), with
    its external account, and an account whose alias, `santos-dumont`, is not the sample
    create's (`gabriel`). Without the instrument, no account either."""
    ids = hierarchy.EXAMPLE_IDS
    org, ledger = ids["organization"], ids["ledger"]
    under_org = {"organizationId": org}
    under_ledger = {"organizationId": org, "ledgerId": ledger}
    status = dict(hierarchy.DEFAULT_STATUS)
    held = 1 if instrument else 0  # the sample account, in its portfolio and product

    def put(
        level: hierarchy.Level, ancestors: dict[str, Any], fields: dict[str, Any], children: int
    ) -> dict[str, Any]:
        item = hierarchy.new_item(level, tenant_id, ids[level.kind], ancestors, fields, status, {}, now)
        item["children"] = children
        store.put(keys.entity_key(tenant_id, item["id"]), item)
        return item

    address = dict(SAMPLE_ADDRESS)
    put(
        organizations.LEVEL,
        {},
        {"legalName": "Sample Org", "legalDocument": "00000000000191", "address": address},
        1,
    )
    put(ledgers.LEVEL, under_org, {"name": "Sample ledger"}, 2 + held)
    put(portfolios.LEVEL, under_ledger, {"name": "Sample portfolio"}, held)
    put(products.LEVEL, under_ledger, {"name": "Sample product"}, held)
    if not instrument:
        return
    code, scale = "EUR", 2
    external = ledger_accounts.external_item(tenant_id, org, ledger, ids["instrument"], code, scale, now)
    fields = {"name": "Euro", "type": "currency", "code": code, "scale": scale}
    store.put(
        keys.entity_key(tenant_id, ids["instrument"]),
        {**put(instruments.LEVEL, under_ledger, fields, 1), "externalAccountId": external["id"]},
    )
    store.put(
        hierarchy.code_guard_key(tenant_id, ledger, code),
        instruments.code_guard(ids["instrument"], scale, external),
    )
    for shard in balances.shard_items(external):
        store.put(balances.shard_key(tenant_id, external["id"], shard["shard"]), shard)
    account = ledger_accounts.account_item(
        tenant_id,
        ids["ledger_account"],
        {**under_ledger, "portfolioId": ids["portfolio"]},
        {
            "name": "Sample account",
            "type": "deposit",
            "instrumentCode": code,
            "alias": "santos-dumont",
            "productId": ids["product"],
            "allowSending": True,
            "allowReceiving": True,
        },
        {"of": ids["instrument"], "scale": scale},
        status,
        {},
        now,
    )
    # The sample transaction: 15.00 EUR from the external account to the sample account.
    value = 1500
    external["available"], account["available"] = -value, value
    for item in (external, account):
        store.put(keys.entity_key(tenant_id, item["id"]), item)
        store.put(
            hierarchy.alias_guard_key(tenant_id, ledger, item["alias"]),
            ledger_accounts.alias_guard(item["id"], item.get("shards", 0)),
        )
    money = {"asset": code, "value": value, "scale": scale}
    operations = [
        {
            "id": hierarchy.new_uuid(),
            "operationType": kind,
            "accountId": item["id"],
            "accountAlias": item["alias"],
            "amount": money,
            "description": None,
        }
        for kind, item in (("DEBIT", external), ("CREDIT", account))
    ]
    send = {
        **money,
        "source": {"from": [{"account": external["alias"], "amount": money}]},
        "distribute": {"to": [{"account": account["id"], "amount": money}]},
    }
    transaction_id = ids["transaction"]
    body = {"description": "Sample deposit", "send": send}
    item = transactions.transaction_item(
        tenant_id, transaction_id, under_ledger, body, operations, "APPROVED", now
    )
    store.put(keys.entity_key(tenant_id, transaction_id), item)
    for operation in operations:
        store.put(
            keys.entity_key(tenant_id, operation["id"]),
            transactions.operation_item(tenant_id, transaction_id, operation, now),
        )


def sample_transaction() -> tuple[dict[str, str], dict[str, Any]]:
    """The path parameters and body of a two-entry transaction in the sample hierarchy:
    15.00 EUR from the external account into the sample account (what the benchmark books)."""
    ids = hierarchy.EXAMPLE_IDS
    money = {"asset": "EUR", "value": 1500, "scale": 2}
    body = {
        "send": {
            **money,
            "source": {"from": [{"account": "@external/EUR", "amount": money}]},
            "distribute": {"to": [{"account": ids["ledger_account"], "remaining": "remaining"}]},
        }
    }
    return {"organizationId": ids["organization"], "ledgerId": ids["ledger"]}, body
