"""Partner bank information (API.md "Partner bank information", seed 002): create or
update, the CLABE and national-id rules, supported banks, reads, lists and the cascade."""

from __future__ import annotations

from typing import Any

import pytest

from core.platform import keys
from core.platform.store import Store
from tests.integration.test_accounts import error, events_of
from tests.integration.test_customers import action, active_customer, create
from tests.support.accounts import approved_customer
from tests.support.bank_information import (
    CEDULA,
    CURP,
    RFC,
    RNC,
    clabe_for,
    do_body,
    get,
    list_,
    mx_body,
    post,
    posted,
    supported_banks,
)
from tests.support.harness import Partner


@pytest.fixture
def user(partner: Partner) -> dict[str, Any]:
    return approved_customer(partner)


# -- create ----------------------------------------------------------------------------------


def test_create_a_mexican_record(aws: Any, partner: Partner, user: dict[str, Any]) -> None:
    record = posted(partner, mx_body(user["id"]))
    assert record["id"].startswith("bi_") and record["object"] == "bank_information"
    assert record == {
        **record,
        "userId": user["id"],
        "partnerId": partner.tenant_id,
        "bankName": None,
        "supportedBankId": "bank_mx_012",
        "accountNumber": "1234567890",
        "accountType": "CHECKING",
        "clabe": clabe_for("012"),
        "country": "MX",
        "rampType": "OFF_RAMP",
        "documentNumber": CURP,
        "status": "active",
    }
    assert record["createdAt"] == record["updatedAt"]
    assert get(partner, record["id"]).json == record
    [event] = events_of(aws, partner, "bank_information.created")
    assert event["data"]["object"]["id"] == record["id"]


def test_a_dominican_record_with_a_bank_name_and_a_dashed_cedula(
    partner: Partner, user: dict[str, Any]
) -> None:
    body = do_body(
        user["id"],
        supportedBankId=...,
        bankName="Banco Ejemplo",
        documentNumber="001-1391820-5",
        rampType="ON_RAMP",
    )
    record = posted(partner, body)
    assert (record["bankName"], record["supportedBankId"]) == ("Banco Ejemplo", None)
    assert (record["documentNumber"], record["rampType"], record["clabe"]) == (CEDULA, "ON_RAMP", None)


def test_bank_name_is_stored_as_null_when_a_supported_bank_is_named(
    partner: Partner, user: dict[str, Any]
) -> None:
    record = posted(partner, mx_body(user["id"], bankName="BBVA México"))
    assert (record["bankName"], record["supportedBankId"]) == (None, "bank_mx_012")


def test_the_partner_api_key_header_is_accepted(partner: Partner, user: dict[str, Any]) -> None:
    import json

    from tests.support.harness import Reply, handler_module, make_event

    data = json.dumps(mx_body(user["id"])).encode()
    headers = partner.headers("POST", "/v1/bank-information", "", data)
    headers["PartnerApiKey"] = headers.pop("Authorization").removeprefix("Bearer ")
    event = make_event("POST", "/v1/bank-information", body=data, headers=headers)
    out = handler_module("bank_information/create").lambda_handler(event, None)
    assert Reply(out["statusCode"], out["headers"], out["body"]).status == 201


@pytest.mark.parametrize("number", [CURP, RFC, "gode 561231 gr8", "MAB-930714-8T4"])
def test_mexican_document_numbers(partner: Partner, user: dict[str, Any], number: str) -> None:
    record = posted(partner, mx_body(user["id"], documentNumber=number))
    assert record["documentNumber"] == number.upper().replace(" ", "").replace("-", "")


@pytest.mark.parametrize("number", [CEDULA, RNC, "1-01-85004-3"])
def test_dominican_document_numbers(partner: Partner, user: dict[str, Any], number: str) -> None:
    record = posted(partner, do_body(user["id"], documentNumber=number))
    assert record["documentNumber"] == number.replace("-", "")


@pytest.mark.parametrize(
    ("country", "number"),
    [
        ("MX", "BOXW310820HNERXN08"),  # CURP: wrong check digit
        ("MX", "BOXW311320HNERXN09"),  # CURP: month 13
        ("MX", "GODE561331GR8"),  # RFC: no such date
        ("MX", CEDULA),  # a Dominican cédula is not Mexican
        ("DO", "00113918204"),  # cédula: wrong Luhn digit
        ("DO", "131246795"),  # RNC: wrong check digit
        ("DO", CURP),  # a CURP is not Dominican
        ("DO", "0011391820"),  # ten digits: neither
    ],
)
def test_invalid_document_numbers(partner: Partner, user: dict[str, Any], country: str, number: str) -> None:
    body = (mx_body if country == "MX" else do_body)(user["id"], documentNumber=number)
    assert error(post(partner, body)) == (400, "parameter_invalid", "documentNumber")


