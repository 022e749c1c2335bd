"""Races on balances: concurrent transactions spending one account never overdraw it nor
lose an update, and money is never created (threads released together; see
test_accounts_concurrency)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.integration.test_accounts_concurrency import race
from tests.support.harness import Partner
from tests.support.ledger import balance, book, entry, ledger_accounts, transfer, world

RACERS = 20
pytestmark = pytest.mark.slow


def test_twenty_spends_of_one_balance_never_overdraw_it(partner: Partner) -> None:
    w = world(partner)
    source, sink = w.account(), w.account()
    paid_in = book(
        partner, w.ids, transfer(100, [entry("@external/BRL", amount=100)], [entry(source["id"], amount=100)])
    )
    assert paid_in.status == 201, paid_in.text
    spend = transfer(10, [entry(source["id"], amount=10)], [entry(sink["id"], remaining=True)])
    replies = race([lambda: book(partner, w.ids, spend)] * RACERS)
    outcomes = Counter((r.status, r.json.get("error", {}).get("code")) for r in replies)
    assert outcomes == Counter({(201, None): 10, (422, "insufficient_funds"): RACERS - 10}), outcomes
    assert balance(partner, w.ids, source["id"])["available"] == 0
    assert balance(partner, w.ids, sink["id"])["available"] == 100


def test_concurrent_deposits_lose_no_update_and_sum_to_zero(partner: Partner) -> None:
    w = world(partner)
    accounts = [w.account() for _ in range(4)]
    calls = [
        (
            lambda a=a: book(
                partner, w.ids, transfer(7, [entry("@external/BRL", amount=7)], [entry(a["id"], amount=7)])
            )
        )
        for a in accounts
        for _ in range(5)
    ]
    replies = race(calls)
    assert {r.status for r in replies} == {201}, [r.text for r in replies if r.status != 201]
    every: list[dict[str, Any]] = ledger_accounts(partner, w.ids, "limit=100").json["data"]
    assert sum(a["balance"]["available"] for a in every) == 0
    assert [balance(partner, w.ids, a["id"])["available"] for a in accounts] == [35] * 4
