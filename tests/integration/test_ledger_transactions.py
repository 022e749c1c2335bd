"""Ledger transactions (API.md "Ledger transactions"): double entry with conditional balance
updates; amounts, shares and remaining; every 422 rule; holds, commit, cancel, revert;
reads and statements."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_accounts import error, events_of
from tests.support.harness import Partner
from tests.support.ledger import (
    World,
    act,
    balance,
    book,
    created,
    entry,
    patch,
    statement,
    transaction,
    transactions,
    transfer,
    world,
)

EXTERNAL = "@external/BRL"


@pytest.fixture
def w(partner: Partner) -> World:
    return world(partner)


def external_id(partner: Partner, w: World) -> str:
    from tests.support.ledger import ledger_accounts

    [external] = ledger_accounts(partner, w.ids, f"alias={EXTERNAL}").json["data"]
    return str(external["id"])


def funded(partner: Partner, w: World, value: int, **body: Any) -> dict[str, Any]:
    """A new account holding `value` (minor units), paid in from the external account."""
    account = w.account(body)
    reply = book(
        partner,
        w.ids,
        transfer(value, [entry(EXTERNAL, amount=value)], [entry(account["id"], remaining=True)]),
    )
    assert reply.status == 201, reply.text
    return account


def test_a_deposit_moves_money_from_the_external_account(aws: Any, partner: Partner, w: World) -> None:
    account = w.account({"alias": "gabriel"})
    body = transfer(
        1500, [entry(EXTERNAL, amount=1500)], [entry("gabriel", remaining=True)], description="Pix"
    )
    reply = book(partner, w.ids, body)
    assert reply.status == 201, reply.text
    booked = reply.json
    assert (booked["status"], booked["pending"], booked["description"]) == ("APPROVED", False, "Pix")
    debit, credit = booked["operations"]
    assert (debit["type"], debit["accountAlias"], debit["amount"]) == (
        "DEBIT",
        EXTERNAL,
        {"asset": "BRL", "value": 1500, "scale": 2},
    )
    assert (credit["type"], credit["accountId"], credit["amount"]["value"]) == ("CREDIT", account["id"], 1500)
    assert balance(partner, w.ids, account["id"]) == {"available": 1500, "onHold": 0, "scale": 2}
    assert balance(partner, w.ids, external_id(partner, w))["available"] == -1500
    assert transaction(partner, w.ids, booked["id"]).json == booked
    assert [t["id"] for t in transactions(partner, w.ids).json["data"]] == [booked["id"]]
    [event] = events_of(aws, partner, "transaction.created")
    assert event["data"]["object"]["id"] == booked["id"]


def test_shares_of_a_third_each_sum_exactly(partner: Partner, w: World) -> None:
    source = funded(partner, w, 10)
    a, b, c = (w.account() for _ in range(3))
    shares = [entry(a["id"], share=33), entry(b["id"], share=33), entry(c["id"], share=34)]
    booked = book(partner, w.ids, transfer(10, [entry(source["id"], amount=10)], shares)).json
    assert [o["amount"]["value"] for o in booked["operations"][1:]] == [3, 3, 4]
    assert [balance(partner, w.ids, x["id"])["available"] for x in (source, a, b, c)] == [0, 3, 3, 4]


def test_a_scale_conversion_is_exact_or_refused(partner: Partner, w: World) -> None:
    account = w.account()
    fine = transfer(
        15000, [entry(EXTERNAL, amount=15000, scale=3)], [entry(account["id"], remaining=True)], scale=3
    )
    assert book(partner, w.ids, fine).status == 201
    assert balance(partner, w.ids, account["id"])["available"] == 1500
    lossy = transfer(
        15001, [entry(EXTERNAL, amount=15001, scale=3)], [entry(account["id"], remaining=True)], scale=3
    )
    assert error(book(partner, w.ids, lossy)) == (400, "parameter_invalid", "send.value")


def test_sides_must_come_to_the_value(partner: Partner, w: World) -> None:
    account = w.account()
    short = transfer(100, [entry(EXTERNAL, amount=60)], [entry(account["id"], amount=100)])
    assert error(book(partner, w.ids, short)) == (422, "amount_mismatch", "send.source.from")
    over = transfer(
        100, [entry(EXTERNAL, amount=100)], [entry(account["id"], share=60), entry(EXTERNAL, share=50)]
    )
    assert error(book(partner, w.ids, over))[:2] == (422, "amount_mismatch")


def test_insufficient_funds_writes_nothing(aws: Any, partner: Partner, w: World) -> None:
    poor, rich = funded(partner, w, 100), w.account()
    body = transfer(101, [entry(poor["id"], amount=101)], [entry(rich["id"], remaining=True)])
    assert error(book(partner, w.ids, body)) == (422, "insufficient_funds", "send.source.from[0].account")
    assert balance(partner, w.ids, poor["id"])["available"] == 100
    assert balance(partner, w.ids, rich["id"])["available"] == 0
    assert len(events_of(aws, partner, "transaction.created")) == 1


def test_allow_sending_and_receiving(partner: Partner, w: World) -> None:
    source, target = funded(partner, w, 100), w.account()
    patch(partner, "account", {**w.ids, "accountId": source["id"]}, {"allowSending": False})
    body = transfer(10, [entry(source["id"], amount=10)], [entry(target["id"], remaining=True)])
    assert error(book(partner, w.ids, body)) == (422, "account_not_allowed", "send.source.from[0].account")
    patch(partner, "account", {**w.ids, "accountId": source["id"]}, {"allowSending": True})
    patch(partner, "account", {**w.ids, "accountId": target["id"]}, {"allowReceiving": False})
    assert error(book(partner, w.ids, body)) == (422, "account_not_allowed", "send.distribute.to[0].account")


def test_another_instrument(partner: Partner, w: World) -> None:
    created(partner, "instrument", w.ids, {"code": "USD", "name": "Dollar"})
    dollars = w.account({"instrumentCode": "USD"})
    body = transfer(10, [entry(EXTERNAL, amount=10)], [entry(dollars["id"], remaining=True)])
    assert error(book(partner, w.ids, body)) == (422, "instrument_mismatch", "send.distribute.to[0].account")
    mixed = transfer(10, [entry(EXTERNAL, amount=10, asset="USD")], [entry(dollars["id"], remaining=True)])
    assert error(book(partner, w.ids, mixed)) == (
        422,
        "instrument_mismatch",
        "send.source.from[0].amount.asset",
    )


def test_unknown_accounts_and_instruments(partner: Partner, w: World) -> None:
    account = w.account()
    unknown = transfer(10, [entry(EXTERNAL, amount=10)], [entry("nobody", remaining=True)])
    assert error(book(partner, w.ids, unknown)) == (422, "reference_invalid", "send.distribute.to[0].account")
    no_id = transfer(
        10, [entry(EXTERNAL, amount=10)], [entry("00000000-0000-7000-8000-000000000000", remaining=True)]
    )
    assert error(book(partner, w.ids, no_id)) == (422, "reference_invalid", "send.distribute.to[0].account")
    euros = transfer(
        10, [entry(EXTERNAL, amount=10, asset="EUR")], [entry(account["id"], remaining=True)], asset="EUR"
    )
    assert error(book(partner, w.ids, euros)) == (422, "reference_invalid", "send.asset")


def test_41_entries_and_an_account_on_both_sides(partner: Partner, w: World) -> None:
    account = w.account()
    many = transfer(40, [entry(EXTERNAL, amount=1)] * 40, [entry(account["id"], remaining=True)])
    assert error(book(partner, w.ids, many)) == (400, "parameter_invalid", "send")
    both = transfer(10, [entry(account["id"], amount=10)], [entry(account["id"], remaining=True)])
    assert error(book(partner, w.ids, both))[:2] == (422, "account_not_allowed")


@pytest.mark.parametrize(
    "bad_entry",
    [
        {"account": EXTERNAL},
        {"account": EXTERNAL, "remaining": "remaining", "share": {"percentage": 10}},
        {"account": EXTERNAL, "amount": None},
        {"account": EXTERNAL, "amount": {"asset": "BRL", "value": 1.5, "scale": 2}},
    ],
)
def test_an_entry_is_exactly_one_of_amount_share_remaining(
    partner: Partner, w: World, bad_entry: dict[str, Any]
) -> None:
    body = transfer(10, [bad_entry], [entry(w.account()["id"], remaining=True)])
    status, code, param = error(book(partner, w.ids, body))
    assert (status, code) == (400, "parameter_invalid") and param and param.startswith("send.source.from[0]")


# -- holds ----------------------------------------------------------------------------------


def test_a_pending_transaction_holds_then_commits_once(partner: Partner, w: World) -> None:
    source, target = funded(partner, w, 100), w.account()
    body = transfer(30, [entry(source["id"], amount=30)], [entry(target["id"], remaining=True)], pending=True)
    held = book(partner, w.ids, body).json
    assert held["status"] == "PENDING"
    assert balance(partner, w.ids, source["id"]) == {"available": 70, "onHold": 30, "scale": 2}
    assert balance(partner, w.ids, target["id"])["available"] == 0
    done = act(partner, w.ids, held["id"], "commit")
    assert (done.status, done.json["status"]) == (200, "APPROVED")
    assert balance(partner, w.ids, source["id"]) == {"available": 70, "onHold": 0, "scale": 2}
    assert balance(partner, w.ids, target["id"])["available"] == 30
    for action in ("commit", "cancel"):
        assert error(act(partner, w.ids, held["id"], action))[:2] == (409, "state_conflict")


def test_a_pending_transaction_cancels_once(partner: Partner, w: World) -> None:
    source, target = funded(partner, w, 100), w.account()
    body = transfer(30, [entry(source["id"], amount=30)], [entry(target["id"], remaining=True)], pending=True)
    held = book(partner, w.ids, body).json
    assert act(partner, w.ids, held["id"], "cancel").json["status"] == "CANCELED"
    assert balance(partner, w.ids, source["id"]) == {"available": 100, "onHold": 0, "scale": 2}
    assert error(act(partner, w.ids, held["id"], "cancel"))[:2] == (409, "state_conflict")
    assert error(act(partner, w.ids, held["id"], "commit"))[:2] == (409, "state_conflict")


def test_held_money_cannot_be_spent_twice(partner: Partner, w: World) -> None:
    source, target = funded(partner, w, 100), w.account()
    book(
        partner,
        w.ids,
        transfer(80, [entry(source["id"], amount=80)], [entry(target["id"], remaining=True)], pending=True),
    )
    body = transfer(30, [entry(source["id"], amount=30)], [entry(target["id"], remaining=True)])
    assert error(book(partner, w.ids, body))[:2] == (422, "insufficient_funds")


# -- reverts ---------------------------------------------------------------------------------


def test_a_revert_books_the_exact_reverse_once(partner: Partner, w: World) -> None:
    source, target = funded(partner, w, 100), w.account()
    booked = book(
        partner, w.ids, transfer(40, [entry(source["id"], amount=40)], [entry(target["id"], remaining=True)])
    ).json
    reply = act(partner, w.ids, booked["id"], "revert")
    assert reply.status == 200, reply.text
    reversal = reply.json
    assert reversal["id"] != booked["id"] and reversal["status"] == "APPROVED"
    assert [(o["type"], o["accountId"]) for o in reversal["operations"]] == [
        ("CREDIT", source["id"]),
        ("DEBIT", target["id"]),
    ]
    assert balance(partner, w.ids, source["id"])["available"] == 100
    assert balance(partner, w.ids, target["id"])["available"] == 0
    assert transaction(partner, w.ids, booked["id"]).json["revertedBy"] == reversal["id"]
    assert error(act(partner, w.ids, booked["id"], "revert"))[:2] == (409, "state_conflict")


def test_a_revert_after_the_money_moved_on(partner: Partner, w: World) -> None:
    source, target, elsewhere = funded(partner, w, 100), w.account(), w.account()
    booked = book(
        partner, w.ids, transfer(40, [entry(source["id"], amount=40)], [entry(target["id"], remaining=True)])
    ).json
    book(
        partner,
        w.ids,
        transfer(40, [entry(target["id"], amount=40)], [entry(elsewhere["id"], remaining=True)]),
    )
    assert error(act(partner, w.ids, booked["id"], "revert"))[:2] == (422, "insufficient_funds")
    assert transaction(partner, w.ids, booked["id"]).json["revertedBy"] is None


# -- reads -----------------------------------------------------------------------------------


def test_the_statement_lists_an_accounts_operations_newest_first(partner: Partner, w: World) -> None:
    account = funded(partner, w, 100)
    other = w.account()
    spent = book(
        partner, w.ids, transfer(25, [entry(account["id"], amount=25)], [entry(other["id"], remaining=True)])
    ).json
    lines = statement(partner, w.ids, account["id"]).json["data"]
    assert [(line["type"], line["amount"]["value"]) for line in lines] == [("DEBIT", 25), ("CREDIT", 100)]
    assert lines[0]["transactionId"] == spent["id"]
    assert error(statement(partner, w.ids, "00000000-0000-7000-8000-000000000000"))[:2] == (
        404,
        "resource_missing",
    )


def test_a_transaction_of_another_ledger_or_tenant_is_404(
    partner: Partner, make_partner: Any, w: World
) -> None:
    account = w.account()
    booked = book(
        partner, w.ids, transfer(5, [entry(EXTERNAL, amount=5)], [entry(account["id"], remaining=True)])
    ).json
    other = created(partner, "ledger", w.ids, {"name": "Other"})
    assert error(transaction(partner, {**w.ids, "ledgerId": other["id"]}, booked["id"]))[:2] == (
        404,
        "resource_missing",
    )
    assert error(transaction(make_partner(), w.ids, booked["id"]))[:2] == (404, "resource_missing")
    assert error(act(partner, {**w.ids, "ledgerId": other["id"]}, booked["id"], "revert"))[:2] == (
        404,
        "resource_missing",
    )


def test_an_account_with_a_balance_is_not_deleted(partner: Partner, w: World) -> None:
    from tests.support.ledger import delete

    account = funded(partner, w, 10)
    assert error(delete(partner, "account", {**w.ids, "accountId": account["id"]}))[:2] == (
        409,
        "state_conflict",
    )


def test_a_revert_ignores_the_allow_flags_and_names_the_real_rule(partner: Partner, w: World) -> None:
    source, target, elsewhere = funded(partner, w, 100), w.account(), w.account()
    first = book(
        partner, w.ids, transfer(40, [entry(source["id"], amount=40)], [entry(target["id"], remaining=True)])
    )
    second = book(
        partner, w.ids, transfer(30, [entry(source["id"], amount=30)], [entry(target["id"], remaining=True)])
    )
    # The revert's destination no longer receives, and its source no longer sends: it undoes a booking anyway.
    patch(partner, "account", {**w.ids, "accountId": source["id"]}, {"allowReceiving": False})
    patch(partner, "account", {**w.ids, "accountId": target["id"]}, {"allowSending": False})
    assert act(partner, w.ids, first.json["id"], "revert").status == 200
    # With the money gone, the refusal names the balance, not the flag.
    patch(partner, "account", {**w.ids, "accountId": target["id"]}, {"allowSending": True})
    book(
        partner,
        w.ids,
        transfer(30, [entry(target["id"], amount=30)], [entry(elsewhere["id"], remaining=True)]),
    )
    patch(partner, "account", {**w.ids, "accountId": target["id"]}, {"allowSending": False})
    assert error(act(partner, w.ids, second.json["id"], "revert"))[:2] == (422, "insufficient_funds")
