"""Customer accounts in the tests: calls of the seven handlers, an approved customer, and
the sample world the create trials run in (the ids of events/accounts_*.json)."""

from __future__ import annotations

import time
from typing import Any

from core.accounts import accounts
from core.platform import keys
from core.platform.store import Store
from tests.support.harness import Partner, Reply, call

# The ids the sample events name (events/accounts_*.json).
SAMPLE_CUSTOMER = "cus_01JQ0000000000000000000000"
SAMPLE_FIAT_ACCOUNT = "acc_01JQ0000000000000000000000"
SAMPLE_WALLET_ACCOUNT = "acc_01JQ0000000000000000000WAL"


def approved_customer(partner: Partner) -> dict[str, Any]:
    """A customer through KYC approval (active, with the `accounts` capability)."""
    from tests.integration.test_customers import active_customer

    return active_customer(partner)


def open_account(partner: Partner, customer_id: str, **body: Any) -> Reply:
    fields = {"type": "demand_deposit", "currency": "EUR", **body}
    return call(
        "accounts/create", "POST", "/v1/accounts", partner=partner, body={"customerId": customer_id, **fields}
    )


def opened(partner: Partner, customer_id: str, **body: Any) -> dict[str, Any]:
    reply = open_account(partner, customer_id, **body)
    assert reply.status == 201, reply.text
    return dict(reply.json)


def get_account(partner: Partner, account_id: str) -> Reply:
    return call(
        "accounts/get",
        "GET",
        f"/v1/accounts/{account_id}",
        partner=partner,
        path_params={"accountId": account_id},
    )


def list_accounts(partner: Partner, query: str = "") -> Reply:
    return call("accounts/list", "GET", "/v1/accounts", partner=partner, query=query)


def patch_account(partner: Partner, account_id: str, body: dict[str, Any]) -> Reply:
    return call(
        "accounts/update",
        "PATCH",
        f"/v1/accounts/{account_id}",
        partner=partner,
        body=body,
        path_params={"accountId": account_id},
    )


def close_account(partner: Partner, account_id: str, **options: Any) -> Reply:
    return call(
        "accounts/close",
        "POST",
        f"/v1/accounts/{account_id}/close",
        partner=partner,
        body={},
        path_params={"accountId": account_id},
        **options,
    )


def issue_number(
    partner: Partner, account_id: str, body: dict[str, Any] | None = None, **options: Any
) -> Reply:
    return call(
        "accounts/account_numbers",
        "POST",
        f"/v1/accounts/{account_id}/account-numbers",
        partner=partner,
        body=body if body is not None else {},
        path_params={"accountId": account_id},
        **options,
    )


def issue_address(partner: Partner, account_id: str, **options: Any) -> Reply:
    return call(
        "accounts/blockchain_addresses",
        "POST",
        f"/v1/accounts/{account_id}/blockchain-addresses",
        partner=partner,
        body={},
        path_params={"accountId": account_id},
        **options,
    )


def seed_sample_world(store: Store, tenant_id: str) -> None:
    """The sample events' customer (approved) and accounts (a EUR one, an ethereum USDC
    wallet) in `tenant_id`, written directly: the trials' partners are made fresh for
    each trial, and the samples name these ids."""
    now = int(time.time())
    store.put(
        keys.entity_key(tenant_id, SAMPLE_CUSTOMER),
        {
            "type": "customer",
            "id": SAMPLE_CUSTOMER,
            "tenantId": tenant_id,
            "status": "active",
            "capabilities": ["accounts"],
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
