"""The store's transaction rules with botocore's Stubber: conflicts retried with the same
ClientRequestToken (so a commit is applied once), failed conditions mapped to domain errors."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from core.platform import store as store_module
from core.platform.errors import AlreadyExists, Contended, StateConflict
from core.platform.store import Condition, Store, Tx


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> tuple[Store, Stubber]:
    monkeypatch.setattr(store_module, "_backoff", lambda attempt: None)
    client = boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    return Store("t", client=client), Stubber(client)


def two_writes(on_fail: Any = None) -> Tx:
    tx = Tx()
    tx.create({"PK": "T#a", "SK": "x"}, {"v": 1}, on_fail=on_fail or AlreadyExists("x exists"))
    tx.update(
        {"PK": "T#a", "SK": "y"},
        "SET v = :v",
        values={":v": 2},
        condition=Condition("attribute_exists(PK)"),
        on_fail=StateConflict("y moved"),
    )
    return tx


def cancelled(*codes: str, item: dict[str, Any] | None = None) -> dict[str, Any]:
    reasons = [
        {"Code": c, **({"Item": item} if item and c == "ConditionalCheckFailed" else {})} for c in codes
    ]
    return {
        "service_error_code": "TransactionCanceledException",
        "service_message": "cancelled",
        "response_meta": {},
        "modeled_fields": {"CancellationReasons": reasons},
    }


def test_conflicts_are_retried_with_one_client_request_token(stubbed: tuple[Store, Stubber]) -> None:
    store, stub = stubbed
    tokens: list[str] = []
    stub.add_client_error(
        "transact_write_items",
        **cancelled("TransactionConflict", "None"),
        expected_params={"TransactItems": ANY, "ClientRequestToken": ANY},
    )
    stub.add_response("transact_write_items", {}, {"TransactItems": ANY, "ClientRequestToken": ANY})
    store.client.meta.events.register(
        "provide-client-params.dynamodb.TransactWriteItems",
        lambda params, **_: tokens.append(params["ClientRequestToken"]),
    )
    with stub:
        store.transact(two_writes().writes, token="tok-1")
    stub.assert_no_pending_responses()
    assert tokens == ["tok-1", "tok-1"]


def test_a_failed_condition_raises_the_writes_own_error(stubbed: tuple[Store, Stubber]) -> None:
    store, stub = stubbed
    stub.add_client_error("transact_write_items", **cancelled("None", "ConditionalCheckFailed"))
    with stub, pytest.raises(StateConflict):
        store.transact(two_writes().writes)


def test_on_fail_sees_the_old_item(stubbed: tuple[Store, Stubber]) -> None:
    store, stub = stubbed
    seen: list[Any] = []

    def explain(old: Any) -> AlreadyExists:
        seen.append(old)
        return AlreadyExists("taken")

    stub.add_client_error(
        "transact_write_items", **cancelled("ConditionalCheckFailed", "None", item={"of": {"S": "sig_1"}})
    )
    with stub, pytest.raises(AlreadyExists):
        store.transact(two_writes(on_fail=explain).writes)
    assert seen == [{"of": "sig_1"}]


def test_conflicts_past_the_retry_budget_are_a_lost_race(stubbed: tuple[Store, Stubber]) -> None:
    """Nothing was written: the pipeline runs the endpoint again from its reads."""
    store, stub = stubbed
    for _ in range(store_module.TRANSACTION_CONFLICT_RETRIES + 1):
        stub.add_client_error("transact_write_items", **cancelled("TransactionConflict", "None"))
    with stub, pytest.raises(Contended, match="conflicting"):
        store.transact(two_writes().writes)
    stub.assert_no_pending_responses()


def test_folded_conditions_explain_with_the_first_that_failed() -> None:
    tx = Tx()
    key = {"PK": "T#a", "SK": "k"}
    tx.update(
        key,
        "SET v = :v",
        values={":v": 1},
        condition=Condition("attribute_exists(PK)"),
        on_fail=StateConflict("business rule"),
    )
    tx.check(
        key,
        Condition("#s = :a", {"#s": "status"}, {":a": "active"}),
        on_fail=lambda old: AlreadyExists("guard") if old and old.get("status") != "active" else None,
    )
    assert len(tx.writes) == 1
    assert "AND" in (tx.writes[0].condition.expression if tx.writes[0].condition else "")
    assert isinstance(tx.writes[0].failure({"status": "revoked"}), AlreadyExists)
    assert isinstance(tx.writes[0].failure({"status": "active"}), StateConflict)
