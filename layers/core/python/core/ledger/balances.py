"""Where an account's balance is stored, and how a hot account spreads it.

An account's balance is the `available` and `onHold` of its item plus those of its
shards, if it has any. Only external accounts have shards (`SHARDS` of them, created with
the account): every deposit and withdrawal of an instrument touches its external
account, and DynamoDB cancels concurrent transactions on one item (TransactionConflict),
so a single item would serialise the whole ledger's traffic. An external account may go
negative, so no write to it needs the whole balance: a transaction moves the one shard
its id picks (`shard_for`, the same shard at booking, commit and cancel), under a
condition on the facts each shard carries (live, ledger, instrument, allowed to send /
receive; an external account's facts never change but by its deletion, which deletes its
shards). Concurrent transactions on one external account then conflict only when they
pick the same shard, and the store retries those.

A partner account keeps one item: its debits need the whole balance in one condition
(`available >= value`), the rule that keeps it from going negative. Its transactions are
serialised by DynamoDB and retried on conflict (README: Hot accounts, for the rate that
allows).

Reads sum the shards in one Query of the account's item collection (the account's key
and its shards' keys share a prefix).
"""

from __future__ import annotations

from typing import Any

from core.platform import keys
from core.platform.store import Store

SHARDS = 16
SHARD_KIND = "ledger_account_shard"
# What a shard's conditions check, copied from its account.
FACTS = ("ledgerId", "instrumentCode", "accountType", "allowSending", "allowReceiving")


def shard_key(tenant_id: str, account_id: str, index: int) -> dict[str, str]:
    return keys.child_key(tenant_id, account_id, "SHARD", f"{index:02d}")


def shard_items(account: dict[str, Any]) -> list[dict[str, Any]]:
    """The shards of a new account that has `shards`, each at zero."""
    facts = {name: account[name] for name in FACTS}
    return [
        {
            "type": SHARD_KIND,
            "tenantId": account["tenantId"],
            "accountId": account["id"],
            "shard": index,
            "available": 0,
            "onHold": 0,
            **facts,
        }
        for index in range(int(account.get("shards", 0)))
    ]


def shard_for(transaction_id: str, shards: int) -> int:
    """The shard a transaction moves: from the random tail of its UUIDv7."""
    return int(transaction_id[-8:], 16) % shards


def balance_key(tenant_id: str, account_id: str, shard: int | None) -> dict[str, str]:
    """The item a movement updates: the account's own, or one of its shards."""
    if shard is None:
        return keys.entity_key(tenant_id, account_id)
    return shard_key(tenant_id, account_id, shard)


def collection(
    store: Store, tenant_id: str, account_id: str, *, consistent: bool = False
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The account's item and its shards, in one Query."""
    items = store.collection(tenant_id, account_id, limit=SHARDS + 1, consistent=consistent)
    account = next((i for i in items if i["SK"] == account_id), None)
    return account, [i for i in items if i.get("type") == SHARD_KIND and i.get("accountId") == account_id]


def summed(account: dict[str, Any], shards: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        **account,
        "available": account["available"] + sum(s["available"] for s in shards),
        "onHold": account["onHold"] + sum(s["onHold"] for s in shards),
    }


def with_shards(store: Store, tenant_id: str, account: dict[str, Any]) -> dict[str, Any]:
    """The account with its whole balance (one Query when it has shards, none otherwise)."""
    if not account.get("shards"):
        return account
    _, shards = collection(store, tenant_id, account["id"])
    return summed(account, shards)
