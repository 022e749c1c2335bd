"""`client.accounts`: customer accounts, their account numbers and deposit addresses, against
httpx.MockTransport (method, raw path and query, body and Idempotency-Key of each call)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from partner_sdk import Credentials, InvalidRequestError, PartnerClient

CREDENTIALS = Credentials(base_url="https://api.example.test", api_key="sk_test", scheme="none")
ACCOUNT_ID = "acc_01JABCDEFGHJKMNPQRSTVWXYZ0"
CUSTOMER_ID = "cus_01JABCDEFGHJKMNPQRSTVWXYZ0"


def account(account_id: str = ACCOUNT_ID, **fields: Any) -> dict[str, Any]:
    return {
        "id": account_id,
        "object": "account",
        "customerId": CUSTOMER_ID,
        "type": "demand_deposit",
        "status": "active",
        "currency": "EUR",
        "asset": None,
        "chain": None,
        "label": None,
        "purpose": None,
        "metadata": {},
        "createdAt": "2026-02-23T12:00:00Z",
        "updatedAt": "2026-02-23T12:00:00Z",
        **fields,
    }


class Recorder:
    def __init__(self, answers: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def client(self) -> PartnerClient:
        def transport(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return self.answers(request)

        http = httpx.Client(transport=httpx.MockTransport(transport))
        return PartnerClient(CREDENTIALS, http=http, sleep=lambda _: None)

    def calls(self) -> list[tuple[str, str, Any]]:
        """(method, raw path with query, parsed JSON body or None) of every request."""
        return [
            (r.method, r.url.raw_path.decode(), json.loads(r.content) if r.content else None)
            for r in self.requests
        ]


def answer(status: int, body: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body, headers={"Request-Id": "req_1"})


def is_uuid4(value: str) -> bool:
    try:
        return uuid.UUID(value).version == 4
    except ValueError:
        return False


def test_create_posts_the_camel_case_body_and_leaves_out_what_is_none() -> None:
    created = {**account(label="Ops", purpose="operating"), "accountNumbers": [], "blockchainAddresses": []}
    recorder = Recorder(answer(201, created))
    with recorder.client() as api:
        assert (
            api.accounts.create(
                CUSTOMER_ID,
                "demand_deposit",
                currency="EUR",
                label="Ops",
                purpose="operating",
                metadata={"team": "ops", "gone": None},  # None inside metadata is sent
            )
            == created
        )
        api.accounts.create(CUSTOMER_ID, "wallet", asset="USDC", chain="ethereum", idempotency_key="open-1")
    assert recorder.calls() == [
        (
            "POST",
            "/v1/accounts",
            {
                "customerId": CUSTOMER_ID,
                "type": "demand_deposit",
                "currency": "EUR",
                "label": "Ops",
                "purpose": "operating",
                "metadata": {"team": "ops", "gone": None},
            },
        ),
        (
            "POST",
            "/v1/accounts",
            {"customerId": CUSTOMER_ID, "type": "wallet", "asset": "USDC", "chain": "ethereum"},
        ),
    ]
    first, second = recorder.requests
    assert first.headers["Content-Type"] == "application/json"
    assert is_uuid4(first.headers["Idempotency-Key"])
    assert second.headers["Idempotency-Key"] == "open-1"


def test_get_reads_one_path_segment_without_an_idempotency_key() -> None:
    recorder = Recorder(answer(200, {**account(), "accountNumbers": [], "blockchainAddresses": []}))
    with recorder.client() as api:
        assert api.accounts.get(ACCOUNT_ID)["accountNumbers"] == []
        api.accounts.get("acc_1/../../v1/customers")
        with pytest.raises(ValueError):
            api.accounts.get("..")
    assert recorder.calls() == [
        ("GET", f"/v1/accounts/{ACCOUNT_ID}", None),
        ("GET", "/v1/accounts/acc_1%2F..%2F..%2Fv1%2Fcustomers", None),
    ]
    assert all("Idempotency-Key" not in r.headers for r in recorder.requests)


def test_list_sends_only_the_filters_given() -> None:
    page = {"data": [account()], "nextCursor": "c2"}
    recorder = Recorder(answer(200, page))
    with recorder.client() as api:
        assert (
            api.accounts.list(customer_id=CUSTOMER_ID, type="wallet", status="active", limit=5, cursor="c1")
            == page
        )
        api.accounts.list()
        api.accounts.list(status="closed")
    assert recorder.calls() == [
        ("GET", f"/v1/accounts?customerId={CUSTOMER_ID}&type=wallet&status=active&limit=5&cursor=c1", None),
        ("GET", "/v1/accounts", None),
        ("GET", "/v1/accounts?status=closed", None),
    ]


def test_iterate_follows_next_cursor_with_the_same_filters() -> None:
    pages = {
        None: {"data": [account("acc_b")], "nextCursor": "n1"},
        "n1": {"data": [account("acc_a")], "nextCursor": None},
    }
    recorder = Recorder(lambda request: httpx.Response(200, json=pages[request.url.params.get("cursor")]))
    with recorder.client() as api:
        ids = [a["id"] for a in api.accounts.iterate(customer_id=CUSTOMER_ID, type="virtual", limit=1)]
    assert ids == ["acc_b", "acc_a"]
    assert [path for _, path, _ in recorder.calls()] == [
        f"/v1/accounts?customerId={CUSTOMER_ID}&type=virtual&limit=1",
        f"/v1/accounts?customerId={CUSTOMER_ID}&type=virtual&limit=1&cursor=n1",
    ]


def test_update_patches_only_the_fields_given_and_refuses_nothing() -> None:
    recorder = Recorder(
        answer(200, {**account(label="Payroll"), "accountNumbers": [], "blockchainAddresses": []})
    )
    with recorder.client() as api:
        api.accounts.update(ACCOUNT_ID, label="Payroll")
        api.accounts.update(ACCOUNT_ID, purpose="payroll", metadata={"team": "hr", "old": None})
        with pytest.raises(ValueError, match="nothing to update"):
            api.accounts.update(ACCOUNT_ID)
    path = f"/v1/accounts/{ACCOUNT_ID}"
    assert recorder.calls() == [
        ("PATCH", path, {"label": "Payroll"}),
        ("PATCH", path, {"purpose": "payroll", "metadata": {"team": "hr", "old": None}}),
    ]
    assert all(is_uuid4(r.headers["Idempotency-Key"]) for r in recorder.requests)


def test_close_and_the_issues_post_their_bodies() -> None:
    recorder = Recorder(answer(201, {"id": "an_1"}))
    with recorder.client() as api:
        api.accounts.close(ACCOUNT_ID)
        api.accounts.issue_number(ACCOUNT_ID)
        api.accounts.issue_number(ACCOUNT_ID, "aba")
        api.accounts.issue_number(ACCOUNT_ID, scheme="clabe")
        api.accounts.issue_address(ACCOUNT_ID)
    path = f"/v1/accounts/{ACCOUNT_ID}"
    assert recorder.calls() == [
        ("POST", f"{path}/close", {}),
        ("POST", f"{path}/account-numbers", {}),
        ("POST", f"{path}/account-numbers", {"scheme": "aba"}),
        ("POST", f"{path}/account-numbers", {"scheme": "clabe"}),
        ("POST", f"{path}/blockchain-addresses", {}),
    ]
    keys = [r.headers["Idempotency-Key"] for r in recorder.requests]
    assert all(is_uuid4(key) for key in keys) and len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    "call",
    [
        lambda api, key: api.accounts.create(CUSTOMER_ID, "virtual", currency="USD", idempotency_key=key),
        lambda api, key: api.accounts.update(ACCOUNT_ID, label="L", idempotency_key=key),
        lambda api, key: api.accounts.close(ACCOUNT_ID, idempotency_key=key),
        lambda api, key: api.accounts.issue_number(ACCOUNT_ID, "iban", idempotency_key=key),
        lambda api, key: api.accounts.issue_address(ACCOUNT_ID, idempotency_key=key),
    ],
    ids=["create", "update", "close", "issue_number", "issue_address"],
)
def test_every_write_takes_a_given_idempotency_key(call: Callable[[PartnerClient, str], Any]) -> None:
    recorder = Recorder(answer(200, account()))
    with recorder.client() as api:
        call(api, "order-7")
    (request,) = recorder.requests
    assert request.headers["Idempotency-Key"] == "order-7"


def test_a_refused_issue_raises_invalid_request_error_without_retrying() -> None:
    envelope = {
        "error": {
            "type": "invalid_request_error",
            "code": "scheme_unsupported",
            "message": "Blockchain addresses are for wallet accounts.",
            "param": "accountId",
            "requestId": "req_e",
        }
    }
    recorder = Recorder(answer(422, envelope))
    with recorder.client() as api, pytest.raises(InvalidRequestError) as caught:
        api.accounts.issue_address(ACCOUNT_ID)
    assert (caught.value.status, caught.value.code, caught.value.param) == (
        422,
        "scheme_unsupported",
        "accountId",
    )
    assert len(recorder.requests) == 1
