"""Hot accounts (core.ledger.balances): an instrument's external account is spread over
shards that carry its facts, so transactions on it touch one shard each, never its item;
reads sum the shards; holds come back on the shard that took them; deleting the
instrument needs the whole balance at zero. Then the trial of issue 18: 50 concurrent
transactions on one external and one settlement account, with DynamoDB's transaction
conflicts emulated (localapi.conflicts), fail no request and leave the balances exact."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from core.ledger import balances
from core.platform import keys
from core.platform.store import Store
from localapi import conflicts
from tests.integration.test_accounts_concurrency import race
from tests.support.harness import Partner
from tests.support.ledger import (
    act,
    balance,
    book,
    create,
    created,
    delete,
    entry,
    ledger_accounts,
    transfer,
    world,
)

# A DynamoDB transaction holds its items for about this long (tens of ms when its items
# sit in several partitions); the local emulator is slower to apply one than that anyway.
TRANSACTION_MS = 10
RACERS = 50


def external_of(partner: Partner, ids: dict[str, str], code: str = "BRL") -> dict[str, Any]:
    found = ledger_accounts(partner, ids, f"alias=@external/{code}").json["data"]
    assert len(found) == 1, found
    return dict(found[0])


def parts(store: Store, partner: Partner, account_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    account, shards = balances.collection(store, partner.tenant_id, account_id, consistent=True)
    assert account is not None
    return account, shards


def deposit(
    partner: Partner, ids: dict[str, str], account_id: str, value: int, source: str = "@external/BRL"
) -> Any:
    reply = book(
        partner, ids, transfer(value, [entry(source, amount=value)], [entry(account_id, amount=value)])
    )
    assert reply.status == 201, reply.text
    return reply.json


def test_an_instruments_external_account_moves_on_its_shards_never_its_item(
    partner: Partner, store: Store
) -> None:
    w = world(partner)
    external = external_of(partner, w.ids)
    account, shards = parts(store, partner, external["id"])
    assert len(shards) == balances.SHARDS == account["shards"]
    assert {s["ledgerId"] for s in shards} == {w.ids["ledgerId"]}
    assert {s["instrumentCode"] for s in shards} == {"BRL"}
    target = w.account()
    for value in range(1, 17):
        deposit(partner, w.ids, target["id"], value)
    paid = sum(range(1, 17))
    account, shards = parts(store, partner, external["id"])
    assert (account["available"], account["onHold"]) == (0, 0)  # the item itself never moved
    assert sum(s["available"] for s in shards) == -paid
    assert sum(1 for s in shards if s["available"]) > 1  # spread, not piled on one shard
    assert balance(partner, w.ids, external["id"])["available"] == -paid
    assert external_of(partner, w.ids)["balance"]["available"] == -paid
    listed = ledger_accounts(partner, w.ids, "limit=100").json["data"]
    assert sum(a["balance"]["available"] for a in listed) == 0


def test_the_external_account_named_by_its_id_is_spread_all_the_same(partner: Partner, store: Store) -> None:
    w = world(partner)
    external = external_of(partner, w.ids)
    target = w.account()
    made = deposit(partner, w.ids, target["id"], 250, source=external["id"])
    (debit,) = [op for op in made["operations"] if op["type"] == "DEBIT"]
    assert debit["accountId"] == external["id"]
    account, shards = parts(store, partner, external["id"])
    assert account["available"] == 0 and sum(s["available"] for s in shards) == -250
    assert balance(partner, w.ids, external["id"])["available"] == -250


def test_a_hold_on_the_external_account_comes_back_on_the_shard_that_took_it(
    partner: Partner, store: Store
) -> None:
    w = world(partner)
    external, target = external_of(partner, w.ids), w.account()
    held = transfer(40, [entry("@external/BRL", amount=40)], [entry(target["id"], amount=40)], pending=True)
    first = book(partner, w.ids, held).json
    assert balance(partner, w.ids, external["id"]) == {"available": -40, "onHold": 40, "scale": 2}
    assert act(partner, w.ids, first["id"], "cancel").status == 200
    assert balance(partner, w.ids, external["id"]) == {"available": 0, "onHold": 0, "scale": 2}
    second = book(partner, w.ids, held).json
    assert act(partner, w.ids, second["id"], "commit").status == 200
    assert balance(partner, w.ids, external["id"]) == {"available": -40, "onHold": 0, "scale": 2}
    assert balance(partner, w.ids, target["id"])["available"] == 40
    _, shards = parts(store, partner, external["id"])
    assert all(s["onHold"] == 0 for s in shards)


def test_an_external_alias_of_another_instrument_is_an_instrument_mismatch(partner: Partner) -> None:
    w = world(partner)
    created(partner, "instrument", w.ids, {"name": "Dollar", "code": "USD"})
    target = w.account()
    reply = book(
        partner, w.ids, transfer(10, [entry("@external/USD", amount=10)], [entry(target["id"], amount=10)])
    )
    assert (reply.status, reply.code) == (422, "instrument_mismatch"), reply.text
    assert reply.json["error"]["param"] == "send.source.from[0].account"


def test_deleting_an_instrument_needs_its_whole_external_balance_at_zero(
    partner: Partner, store: Store
) -> None:
    w = world(partner)
    usd = created(partner, "instrument", w.ids, {"name": "Dollar", "code": "USD"})
    account = w.account({"instrumentCode": "USD"})
    usd_ids = {**w.ids, "instrumentId": usd["id"]}
    money = {"asset": "USD"}
    paid = book(
        partner,
        w.ids,
        transfer(
            70,
            [entry("@external/USD", amount=70, **money)],
            [entry(account["id"], amount=70, **money)],
            asset="USD",
        ),
    )
    assert paid.status == 201, paid.text
    external = external_of(partner, w.ids, "USD")
    delete_account = delete(partner, "account", {**w.ids, "accountId": account["id"]})
    assert delete_account.status == 409  # it holds the 70
    # Paid back through other transactions: the shards differ, their sum is zero.
    for value in (30, 40):
        back = transfer(
            value,
            [entry(account["id"], amount=value, **money)],
            [entry("@external/USD", amount=value, **money)],
            asset="USD",
        )
        assert book(partner, w.ids, back).status == 201
    assert balance(partner, w.ids, external["id"])["available"] == 0
    assert delete(partner, "account", {**w.ids, "accountId": account["id"]}).status == 204
    assert delete(partner, "instrument", usd_ids).status == 204
    account_item, shards = balances.collection(store, partner.tenant_id, external["id"], consistent=True)
    assert account_item is not None and account_item["deletedAt"] is not None
    assert shards == []
    again = create(partner, "instrument", w.ids, {"name": "Dollar", "code": "USD"})
    assert again.status == 201, again.text


def test_an_external_balance_not_zero_keeps_its_instrument(partner: Partner) -> None:
    w = world(partner)
    usd = created(partner, "instrument", w.ids, {"name": "Dollar", "code": "USD"})
    account = w.account({"instrumentCode": "USD"})
    money = {"asset": "USD"}
    body = transfer(
        5, [entry("@external/USD", amount=5, **money)], [entry(account["id"], amount=5, **money)], asset="USD"
    )
    assert book(partner, w.ids, body).status == 201
    reply = delete(partner, "instrument", {**w.ids, "instrumentId": usd["id"]})
    assert reply.status == 409  # the account uses it, and the external account holds -5


# -- the trial --------------------------------------------------------------------------------


@pytest.fixture
def transaction_conflicts() -> Iterator[None]:
    conflicts.set_transaction_time(TRANSACTION_MS)
    yield
    conflicts.set_transaction_time(0)


@pytest.mark.slow
def test_fifty_concurrent_transactions_on_one_external_and_one_settlement_account(
    partner: Partner, store: Store, transaction_conflicts: None
) -> None:
    w = world(partner)
    settlement = w.account({"alias": "settlement", "type": "marketplace"})
    external = external_of(partner, w.ids)
    deposit(partner, w.ids, settlement["id"], 100_000)
    deposits = [
        lambda i=i: book(
            partner,
            w.ids,
            transfer(
                100 + i, [entry("@external/BRL", amount=100 + i)], [entry("settlement", remaining=True)]
            ),
        )
        for i in range(RACERS // 2)
    ]
    payouts = [
        lambda i=i: book(
            partner,
            w.ids,
            transfer(50 + i, [entry("settlement", amount=50 + i)], [entry("@external/BRL", remaining=True)]),
        )
        for i in range(RACERS - RACERS // 2)
    ]
    before = conflicts.counts()
    replies = race([*deposits, *payouts])
    after = conflicts.counts()
    outcomes = Counter(r.status for r in replies)
    assert outcomes == Counter({201: RACERS}), [r.text for r in replies if r.status != 201]
    # The trial is only one if DynamoDB's conflicts happened and were retried.
    conflicted = after["conflicts"] - before["conflicts"]
    assert conflicted > 0
    paid_in = sum(100 + i for i in range(RACERS // 2))
    paid_out = sum(50 + i for i in range(RACERS - RACERS // 2))
    assert balance(partner, w.ids, settlement["id"]) == {
        "available": 100_000 + paid_in - paid_out,
        "onHold": 0,
        "scale": 2,
    }
    assert balance(partner, w.ids, external["id"])["available"] == -(100_000 + paid_in - paid_out)
    account, _ = parts(store, partner, external["id"])
    assert account["available"] == 0  # every movement of the hot account went to a shard
    listed = ledger_accounts(partner, w.ids, "limit=100").json["data"]
    assert sum(a["balance"]["available"] for a in listed) == 0
    print(f"\n{RACERS} transactions, {conflicted} conflicts answered and retried, none failed")


def test_the_store_item_of_a_shard_is_keyed_under_its_account(partner: Partner) -> None:
    key = balances.shard_key(partner.tenant_id, "0193-acc", 3)
    assert key == {"PK": keys.tenant_pk(partner.tenant_id), "SK": "0193-acc#SHARD#03"}