def test_document_number_defaults_to_the_kyc_record(partner: Partner) -> None:
    customer = active_customer(partner, documentNumber="131-24679-6")
    record = posted(partner, do_body(customer["id"], documentNumber=...))
    assert record["documentNumber"] == RNC


def test_an_invalid_kyc_document_number_is_named(partner: Partner) -> None:
    customer = active_customer(partner, documentNumber="X1234567")  # a passport number
    reply = post(partner, mx_body(customer["id"], documentNumber=...))
    assert error(reply) == (400, "parameter_invalid", "documentNumber")
    assert "KYC" in reply.json["error"]["message"]


def test_no_document_number_anywhere_is_400_parameter_missing(partner: Partner, user: dict[str, Any]) -> None:
    assert error(post(partner, mx_body(user["id"], documentNumber=...))) == (
        400,
        "parameter_missing",
        "documentNumber",
    )


# -- CLABE and supported banks --------------------------------------------------------------


def test_a_clabe_with_a_bad_control_digit(partner: Partner, user: dict[str, Any]) -> None:
    good = clabe_for("012")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert error(post(partner, mx_body(user["id"], clabe=bad))) == (400, "parameter_invalid", "clabe")


def test_a_clabe_of_another_bank_than_the_supported_one(partner: Partner, user: dict[str, Any]) -> None:
    reply = post(partner, mx_body(user["id"], clabe=clabe_for("002")))  # Banamex, not BBVA (012)
    assert error(reply) == (400, "parameter_invalid", "clabe")


def test_a_clabe_without_a_supported_bank_must_open_with_a_known_bank(
    partner: Partner, user: dict[str, Any]
) -> None:
    body = mx_body(user["id"], supportedBankId=..., bankName="Banamex", clabe=clabe_for("002"))
    assert posted(partner, body)["clabe"] == clabe_for("002")
    unknown = mx_body(user["id"], supportedBankId=..., bankName="Nobody", clabe=clabe_for("999"))
    assert error(post(partner, unknown)) == (400, "parameter_invalid", "clabe")


def test_a_clabe_for_the_dominican_republic(partner: Partner, user: dict[str, Any]) -> None:
    assert error(post(partner, do_body(user["id"], clabe=clabe_for("012")))) == (
        400,
        "parameter_invalid",
        "clabe",
    )


@pytest.mark.parametrize("clabe", ["01218001234567891", "0121800123456789123", "01218001234567891X"])
def test_a_clabe_that_is_not_18_digits(partner: Partner, user: dict[str, Any], clabe: str) -> None:
    assert error(post(partner, mx_body(user["id"], clabe=clabe))) == (400, "parameter_invalid", "clabe")


@pytest.mark.parametrize("bank", ["bank_mx_999", "bank_zz_1", "nope", "bank_do_bhd"])
def test_an_unknown_or_foreign_supported_bank(partner: Partner, user: dict[str, Any], bank: str) -> None:
    reply = post(partner, mx_body(user["id"], supportedBankId=bank, clabe=...))
    assert error(reply) == (400, "parameter_invalid", "supportedBankId")


def test_bank_name_is_required_without_a_supported_bank(partner: Partner, user: dict[str, Any]) -> None:
    reply = post(partner, mx_body(user["id"], supportedBankId=..., clabe=...))
    assert error(reply) == (400, "parameter_missing", "bankName")


# -- the body's shape -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("country", "US", "parameter_invalid"),
        ("country", "mx", "parameter_invalid"),
        ("accountType", "checking", "parameter_invalid"),
        ("accountType", "LOAN", "parameter_invalid"),
        ("rampType", "BOTH", "parameter_invalid"),
        ("rampType", None, "parameter_invalid"),
        ("accountNumber", "123", "parameter_invalid"),
        ("accountNumber", "1" * 35, "parameter_invalid"),
        ("accountNumber", "1234-5678", "parameter_invalid"),
        ("accountNumber", 12345678, "parameter_invalid"),
        ("status", "inactive", "parameter_unknown"),
        ("partnerId", "someone", "parameter_unknown"),
        ("id", "bi_x", "parameter_unknown"),
        ("iban", "x", "parameter_unknown"),
    ],
)
def test_the_body_is_checked(
    partner: Partner, user: dict[str, Any], field: str, value: Any, code: str
) -> None:
    assert error(post(partner, {**mx_body(user["id"]), field: value})) == (400, code, field)


@pytest.mark.parametrize("field", ["userId", "accountNumber", "accountType", "country"])
def test_required_fields(partner: Partner, user: dict[str, Any], field: str) -> None:
    body = {k: v for k, v in mx_body(user["id"]).items() if k != field}
    assert error(post(partner, body)) == (400, "parameter_missing", field)


# -- the user ------------------------------------------------------------------------------------


