"""Customer accounts in the tests: calls of the seven handlers, an approved customer, and
the sample world the create trials run in (the ids of events/accounts_*.json)."""

from __future__ import annotations

from typing import Any

# The ids the sample events name (events/accounts_*.json), and the world that holds them.
from localapi.samples import (  # noqa: F401
    SAMPLE_CUSTOMER,
    SAMPLE_FIAT_ACCOUNT,
    SAMPLE_WALLET_ACCOUNT,
    seed_sample_world,
)
from tests.support.harness import Partner, Reply, call


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
