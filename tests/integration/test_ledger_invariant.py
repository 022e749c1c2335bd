"""The ledger's invariant under random transactions (a hypothesis property, in process):
for the instrument the balances sum to zero, no account but the external one is ever
negative, every answered transaction is booked once (a refused one changes nothing), and
replaying every operation from zero reproduces every balance.

The same invariant under concurrency, crashes and retries is test_ledger_invariant_trial;
overdraft and lost updates in races are test_ledger_transactions_concurrency."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.harness import Partner
from tests.support.ledger import act, book, entry, ledger_accounts, statement, transaction, transfer, world

ACCOUNTS = 5
pytestmark = pytest.mark.slow

leg = st.tuples(st.integers(0, ACCOUNTS), st.integers(0, ACCOUNTS), st.integers(1, 500), st.booleans())


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(st.lists(leg, min_size=10, max_size=40), st.lists(st.sampled_from(["commit", "cancel"]), max_size=40))
def test_random_transactions_keep_the_ledger_balanced(
    make_partner: Any, legs: list[Any], settles: list[str]
) -> None:
    partner: Partner = make_partner()
    w = world(partner)
    accounts = ["@external/BRL", *(w.account()["id"] for _ in range(ACCOUNTS))]
    outcomes: Counter[int] = Counter()
    pending: list[str] = []
    for account_id in accounts[1:]:  # something to spend
        assert (
            book(
                partner,
                w.ids,
                transfer(300, [entry(accounts[0], amount=300)], [entry(account_id, amount=300)]),
            ).status
            == 201
        )
    for source, target, value, held in legs:
        if source == target:
            continue
        body = transfer(
            value, [entry(accounts[source], amount=value)], [entry(accounts[target], remaining=True)]
        )
        reply = book(partner, w.ids, {**body, "pending": held})
        outcomes[reply.status] += 1
        assert reply.status in (201, 422), reply.text
        if reply.status == 422:
            assert reply.json["error"]["code"] == "insufficient_funds"
        elif held:
            pending.append(reply.json["id"])
    for transaction_id, action in zip(pending, settles, strict=False):
        assert act(partner, w.ids, transaction_id, action).status == 200
    every = ledger_accounts(partner, w.ids, "limit=100").json["data"]
    assert sum(a["balance"]["available"] + a["balance"]["onHold"] for a in every) == 0
    for account in every:
        if account["type"] != "external":
            assert account["balance"]["available"] >= 0 and account["balance"]["onHold"] >= 0
    # Replaying every operation from zero, by the status of its transaction, gives every
    # balance: an approved one moved its amounts, a pending one holds its sources' amounts,
    # a cancelled one moved nothing.
    status: dict[str, str] = {}
    for account in every:
        available = on_hold = 0
        for line in statement(partner, w.ids, account["id"], "limit=100").json["data"]:
            tid = line["transactionId"]
            if tid not in status:
                status[tid] = transaction(partner, w.ids, tid).json["status"]
            value = line["amount"]["value"]
            if status[tid] == "APPROVED":
                available += -value if line["type"] == "DEBIT" else value
            elif status[tid] == "PENDING" and line["type"] == "DEBIT":
                available, on_hold = available - value, on_hold + value
        assert (available, on_hold) == (account["balance"]["available"], account["balance"]["onHold"]), (
            account
        )
