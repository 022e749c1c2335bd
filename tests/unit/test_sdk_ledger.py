"""`client.ledger`: the ledger hierarchy's six groups against httpx.MockTransport (method, raw
path and query, body and Idempotency-Key of each call): every path built from its parents'
ids, one encoded segment each; bodies in the API's spelling; lists, cursors, updates that
replace metadata and clear fields, soft deletes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from partner_sdk import Credentials, InvalidRequestError, PartnerClient

CREDENTIALS = Credentials(base_url="https://api.example.test", api_key="sk_test", scheme="none")
ORG = "01932c07-0000-7000-8000-000000000001"
LEDGER = "01932c07-0000-7000-8000-000000000002"
INSTRUMENT = "01932c07-0000-7000-8000-000000000003"
PORTFOLIO = "01932c07-0000-7000-8000-000000000004"
PRODUCT = "01932c07-0000-7000-8000-000000000005"
ACCOUNT = "01932c07-0000-7000-8000-000000000006"
ORG_PATH = f"/v1/organizations/{ORG}"
LEDGER_PATH = f"{ORG_PATH}/ledgers/{LEDGER}"
PORTFOLIO_PATH = f"{LEDGER_PATH}/portfolios/{PORTFOLIO}"
ADDRESS = {
    "line1": "Av. Paulista 1000",
    "zipCode": "01310-100",
    "city": "São Paulo",
    "state": "SP",
    "country": "BR",
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
    if body is None:
        return lambda request: httpx.Response(status, headers={"Request-Id": "req_1"})
    return lambda request: httpx.Response(status, json=body, headers={"Request-Id": "req_1"})


def is_uuid4(value: str) -> bool:
    try:
        return uuid.UUID(value).version == 4
    except ValueError:
        return False


def test_organizations_create_posts_the_camel_case_body_and_a_status_code_as_an_object() -> None:
    created = {"id": ORG, "object": "organization"}
    recorder = Recorder(answer(201, created))
    with recorder.client() as api:
        assert (
            api.ledger.organizations.create(
                "Acme Pagamentos Ltda",
                "12345678000199",
                ADDRESS,
                doing_business_as="Acme",
                parent_organization_id=PRODUCT,
                status="ACTIVE",
                metadata={"segment": "payments", "gone": None},  # None inside metadata is sent
            )
            == created
        )
        api.ledger.organizations.create(
            "Beta", "1", ADDRESS, status={"code": "BLOCKED", "description": "KYB"}, idempotency_key="org-1"
        )
    assert recorder.calls() == [
        (
            "POST",
            "/v1/organizations",
            {
                "legalName": "Acme Pagamentos Ltda",
                "doingBusinessAs": "Acme",
                "legalDocument": "12345678000199",
                "parentOrganizationId": PRODUCT,
                "address": ADDRESS,
                "status": {"code": "ACTIVE"},
                "metadata": {"segment": "payments", "gone": None},
            },
        ),
        (
            "POST",
            "/v1/organizations",
            {
                "legalName": "Beta",
                "legalDocument": "1",
                "address": ADDRESS,
                "status": {"code": "BLOCKED", "description": "KYB"},
            },
        ),
    ]
    first, second = recorder.requests
    assert first.headers["Content-Type"] == "application/json"
    assert is_uuid4(first.headers["Idempotency-Key"])
    assert second.headers["Idempotency-Key"] == "org-1"


def test_each_kind_creates_under_its_parents() -> None:
    recorder = Recorder(answer(201, {"id": "x"}))
    with recorder.client() as api:
        api.ledger.ledgers.create(ORG, "Operations", metadata={"team": "ops"})
        api.ledger.instruments.create(ORG, LEDGER, "Real", "currency", "BRL")
        api.ledger.instruments.create(ORG, LEDGER, "Gold", "commodity", "XAU", scale=4, status="ACTIVE")
        api.ledger.portfolios.create(ORG, LEDGER, "Ana", entity_id="cus-1")
        api.ledger.products.create(ORG, LEDGER, "Checking")
        api.ledger.accounts.create(
            ORG,
            LEDGER,
            PORTFOLIO,
            "BRL",
            "deposit",
            name="Main",
            alias="ana",
            entity_id="cus-1",
            parent_account_id=ACCOUNT,
            product_id=PRODUCT,
            allow_sending=False,  # False is sent; None is left out
            metadata={"tier": "gold"},
        )
        api.ledger.accounts.create(ORG, LEDGER, PORTFOLIO, "BRL", "creditCard")
    assert recorder.calls() == [
        ("POST", f"{ORG_PATH}/ledgers", {"name": "Operations", "metadata": {"team": "ops"}}),
        ("POST", f"{LEDGER_PATH}/instruments", {"name": "Real", "type": "currency", "code": "BRL"}),
        (
            "POST",
            f"{LEDGER_PATH}/instruments",
            {"name": "Gold", "type": "commodity", "code": "XAU", "scale": 4, "status": {"code": "ACTIVE"}},
        ),
        ("POST", f"{LEDGER_PATH}/portfolios", {"name": "Ana", "entityId": "cus-1"}),
        ("POST", f"{LEDGER_PATH}/products", {"name": "Checking"}),
        (
            "POST",
            f"{PORTFOLIO_PATH}/accounts",
            {
                "instrumentCode": "BRL",
                "name": "Main",
                "alias": "ana",
                "type": "deposit",
                "entityId": "cus-1",
                "parentAccountId": ACCOUNT,
                "productId": PRODUCT,
                "allowSending": False,
                "metadata": {"tier": "gold"},
            },
        ),
        ("POST", f"{PORTFOLIO_PATH}/accounts", {"instrumentCode": "BRL", "type": "creditCard"}),
    ]
    keys = [r.headers["Idempotency-Key"] for r in recorder.requests]
    assert all(is_uuid4(key) for key in keys) and len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda api: api.ledger.organizations.get(ORG), ORG_PATH),
        (lambda api: api.ledger.ledgers.get(ORG, LEDGER), LEDGER_PATH),
        (
            lambda api: api.ledger.instruments.get(ORG, LEDGER, INSTRUMENT),
            f"{LEDGER_PATH}/instruments/{INSTRUMENT}",
        ),
        (lambda api: api.ledger.portfolios.get(ORG, LEDGER, PORTFOLIO), PORTFOLIO_PATH),
        (lambda api: api.ledger.products.get(ORG, LEDGER, PRODUCT), f"{LEDGER_PATH}/products/{PRODUCT}"),
        (
            lambda api: api.ledger.accounts.get(ORG, LEDGER, PORTFOLIO, ACCOUNT),
            f"{PORTFOLIO_PATH}/accounts/{ACCOUNT}",
        ),
        (
            lambda api: api.ledger.accounts.get_in_ledger(ORG, LEDGER, ACCOUNT),
            f"{LEDGER_PATH}/accounts/{ACCOUNT}",
        ),
    ],
    ids=["organization", "ledger", "instrument", "portfolio", "product", "account", "account_in_ledger"],
)
def test_get_reads_the_path_of_every_id_without_an_idempotency_key(
    call: Callable[[PartnerClient], Any], path: str
) -> None:
    recorder = Recorder(answer(200, {"id": "x"}))
    with recorder.client() as api:
        assert call(api) == {"id": "x"}
    assert recorder.calls() == [("GET", path, None)]
    assert "Idempotency-Key" not in recorder.requests[0].headers


def test_each_id_is_one_encoded_segment_and_the_count_of_ids_is_checked() -> None:
    recorder = Recorder(answer(200, {"id": "x"}))
    with recorder.client() as api:
        api.ledger.ledgers.get(ORG, "l/../../v1/customers")
        api.ledger.accounts.get_in_ledger("o 1", LEDGER, "a?b#c")
        for bad in ("..", ".", ""):
            with pytest.raises(ValueError):
                api.ledger.ledgers.get(ORG, bad)
            with pytest.raises(ValueError):
                api.ledger.accounts.list(bad, LEDGER, PORTFOLIO)
        with pytest.raises(TypeError, match=r"organization_id, ledger_id, portfolio_id, account_id"):
            api.ledger.accounts.get(ORG, LEDGER, ACCOUNT)  # the portfolio left out
        with pytest.raises(TypeError, match=r"expected 1 ids \(organization_id\)"):
            api.ledger.ledgers.list(ORG, LEDGER)
        with pytest.raises(TypeError):
            api.ledger.organizations.delete()
    assert recorder.calls() == [
        ("GET", f"{ORG_PATH}/ledgers/l%2F..%2F..%2Fv1%2Fcustomers", None),
        ("GET", f"/v1/organizations/o%201/ledgers/{LEDGER}/accounts/a%3Fb%23c", None),
    ]


def test_lists_send_only_the_filters_given_at_their_parents_path() -> None:
    page = {"data": [{"id": LEDGER}], "nextCursor": "c2"}
    recorder = Recorder(answer(200, page))
    with recorder.client() as api:
        assert api.ledger.organizations.list(status="ACTIVE", limit=5, cursor="c1") == page
        api.ledger.organizations.list()
        api.ledger.ledgers.list(ORG, status="BLOCKED")
        api.ledger.instruments.list(ORG, LEDGER, limit=2)
        api.ledger.portfolios.list(ORG, LEDGER)
        api.ledger.products.list(ORG, LEDGER, status="ACTIVE")
        api.ledger.accounts.list(ORG, LEDGER, PORTFOLIO, type="savings", instrument_code="BRL", limit=3)
        api.ledger.accounts.list_in_ledger(ORG, LEDGER, alias="@external/BRL")
        api.ledger.accounts.list_in_ledger(ORG, LEDGER, type="external", instrument_code="USD", cursor="c9")
    assert recorder.calls() == [
        ("GET", "/v1/organizations?status=ACTIVE&limit=5&cursor=c1", None),
        ("GET", "/v1/organizations", None),
        ("GET", f"{ORG_PATH}/ledgers?status=BLOCKED", None),
        ("GET", f"{LEDGER_PATH}/instruments?limit=2", None),
        ("GET", f"{LEDGER_PATH}/portfolios", None),
        ("GET", f"{LEDGER_PATH}/products?status=ACTIVE", None),
        ("GET", f"{PORTFOLIO_PATH}/accounts?type=savings&instrumentCode=BRL&limit=3", None),
        ("GET", f"{LEDGER_PATH}/accounts?alias=%40external%2FBRL", None),
        ("GET", f"{LEDGER_PATH}/accounts?type=external&instrumentCode=USD&cursor=c9", None),
    ]


def test_iterate_follows_next_cursor_with_the_same_filters() -> None:
    pages = {
        None: {"data": [{"id": "b"}], "nextCursor": "n1"},
        "n1": {"data": [{"id": "a"}], "nextCursor": None},
    }
    recorder = Recorder(lambda request: httpx.Response(200, json=pages[request.url.params.get("cursor")]))
    with recorder.client() as api:
        ids = [item["id"] for item in api.ledger.portfolios.iterate(ORG, LEDGER, status="ACTIVE", limit=1)]
        in_ledger = [
            item["id"] for item in api.ledger.accounts.iterate_in_ledger(ORG, LEDGER, type="deposit")
        ]
        in_portfolio = list(api.ledger.accounts.iterate(ORG, LEDGER, PORTFOLIO, instrument_code="BRL"))
    assert ids == in_ledger == ["b", "a"] and len(in_portfolio) == 2
    assert [path for _, path, _ in recorder.calls()] == [
        f"{LEDGER_PATH}/portfolios?status=ACTIVE&limit=1",
        f"{LEDGER_PATH}/portfolios?status=ACTIVE&limit=1&cursor=n1",
        f"{LEDGER_PATH}/accounts?type=deposit",
        f"{LEDGER_PATH}/accounts?type=deposit&cursor=n1",
        f"{PORTFOLIO_PATH}/accounts?instrumentCode=BRL",
        f"{PORTFOLIO_PATH}/accounts?instrumentCode=BRL&cursor=n1",
    ]


def test_find_answers_the_one_account_of_an_alias_or_none() -> None:
    found = {"id": ACCOUNT, "alias": "@external/BRL"}
    recorder = Recorder(answer(200, {"data": [found], "nextCursor": None}))
    with recorder.client() as api:
        assert api.ledger.accounts.find(ORG, LEDGER, "@external/BRL") == found
        recorder.answers = answer(200, {"data": [], "nextCursor": None})
        assert api.ledger.accounts.find(ORG, LEDGER, "nobody") is None
    assert [path for _, path, _ in recorder.calls()] == [
        f"{LEDGER_PATH}/accounts?alias=%40external%2FBRL",
        f"{LEDGER_PATH}/accounts?alias=nobody",
    ]


def test_update_patches_the_fields_given_with_metadata_whole_and_clear_as_null() -> None:
    recorder = Recorder(answer(200, {"id": ACCOUNT}))
    with recorder.client() as api:
        api.ledger.accounts.update(
            ORG,
            LEDGER,
            PORTFOLIO,
            ACCOUNT,
            alias="ana-2",
            allow_receiving=False,
            metadata={"tier": "platinum"},
        )
        api.ledger.accounts.update(
            ORG, LEDGER, PORTFOLIO, ACCOUNT, status="BLOCKED", clear=["product_id", "alias"]
        )
        api.ledger.organizations.update(
            ORG, address=ADDRESS, clear=["doingBusinessAs", "parent_organization_id"]
        )  # the API's spelling or the keyword's
        api.ledger.ledgers.update(ORG, LEDGER, name="Books", idempotency_key="rename-1")
        api.ledger.instruments.update(ORG, LEDGER, INSTRUMENT, clear=["metadata"])
        api.ledger.portfolios.update(ORG, LEDGER, PORTFOLIO, entity_id="cus-2")
        api.ledger.products.update(ORG, LEDGER, PRODUCT, status={"code": "RETIRED", "description": "old"})
    assert recorder.calls() == [
        (
            "PATCH",
            f"{PORTFOLIO_PATH}/accounts/{ACCOUNT}",
            {"alias": "ana-2", "allowReceiving": False, "metadata": {"tier": "platinum"}},
        ),
        (
            "PATCH",
            f"{PORTFOLIO_PATH}/accounts/{ACCOUNT}",
            {"status": {"code": "BLOCKED"}, "productId": None, "alias": None},
        ),
        ("PATCH", ORG_PATH, {"address": ADDRESS, "doingBusinessAs": None, "parentOrganizationId": None}),
        ("PATCH", LEDGER_PATH, {"name": "Books"}),
        ("PATCH", f"{LEDGER_PATH}/instruments/{INSTRUMENT}", {"metadata": None}),
        ("PATCH", PORTFOLIO_PATH, {"entityId": "cus-2"}),
        ("PATCH", f"{LEDGER_PATH}/products/{PRODUCT}", {"status": {"code": "RETIRED", "description": "old"}}),
    ]
    assert recorder.requests[3].headers["Idempotency-Key"] == "rename-1"
    assert all(is_uuid4(r.headers["Idempotency-Key"]) for i, r in enumerate(recorder.requests) if i != 3)


def test_update_refuses_nothing_a_field_it_does_not_take_and_a_field_given_and_cleared() -> None:
    recorder = Recorder(answer(200, {}))
    with recorder.client() as api:
        with pytest.raises(ValueError, match="nothing to update"):
            api.ledger.products.update(ORG, LEDGER, PRODUCT)
        with pytest.raises(ValueError, match="cannot clear 'code'"):
            api.ledger.instruments.update(ORG, LEDGER, INSTRUMENT, clear=["code"])
        with pytest.raises(ValueError, match="both given and cleared"):
            api.ledger.accounts.update(ORG, LEDGER, PORTFOLIO, ACCOUNT, alias="a", clear=["alias"])
    assert recorder.requests == []


def test_create_from_and_update_from_send_the_body_as_it_is() -> None:
    midaz = {"legalName": "Acme", "legalDocument": "1", "address": ADDRESS, "status": {"code": "ACTIVE"}}
    recorder = Recorder(answer(201, {"id": ORG}))
    with recorder.client() as api:
        api.ledger.organizations.create_from(body=midaz)
        api.ledger.accounts.create_from(
            ORG, LEDGER, PORTFOLIO, body={"instrumentCode": "BRL", "type": "deposit"}
        )
        api.ledger.accounts.update_from(
            ORG, LEDGER, PORTFOLIO, ACCOUNT, body={"alias": None}, idempotency_key="k"
        )
        with pytest.raises(TypeError):
            api.ledger.accounts.create_from(ORG, LEDGER, body={})
    assert recorder.calls() == [
        ("POST", "/v1/organizations", midaz),
        ("POST", f"{PORTFOLIO_PATH}/accounts", {"instrumentCode": "BRL", "type": "deposit"}),
        ("PATCH", f"{PORTFOLIO_PATH}/accounts/{ACCOUNT}", {"alias": None}),
    ]
    assert recorder.requests[2].headers["Idempotency-Key"] == "k"


def test_delete_of_each_204_sends_the_item_path_with_an_idempotency_key() -> None:
    recorder = Recorder(answer(204, None))
    with recorder.client() as api:
        api.ledger.accounts.delete(ORG, LEDGER, PORTFOLIO, ACCOUNT)
        api.ledger.products.delete(ORG, LEDGER, PRODUCT, idempotency_key="del-1")
        api.ledger.organizations.delete(ORG)
    assert recorder.calls() == [
        ("DELETE", f"{PORTFOLIO_PATH}/accounts/{ACCOUNT}", None),
        ("DELETE", f"{LEDGER_PATH}/products/{PRODUCT}", None),
        ("DELETE", ORG_PATH, None),
    ]
    assert is_uuid4(recorder.requests[0].headers["Idempotency-Key"])
    assert recorder.requests[1].headers["Idempotency-Key"] == "del-1"


@pytest.mark.parametrize(
    "call",
    [
        lambda api, key: api.ledger.ledgers.create(ORG, "L", idempotency_key=key),
        lambda api, key: api.ledger.instruments.create(
            ORG, LEDGER, "R", "currency", "BRL", idempotency_key=key
        ),
        lambda api, key: api.ledger.portfolios.update(ORG, LEDGER, PORTFOLIO, name="P", idempotency_key=key),
        lambda api, key: api.ledger.accounts.create(
            ORG, LEDGER, PORTFOLIO, "BRL", "loans", idempotency_key=key
        ),
        lambda api, key: api.ledger.accounts.delete(ORG, LEDGER, PORTFOLIO, ACCOUNT, idempotency_key=key),
        lambda api, key: api.ledger.organizations.create_from(body={}, idempotency_key=key),
    ],
    ids=[
        "ledger_create",
        "instrument_create",
        "portfolio_update",
        "account_create",
        "account_delete",
        "create_from",
    ],
)
def test_every_write_takes_a_given_idempotency_key(call: Callable[[PartnerClient, str], Any]) -> None:
    recorder = Recorder(answer(200, {"id": "x"}))
    with recorder.client() as api:
        call(api, "order-7")
    (request,) = recorder.requests
    assert request.headers["Idempotency-Key"] == "order-7"


def test_a_refused_delete_raises_invalid_request_error_without_retrying() -> None:
    envelope = {
        "error": {
            "type": "invalid_request_error",
            "code": "state_conflict",
            "message": "The product has 1 live resources under it or naming it: delete them first.",
            "param": "productId",
            "requestId": "req_e",
        }
    }
    recorder = Recorder(answer(409, envelope))
    with recorder.client() as api, pytest.raises(InvalidRequestError) as caught:
        api.ledger.products.delete(ORG, LEDGER, PRODUCT)
    assert (caught.value.status, caught.value.code, caught.value.param) == (
        409,
        "state_conflict",
        "productId",
    )
    assert len(recorder.requests) == 1