def test_another_tenants_customer_is_reference_invalid(
    partner: Partner, make_partner: Any, user: dict[str, Any]
) -> None:
    other = make_partner()
    assert error(post(other, mx_body(user["id"]))) == (422, "reference_invalid", "userId")


def test_an_unknown_user_is_reference_invalid(partner: Partner) -> None:
    assert error(post(partner, mx_body("cus_01JQ00000000000000000NONE"))) == (
        422,
        "reference_invalid",
        "userId",
    )


def test_a_user_id_that_is_no_customer_id_is_400(partner: Partner) -> None:
    # Seed 002's examples are UUIDs; this API's customers are `cus_...`.
    reply = post(partner, mx_body("123e4567-e89b-12d3-a456-426614174000"))
    assert error(reply) == (400, "parameter_invalid", "userId")


def test_a_pending_customer_is_not_active(partner: Partner) -> None:
    pending = create(partner, {"externalId": "pending-1"}).json
    assert error(post(partner, mx_body(pending["id"]))) == (422, "customer_not_active", "userId")


# -- update -----------------------------------------------------------------------------------------


def test_the_same_user_country_and_account_number_updates(
    aws: Any, partner: Partner, user: dict[str, Any], store: Store
) -> None:
    first = posted(partner, mx_body(user["id"], rampType="ON_RAMP"))
    import time

    from core.platform import clock

    clock.set_source(lambda: time.time() + 5)
    try:
        second = posted(
            partner,
            mx_body(user["id"], accountType="SAVINGS", clabe=..., documentNumber=RFC),
            status=200,
        )
    finally:
        clock.reset()
    assert (second["id"], second["createdAt"]) == (first["id"], first["createdAt"])
    assert second["updatedAt"] > first["updatedAt"]
    # The body states the record in full: what it leaves out is cleared or defaulted again.
    assert (second["accountType"], second["clabe"], second["rampType"]) == ("SAVINGS", None, "OFF_RAMP")
    assert second["documentNumber"] == RFC
    assert get(partner, first["id"]).json == second
    [event] = events_of(aws, partner, "bank_information.updated")
    assert event["data"]["object"] == second
    assert event["data"]["previousAttributes"] == {
        "accountType": "CHECKING",
        "clabe": first["clabe"],
        "rampType": "ON_RAMP",
        "documentNumber": CURP,
    }
    assert len(list_(partner).json["data"]) == 1


def test_posting_the_same_record_again_changes_nothing(
    aws: Any, partner: Partner, user: dict[str, Any]
) -> None:
    first = posted(partner, mx_body(user["id"]))
    again = posted(partner, mx_body(user["id"]), status=200)
    assert again == first
    assert events_of(aws, partner, "bank_information.updated") == []


def test_another_account_number_or_country_is_another_record(partner: Partner, user: dict[str, Any]) -> None:
    a = posted(partner, mx_body(user["id"]))
    b = posted(partner, mx_body(user["id"], accountNumber="ABC1234567"))
    c = posted(partner, do_body(user["id"], accountNumber="1234567890"))
    assert len({a["id"], b["id"], c["id"]}) == 3


def test_an_update_with_a_bad_body_leaves_the_record(partner: Partner, user: dict[str, Any]) -> None:
    first = posted(partner, mx_body(user["id"]))
    assert post(partner, mx_body(user["id"], clabe=clabe_for("002"))).status == 400
    assert get(partner, first["id"]).json == first


# -- reads and lists ------------------------------------------------------------------------------


def test_get_unknown_and_another_tenants_record_are_404(
    partner: Partner, make_partner: Any, user: dict[str, Any]
) -> None:
    record = posted(partner, mx_body(user["id"]))
    assert error(get(make_partner(), record["id"]))[:2] == (404, "resource_missing")
    assert error(get(partner, "bi_01JQ00000000000000000NONE"))[:2] == (404, "resource_missing")
    assert error(get(partner, "acc_01JQ0000000000000000000000"))[0] == 400


def test_lists_filter_by_user_country_and_ramp(partner: Partner, make_partner: Any) -> None:
    alice, bob = approved_customer(partner), approved_customer(partner)
    a1 = posted(partner, mx_body(alice["id"]))
    a2 = posted(partner, do_body(alice["id"], rampType="ON_RAMP"))
    b1 = posted(partner, mx_body(bob["id"], rampType="ON_RAMP"))

    def ids(query: str) -> list[str]:
        reply = list_(partner, query)
        assert reply.status == 200, reply.text
        return [r["id"] for r in reply.json["data"]]

    assert ids("") == [b1["id"], a2["id"], a1["id"]]
    assert ids(f"userId={alice['id']}") == [a2["id"], a1["id"]]
    assert ids("country=MX") == [b1["id"], a1["id"]]
    assert ids("rampType=ON_RAMP") == [b1["id"], a2["id"]]
    assert ids(f"userId={alice['id']}&country=DO&rampType=ON_RAMP") == [a2["id"]]
    assert ids(f"userId={bob['id']}&country=DO") == []
    assert list_(make_partner()).json == {"data": [], "nextCursor": None}
    assert error(list_(partner, "country=US"))[:3] == (400, "parameter_invalid", "country")


