"""`client.ledger.transactions` and `client.ledger.accounts.statement` against
httpx.MockTransport (method, raw path and query, body and Idempotency-Key of each call):
Midaz's JSON sent as is, the transfer builder's body, reads and cursor lists, commit /
cancel / revert with an empty body, an account's statement page after page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from partner_sdk import InvalidRequestError, PartnerClient
from partner_sdk.resources.ledger import transfer_body
from tests.unit.test_sdk_ledger import ACCOUNT, LEDGER, LEDGER_PATH, ORG, Recorder, answer, is_uuid4

TRANSACTION = "01932c07-0000-7000-8000-000000000010"
TRANSACTIONS_PATH = f"{LEDGER_PATH}/transactions"
TRANSACTION_PATH = f"{TRANSACTIONS_PATH}/{TRANSACTION}"
STATEMENT_PATH = f"{LEDGER_PATH}/accounts/{ACCOUNT}/operations"
BRL = {"asset": "BRL", "value": 1500, "scale": 2}
MIDAZ: dict[str, Any] = {
    "description": "Deposit",
    "code": "DEP1",
    "pending": False,
    "metadata": {"channel": "pix"},
    "send": {
        **BRL,
        "source": {"from": [{"account": "@external/BRL", "amount": BRL}]},
        "distribute": {
            "to": [
                {"account": ACCOUNT, "share": {"percentage": 50, "percentageOfPercentage": 100}},
                {"account": "ana", "remaining": "remaining", "description": "rest"},
            ]
        },
    },
}


def test_create_posts_midaz_json_as_is_with_an_idempotency_key() -> None:
    created = {"id": TRANSACTION, "object": "transaction", "status": "APPROVED"}
    recorder = Recorder(answer(201, created))
    with recorder.client() as api:
        assert api.ledger.transactions.create(ORG, LEDGER, MIDAZ) == created
        api.ledger.transactions.create(ORG, LEDGER, MIDAZ, idempotency_key="dep-1")
    assert recorder.calls() == [("POST", TRANSACTIONS_PATH, MIDAZ)] * 2
    first, second = recorder.requests
    assert first.headers["Content-Type"] == "application/json"
    assert is_uuid4(first.headers["Idempotency-Key"])
    assert second.headers["Idempotency-Key"] == "dep-1"


def test_transfer_builds_one_source_and_one_destination_of_the_whole_amount() -> None:
    recorder = Recorder(answer(201, {"id": TRANSACTION}))
    with recorder.client() as api:
        api.ledger.transactions.transfer(ORG, LEDGER, "@external/BRL", ACCOUNT, "BRL", 1500, 2)
        api.ledger.transactions.transfer(
            ORG,
            LEDGER,
            ACCOUNT,
            "bob",
            "BRL",
            500,
            2,
            description="Rent",
            code="RENT",
            pending=True,
            metadata={"month": "2026-02"},
            idempotency_key="rent-1",
        )
    entry = {"asset": "BRL", "value": 500, "scale": 2}
    assert recorder.calls() == [
        (
            "POST",
            TRANSACTIONS_PATH,
            {
                "send": {
                    **BRL,
                    "source": {"from": [{"account": "@external/BRL", "amount": BRL}]},
                    "distribute": {"to": [{"account": ACCOUNT, "amount": BRL}]},
                }
            },
        ),
        (
            "POST",
            TRANSACTIONS_PATH,
            {
                "description": "Rent",
                "code": "RENT",
                "pending": True,
                "metadata": {"month": "2026-02"},
                "send": {
                    **entry,
                    "source": {"from": [{"account": ACCOUNT, "amount": entry}]},
                    "distribute": {"to": [{"account": "bob", "amount": entry}]},
                },
            },
        ),
    ]
    assert recorder.requests[1].headers["Idempotency-Key"] == "rent-1"


@pytest.mark.parametrize("value", [15.0, "1500", True, None])
def test_transfer_body_refuses_a_value_that_is_not_an_integer(value: Any) -> None:
    with pytest.raises(TypeError, match="integers"):
        transfer_body("a", "b", "BRL", value, 2)


def test_get_and_lists_read_their_paths_without_an_idempotency_key() -> None:
    recorder = Recorder(answer(200, {"data": [], "nextCursor": None}))
    with recorder.client() as api:
        api.ledger.transactions.get(ORG, LEDGER, TRANSACTION)
        api.ledger.transactions.list(ORG, LEDGER)
        api.ledger.transactions.list(ORG, LEDGER, limit=5, cursor="c1")
        api.ledger.accounts.statement(ORG, LEDGER, ACCOUNT)
        api.ledger.accounts.statement(ORG, LEDGER, ACCOUNT, limit=2, cursor="c2")
    assert recorder.calls() == [
        ("GET", TRANSACTION_PATH, None),
        ("GET", TRANSACTIONS_PATH, None),
        ("GET", f"{TRANSACTIONS_PATH}?limit=5&cursor=c1", None),
        ("GET", STATEMENT_PATH, None),
        ("GET", f"{STATEMENT_PATH}?limit=2&cursor=c2", None),
    ]
    assert all("Idempotency-Key" not in r.headers for r in recorder.requests)


def test_each_id_is_one_encoded_segment_and_a_bad_id_is_refused() -> None:
    recorder = Recorder(answer(200, {"id": "x"}))
    with recorder.client() as api:
        api.ledger.transactions.get(ORG, LEDGER, "a/b?c")
        api.ledger.accounts.statement(ORG, LEDGER, "@external/BRL")
        with pytest.raises(ValueError, match="usable id"):
            api.ledger.transactions.commit(ORG, LEDGER, "..")
        with pytest.raises(ValueError, match="usable id"):
            api.ledger.accounts.statement(ORG, "", ACCOUNT)
    assert [path for _, path, _ in recorder.calls()] == [
        f"{TRANSACTIONS_PATH}/a%2Fb%3Fc",
        f"{LEDGER_PATH}/accounts/%40external%2FBRL/operations",
    ]


@pytest.mark.parametrize("action", ["commit", "cancel", "revert"])
def test_commit_cancel_and_revert_post_an_empty_body_to_their_action(action: str) -> None:
    answered = {"id": "new" if action == "revert" else TRANSACTION, "object": "transaction"}
    recorder = Recorder(answer(200, answered))
    with recorder.client() as api:
        act = getattr(api.ledger.transactions, action)
        assert act(ORG, LEDGER, TRANSACTION) == answered
        act(ORG, LEDGER, TRANSACTION, idempotency_key=f"{action}-1")
    assert recorder.calls() == [("POST", f"{TRANSACTION_PATH}/{action}", {})] * 2
    first, second = recorder.requests
    assert is_uuid4(first.headers["Idempotency-Key"])
    assert second.headers["Idempotency-Key"] == f"{action}-1"


def test_iterate_and_iterate_statement_follow_next_cursor() -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        body = {"data": [{"id": cursor or "first"}], "nextCursor": None if cursor else "n1"}
        return httpx.Response(200, json=body)

    recorder = Recorder(pages)
    with recorder.client() as api:
        assert [t["id"] for t in api.ledger.transactions.iterate(ORG, LEDGER, limit=1)] == ["first", "n1"]
        statement = api.ledger.accounts.iterate_statement(ORG, LEDGER, ACCOUNT, limit=1)
        assert [op["id"] for op in statement] == ["first", "n1"]
    assert [path for _, path, _ in recorder.calls()] == [
        f"{TRANSACTIONS_PATH}?limit=1",
        f"{TRANSACTIONS_PATH}?limit=1&cursor=n1",
        f"{STATEMENT_PATH}?limit=1",
        f"{STATEMENT_PATH}?limit=1&cursor=n1",
    ]


@pytest.mark.parametrize(
    ("call", "status", "code"),
    [
        (lambda api: api.ledger.transactions.create(ORG, LEDGER, MIDAZ), 422, "insufficient_funds"),
        (lambda api: api.ledger.transactions.commit(ORG, LEDGER, TRANSACTION), 409, "state_conflict"),
        (lambda api: api.ledger.transactions.revert(ORG, LEDGER, TRANSACTION), 422, "insufficient_funds"),
    ],
    ids=["create", "commit", "revert"],
)
def test_a_refusal_raises_invalid_request_error_without_retrying(
    call: Callable[[PartnerClient], Any], status: int, code: str
) -> None:
    envelope = {"error": {"type": "invalid_request_error", "code": code, "message": "no", "param": None}}
    recorder = Recorder(answer(status, envelope))
    with recorder.client() as api, pytest.raises(InvalidRequestError) as refused:
        call(api)
    assert (refused.value.status, refused.value.code) == (status, code)
    assert len(recorder.requests) == 1
