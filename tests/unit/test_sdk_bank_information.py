"""`client.bank_information` and `client.supported_banks` against httpx.MockTransport (method,
raw path and query, body and Idempotency-Key of each call; 201 created told from 200 updated)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from partner_sdk import Credentials, InvalidRequestError, PartnerClient, Response

CREDENTIALS = Credentials(base_url="https://api.example.test", api_key="sk_test", scheme="none")
RECORD_ID = "bi_01JABCDEFGHJKMNPQRSTVWXYZ0"
USER_ID = "cus_01JABCDEFGHJKMNPQRSTVWXYZ0"
CLABE = "012180012345678912"


def record(record_id: str = RECORD_ID, **fields: Any) -> dict[str, Any]:
    return {
        "id": record_id,
        "object": "bank_information",
        "userId": USER_ID,
        "partnerId": "ptn_01JABCDEFGHJKMNPQRSTVWXYZ0",
        "bankName": None,
        "supportedBankId": "bank_mx_012",
        "accountNumber": "1234567890",
        "accountType": "CHECKING",
        "clabe": CLABE,
        "country": "MX",
        "rampType": "OFF_RAMP",
        "documentNumber": "BOXW310820HNERXN09",
        "status": "active",
        "createdAt": "2026-02-23T12:00:00Z",
        "updatedAt": "2026-02-23T12:00:00Z",
        **fields,
    }


BANK = {
    "id": "bank_mx_012",
    "object": "supported_bank",
    "country": "MX",
    "name": "BBVA Mexico",
    "code": "012",
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


def answer(status: int, body: Any, **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json=body, headers={"Request-Id": "req_1", **headers})


def is_uuid4(value: str) -> bool:
    try:
        return uuid.UUID(value).version == 4
    except ValueError:
        return False


def test_create_posts_the_camel_case_body_and_leaves_out_what_is_none() -> None:
    recorder = Recorder(answer(201, record()))
    with recorder.client() as api:
        assert (
            api.bank_information.create(
                USER_ID,
                "MX",
                "1234567890",
                "CHECKING",
                supported_bank_id="bank_mx_012",
                clabe=CLABE,
                document_number="BOXW310820HNERXN09",
                ramp_type="OFF_RAMP",
            )
            == record()
        )
        api.bank_information.create(
            USER_ID, "DO", "9876543210", "SAVINGS", bank_name="Banco Local", idempotency_key="bi-1"
        )
    assert recorder.calls() == [
        (
            "POST",
            "/v1/bank-information",
            {
                "userId": USER_ID,
                "supportedBankId": "bank_mx_012",
                "accountNumber": "1234567890",
                "accountType": "CHECKING",
                "clabe": CLABE,
                "country": "MX",
                "documentNumber": "BOXW310820HNERXN09",
                "rampType": "OFF_RAMP",
            },
        ),
        (
            "POST",
            "/v1/bank-information",
            {
                "userId": USER_ID,
                "bankName": "Banco Local",
                "accountNumber": "9876543210",
                "accountType": "SAVINGS",
                "country": "DO",
            },
        ),
    ]
    first, second = recorder.requests
    assert first.url.query == b""  # create-or-update by itself: never an upsert query
    assert first.headers["Content-Type"] == "application/json"
    assert is_uuid4(first.headers["Idempotency-Key"])
    assert second.headers["Idempotency-Key"] == "bi-1"


@pytest.mark.parametrize(("status", "replayed"), [(201, False), (200, False), (200, True)])
def test_save_answers_the_response_whose_status_tells_created_from_updated(
    status: int, replayed: bool
) -> None:
    headers = {"Idempotency-Replayed": "true"} if replayed else {}
    recorder = Recorder(answer(status, record(), **headers))
    with recorder.client() as api:
        saved = api.bank_information.save(
            USER_ID, "MX", "1234567890", "CHECKING", supported_bank_id="bank_mx_012", idempotency_key="k"
        )
        created = api.bank_information.create(USER_ID, "MX", "1234567890", "CHECKING", bank_name="B")
    assert isinstance(saved, Response)
    assert (saved.status, saved.replayed, saved.request_id) == (status, replayed, "req_1")
    assert saved.json() == created == record()  # create: the record, whichever status
    assert [body for _, _, body in recorder.calls()] == [
        {
            "userId": USER_ID,
            "supportedBankId": "bank_mx_012",
            "accountNumber": "1234567890",
            "accountType": "CHECKING",
            "country": "MX",
        },
        {
            "userId": USER_ID,
            "bankName": "B",
            "accountNumber": "1234567890",
            "accountType": "CHECKING",
            "country": "MX",
        },
    ]
    assert recorder.requests[0].headers["Idempotency-Key"] == "k"


def test_get_reads_one_path_segment_without_an_idempotency_key() -> None:
    recorder = Recorder(answer(200, record()))
    with recorder.client() as api:
        assert api.bank_information.get(RECORD_ID) == record()
        api.bank_information.get("bi_1/../../v1/customers")
        with pytest.raises(ValueError):
            api.bank_information.get("..")
    assert recorder.calls() == [
        ("GET", f"/v1/bank-information/{RECORD_ID}", None),
        ("GET", "/v1/bank-information/bi_1%2F..%2F..%2Fv1%2Fcustomers", None),
    ]
    assert all("Idempotency-Key" not in r.headers for r in recorder.requests)


def test_list_sends_only_the_filters_given() -> None:
    page = {"data": [record()], "nextCursor": "c2"}
    recorder = Recorder(answer(200, page))
    with recorder.client() as api:
        assert (
            api.bank_information.list(
                user_id=USER_ID, country="MX", ramp_type="ON_RAMP", limit=5, cursor="c1"
            )
            == page
        )
        api.bank_information.list()
        api.bank_information.list(country="DO")
    assert recorder.calls() == [
        ("GET", f"/v1/bank-information?userId={USER_ID}&country=MX&rampType=ON_RAMP&limit=5&cursor=c1", None),
        ("GET", "/v1/bank-information", None),
        ("GET", "/v1/bank-information?country=DO", None),
    ]


def test_iterate_follows_next_cursor_with_the_same_filters() -> None:
    pages = {
        None: {"data": [record("bi_b")], "nextCursor": "n1"},
        "n1": {"data": [record("bi_a")], "nextCursor": None},
    }
    recorder = Recorder(lambda request: httpx.Response(200, json=pages[request.url.params.get("cursor")]))
    with recorder.client() as api:
        ids = [r["id"] for r in api.bank_information.iterate(user_id=USER_ID, ramp_type="OFF_RAMP", limit=1)]
    assert ids == ["bi_b", "bi_a"]
    assert [path for _, path, _ in recorder.calls()] == [
        f"/v1/bank-information?userId={USER_ID}&rampType=OFF_RAMP&limit=1",
        f"/v1/bank-information?userId={USER_ID}&rampType=OFF_RAMP&limit=1&cursor=n1",
    ]


def test_supported_banks_list_and_iterate() -> None:
    do_bank = {"id": "bank_do_bhd", "object": "supported_bank", "country": "DO", "name": "Banco BHD"}
    pages = {
        None: {"data": [BANK], "nextCursor": "n1"},
        "n1": {"data": [{**do_bank, "code": "BHD", "swift": "BCBHDOSD"}], "nextCursor": None},
    }
    recorder = Recorder(lambda request: httpx.Response(200, json=pages[request.url.params.get("cursor")]))
    with recorder.client() as api:
        assert api.supported_banks.list(country="MX") == pages[None]
        api.supported_banks.list()
        api.supported_banks.list("DO", limit=100, cursor="n1")
        assert [b["id"] for b in api.supported_banks.iterate(limit=1)] == ["bank_mx_012", "bank_do_bhd"]
    assert [path for _, path, _ in recorder.calls()] == [
        "/v1/supported-banks?country=MX",
        "/v1/supported-banks",
        "/v1/supported-banks?country=DO&limit=100&cursor=n1",
        "/v1/supported-banks?limit=1",
        "/v1/supported-banks?limit=1&cursor=n1",
    ]
    assert all("Idempotency-Key" not in r.headers for r in recorder.requests)


def test_a_refused_create_raises_invalid_request_error_without_retrying() -> None:
    envelope = {
        "error": {
            "type": "invalid_request_error",
            "code": "customer_not_active",
            "message": "The customer is pending; bank information is for active customers.",
            "param": "userId",
            "requestId": "req_e",
        }
    }
    recorder = Recorder(answer(422, envelope))
    with recorder.client() as api, pytest.raises(InvalidRequestError) as caught:
        api.bank_information.create(USER_ID, "MX", "1234567890", "CHECKING", bank_name="B")
    assert (caught.value.status, caught.value.code, caught.value.param) == (
        422,
        "customer_not_active",
        "userId",
    )
    assert len(recorder.requests) == 1