def test_lists_page_with_cursors(partner: Partner, user: dict[str, Any]) -> None:
    made = [posted(partner, mx_body(user["id"], accountNumber=f"ACCT{i:04d}"))["id"] for i in range(5)]
    seen: list[str] = []
    query = "limit=2"
    while True:
        page = list_(partner, query).json
        seen += [r["id"] for r in page["data"]]
        if page["nextCursor"] is None:
            break
        query = f"limit=2&cursor={page['nextCursor']}"
    assert seen == made[::-1]


# -- supported banks --------------------------------------------------------------------------------


def test_supported_banks_of_mexico_come_from_banxicos_list(partner: Partner) -> None:
    from clabe import BANK_NAMES, BANKS

    banks: list[dict[str, Any]] = []
    query = "country=MX&limit=100"
    while True:
        page = supported_banks(partner, query).json
        banks += page["data"]
        if page["nextCursor"] is None:
            break
        query = f"country=MX&limit=100&cursor={page['nextCursor']}"
    assert {b["code"]: b["name"] for b in banks} == {abm: BANK_NAMES[code] for abm, code in BANKS.items()}
    bbva = next(b for b in banks if b["code"] == "012")
    assert bbva == {
        "id": "bank_mx_012",
        "object": "supported_bank",
        "country": "MX",
        "name": "BBVA Mexico",
        "code": "012",
    }
    assert [b["id"] for b in banks] == sorted(b["id"] for b in banks)


def test_supported_banks_of_the_dominican_republic(partner: Partner) -> None:
    banks = supported_banks(partner, "country=DO&limit=100").json["data"]
    assert {b["country"] for b in banks} == {"DO"} and len(banks) == 16
    bhd = next(b for b in banks if b["id"] == "bank_do_bhd")
    assert (bhd["name"], bhd["code"], bhd["swift"]) == ("Banco BHD", "BHD", "BCBHDOSD")
    assert all(b["id"] == f"bank_do_{b['code'].lower()}" for b in banks)


def test_supported_banks_page_and_refuse_a_foreign_cursor(partner: Partner, make_partner: Any) -> None:
    first = supported_banks(partner, "limit=3").json
    assert len(first["data"]) == 3 and first["nextCursor"]
    second = supported_banks(partner, f"limit=3&cursor={first['nextCursor']}").json
    assert second["data"][0]["id"] > first["data"][-1]["id"]
    assert error(supported_banks(make_partner(), f"limit=3&cursor={first['nextCursor']}")) == (
        400,
        "parameter_invalid",
        "cursor",
    )
    assert error(supported_banks(partner, f"country=MX&limit=3&cursor={first['nextCursor']}")) == (
        400,
        "parameter_invalid",
        "cursor",
    )
    assert error(supported_banks(partner, "country=US"))[:3] == (400, "parameter_invalid", "country")


# -- the cascade --------------------------------------------------------------------------------------


def test_the_customers_deactivation_makes_records_inactive_and_activation_restores(
    aws: Any, partner: Partner, user: dict[str, Any]
) -> None:
    a = posted(partner, mx_body(user["id"]))
    b = posted(partner, do_body(user["id"]))
    assert action(partner, user["id"], "deactivate", body={}).status == 200
    assert {get(partner, r["id"]).json["status"] for r in (a, b)} == {"inactive"}
    assert error(post(partner, mx_body(user["id"]))) == (422, "customer_not_active", "userId")
    assert action(partner, user["id"], "activate", body={}).status == 200
    assert [get(partner, r["id"]).json["status"] for r in (a, b)] == ["active", "active"]
    statuses = [e["data"]["object"]["status"] for e in events_of(aws, partner, "bank_information.updated")]
    assert sorted(statuses) == ["active", "active", "inactive", "inactive"]
    # Restored exactly: nothing else of the records moved.
    assert {k: v for k, v in get(partner, a["id"]).json.items() if k != "updatedAt"} == {
        k: v for k, v in a.items() if k != "updatedAt"
    }


def test_records_are_owned_by_the_customer_in_gsi3(
    store: Store, partner: Partner, user: dict[str, Any]
) -> None:
    record = posted(partner, mx_body(user["id"]))
    item = store.get(keys.entity_key(partner.tenant_id, record["id"]))
    assert item is not None
    assert item["GSI3PK"] == keys.owner_pk(partner.tenant_id, user["id"])
