"""The scopes an API key can carry. A key issued without a list gets all of them."""

from __future__ import annotations

SCOPES: tuple[str, ...] = (
    "signing_keys:read",
    "signing_keys:write",
    "customers:read",
    "customers:write",
    "bank_accounts:read",
    "bank_accounts:write",
    "blockchain_wallets:read",
    "blockchain_wallets:write",
    "accounts:read",
    "accounts:write",
    "bank_information:read",
    "bank_information:write",
    "ledger:read",
    "ledger:write",
    "events:read",
    "webhooks:read",
    "webhooks:write",
)


def check_known(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)} (known: {', '.join(SCOPES)})")
    return sorted(set(scopes))
