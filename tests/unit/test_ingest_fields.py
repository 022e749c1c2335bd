"""Field types of ingested bank accounts and wallets (core.ingestion.fields), in strict JSON mode."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from core.ingestion import blockchain_wallets
from core.ingestion.fields import (
    BankAccountStatus,
    Countries,
    Integrations,
    RiskHistory,
    ScreeningDate,
)
from core.platform import clock
from core.platform.errors import ApiError, ParameterInvalid, ParameterUnknown
from core.platform.iso_codes import Currency
from core.platform.validation import RequestModel, validate_body

NOW = datetime(2026, 2, 23, 12, 0, 0, tzinfo=UTC)


class Body(RequestModel):
    currency: Currency | None = None
    countries: Countries | None = None
    riskHistory: RiskHistory | None = None
    integrations: Integrations | None = None
    screeningDate: ScreeningDate | None = None
    status: BankAccountStatus | None = None


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    clock.set_source(NOW.timestamp)
    yield
    clock.reset()


def ok(**fields: Any) -> Body:
    return validate_body(Body, json.dumps(fields).encode())


def fail(**fields: Any) -> ApiError:
    with pytest.raises(ApiError) as info:
        validate_body(Body, json.dumps(fields).encode())
    return info.value


def invalid(param: str, **fields: Any) -> str:
    error = fail(**fields)
    assert isinstance(error, ParameterInvalid), (error.code, error.message)
    assert error.param == param, error.message
    return error.message


def risk(**overrides: Any) -> dict[str, Any]:
    entry = {"score": 42.5, "level": "HIGH", "source": "chainalysis", "assessedAt": "2026-02-01T10:00:00Z"}
    entry.update(overrides)
    return entry


def integration(**overrides: Any) -> dict[str, Any]:
    item = {
        "provider": "chainalysis",
        "externalId": "ext-1",
        "data": {"riskScore": 7.5, "cluster": "Exchange X", "sanctioned": False, "hops": 2, "note": None},
    }
    item.update(overrides)
    return item


# --- currency and countries -----------------------------------------------------------


@pytest.mark.parametrize("code", ["EUR", "USD", "MXN", "JPY"])
def test_iso_4217_currency_accepted(code: str) -> None:
    assert ok(currency=code).currency == code


@pytest.mark.parametrize("code", ["EURO", "XXZ", "eur", "EU", "", "E1R"])
def test_non_iso_4217_currency_rejected(code: str) -> None:
    assert "ISO 4217" in invalid("currency", currency=code)


def test_currency_must_be_a_string() -> None:
    invalid("currency", currency=978)


@pytest.mark.parametrize("code", ["DEU", "USA", "MEX", "DOM"])
def test_iso_3166_alpha3_accepted(code: str) -> None:
    assert ok(countries=[code]).countries == [code]


@pytest.mark.parametrize("code", ["DE", "XYZ", "deu", "DEUT"])
def test_non_alpha3_country_rejected_with_its_index(code: str) -> None:
    assert "ISO 3166-1" in invalid("countries[3]", countries=["FRA", "ESP", "ITA", code])


def test_at_most_20_countries() -> None:
    twenty = ["AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA"]
    twenty += ["DEU", "GRC", "HUN", "IRL", "ITA", "LVA", "LTU", "LUX", "MLT", "NLD"]
    assert len(ok(countries=twenty).countries or []) == 20
    invalid("countries", countries=[*twenty, "POL"])


def test_duplicate_countries_rejected() -> None:
    message = invalid("countries", countries=["DEU", "FRA", "DEU"])
    assert "DEU" in message and "twice" in message


def test_empty_country_list_is_fine() -> None:
    assert ok(countries=[]).countries == []


# --- status -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["ACTIVE", "INACTIVE", "CLOSED"])
def test_bank_account_status(status: str) -> None:
    assert ok(status=status).status == status


@pytest.mark.parametrize("status", ["active", "PENDING", ""])
def test_bank_account_status_rejects_other_spellings(status: str) -> None:
    invalid("status", status=status)


# --- risk history -------------------------------------------------------------------------


def test_risk_entry_valid_and_normalised_to_utc() -> None:
    body = ok(riskHistory=[risk(assessedAt="2026-02-01T11:00:00+01:00", notes="n" * 500), risk(score=0)])
    first = (body.riskHistory or [])[0]
    assert first.assessedAt == datetime(2026, 2, 1, 10, 0, tzinfo=UTC)
    assert first.assessedAt.tzinfo is UTC
    assert first.notes == "n" * 500
    assert ok(riskHistory=[risk(score=100)]).riskHistory is not None


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"score": -0.1}, "riskHistory[0].score"),
        ({"score": 100.01}, "riskHistory[0].score"),
        ({"score": "50"}, "riskHistory[0].score"),  # strict: a string is not a number
        ({"score": True}, "riskHistory[0].score"),
        ({"level": "low"}, "riskHistory[0].level"),
        ({"level": "CRITICAL"}, "riskHistory[0].level"),
        ({"source": ""}, "riskHistory[0].source"),
        ({"source": "s" * 65}, "riskHistory[0].source"),
        ({"notes": "n" * 501}, "riskHistory[0].notes"),
        ({"assessedAt": "2026-02-01T10:00:00"}, "riskHistory[0].assessedAt"),  # no timezone
        ({"assessedAt": "2026-02-01 10:00:00Z"}, "riskHistory[0].assessedAt"),
        ({"assessedAt": "2026-02-01T10:00Z"}, "riskHistory[0].assessedAt"),  # no seconds
        ({"assessedAt": "2026-02-01"}, "riskHistory[0].assessedAt"),
        ({"assessedAt": "2026-02-30T10:00:00Z"}, "riskHistory[0].assessedAt"),
        ({"assessedAt": 1769940000}, "riskHistory[0].assessedAt"),
    ],
)
def test_risk_entry_rules(overrides: dict[str, Any], param: str) -> None:
    invalid(param, riskHistory=[risk(**overrides)])


def test_risk_entry_missing_and_unknown_fields() -> None:
    entry = risk()
    del entry["level"]
    error = fail(riskHistory=[risk(), entry])
    assert error.code == "parameter_missing" and error.param == "riskHistory[1].level"
    error = fail(riskHistory=[risk(severity="x")])
    assert isinstance(error, ParameterUnknown) and error.param == "riskHistory[0].severity"


def test_risk_score_not_a_number_is_rejected() -> None:
    body = (
        b'{"riskHistory": [{"score": NaN, "level": "LOW", "source": "x", '
        b'"assessedAt": "2026-02-01T10:00:00Z"}]}'
    )
    with pytest.raises(ParameterInvalid) as info:
        validate_body(Body, body)
    assert info.value.param == "riskHistory[0].score"


def test_at_most_100_risk_entries() -> None:
    assert len(ok(riskHistory=[risk()] * 100).riskHistory or []) == 100
    invalid("riskHistory", riskHistory=[risk()] * 101)


# --- integrations -------------------------------------------------------------------------


def test_integration_valid() -> None:
    body = ok(integrations=[integration(syncedAt="2026-02-20T09:00:00Z"), integration(provider="trm")])
    first = (body.integrations or [])[0]
    assert first.provider == "chainalysis" and first.data["sanctioned"] is False
    assert first.syncedAt == datetime(2026, 2, 20, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"provider": "Chainalysis"}, "integrations[0].provider"),
        ({"provider": "a" * 33}, "integrations[0].provider"),
        ({"provider": ""}, "integrations[0].provider"),
        ({"provider": "trm labs"}, "integrations[0].provider"),
        ({"externalId": ""}, "integrations[0].externalId"),
        ({"externalId": "x" * 129}, "integrations[0].externalId"),
        ({"data": {"nested": {"a": 1}}}, "integrations[0].data"),
        ({"data": {"list": [1]}}, "integrations[0].data"),
        ({"data": {"long": "x" * 501}}, "integrations[0].data"),
        ({"data": {"": 1}}, "integrations[0].data"),
        ({"data": {f"k{i}": i for i in range(51)}}, "integrations[0].data"),
        ({"data": []}, "integrations[0].data"),
        ({"syncedAt": "yesterday"}, "integrations[0].syncedAt"),
    ],
)
def test_integration_rules(overrides: dict[str, Any], param: str) -> None:
    invalid(param, integrations=[integration(**overrides)])


def test_integration_data_limits_are_inclusive() -> None:
    data = {f"k{i}": "x" * 500 for i in range(50)}
    assert ok(integrations=[integration(data=data)]).integrations is not None


def test_integration_data_rejects_infinity() -> None:
    body = b'{"integrations": [{"provider": "trm", "externalId": "1", "data": {"a": Infinity}}]}'
    with pytest.raises(ParameterInvalid) as info:
        validate_body(Body, body)
    assert info.value.param == "integrations[0].data"


def test_integration_missing_and_unknown_fields() -> None:
    item = integration()
    del item["data"]
    assert fail(integrations=[item]).param == "integrations[0].data"
    assert isinstance(fail(integrations=[integration(extra=1)]), ParameterUnknown)


def test_integrations_unique_by_provider_and_external_id() -> None:
    assert ok(integrations=[integration(), integration(externalId="ext-2"), integration(provider="trm")])
    message = invalid("integrations", integrations=[integration(), integration()])
    assert "twice" in message


def test_at_most_20_integrations() -> None:
    items = [integration(externalId=f"e{i}") for i in range(21)]
    assert ok(integrations=items[:20]).integrations is not None
    invalid("integrations", integrations=items)


# --- screening date -------------------------------------------------------------------------


def test_screening_date_accepts_a_date() -> None:
    assert ok(screeningDate="2026-02-20").screeningDate == date(2026, 2, 20)


def test_screening_date_accepts_a_datetime_normalised_to_utc() -> None:
    value = ok(screeningDate="2026-02-23T13:00:00+02:00").screeningDate
    assert isinstance(value, datetime) and value == datetime(2026, 2, 23, 11, tzinfo=UTC)


def test_screening_date_not_in_the_future() -> None:
    # Today (UTC) and "today" in UTC+14 are fine; the day after is not.
    assert ok(screeningDate="2026-02-23").screeningDate == date(2026, 2, 23)
    assert ok(screeningDate="2026-02-24").screeningDate == date(2026, 2, 24)  # already the 24th in UTC+14
    assert "future" in invalid("screeningDate", screeningDate="2026-02-25")
    # A date-time may be up to 5 minutes ahead (clock skew).
    assert ok(screeningDate="2026-02-23T12:04:59Z").screeningDate is not None
    assert "future" in invalid("screeningDate", screeningDate="2026-02-23T12:05:01Z")


@pytest.mark.parametrize(
    "value", ["2026-02-30", "20260220", "2026-02-20T10:00:00", "2026-02-20 10:00:00Z", "02/20/2026", 20260220]
)
def test_screening_date_rejects_other_forms(value: Any) -> None:
    invalid("screeningDate", screeningDate=value)


# --- documentation ------------------------------------------------------------------------


def test_types_carry_their_descriptions_into_the_json_schema() -> None:
    schema = Body.model_json_schema()
    text = json.dumps(schema)
    assert "ISO 4217" in text and "ISO 3166-1 alpha-3" in text and "at most 20" in text
    assert "date-time" in text and "RiskEntry" in text and "Integration" in text


@pytest.mark.parametrize(
    ("sent", "returned"),
    [
        ("2026-02-20", "2026-02-20"),
        ("2026-02-20T09:30:00Z", "2026-02-20T09:30:00Z"),
        ("2026-02-20T09:30:00.123456+02:00", "2026-02-20T07:30:00.123456Z"),
        ("2026-02-20T09:30:00.5Z", "2026-02-20T09:30:00.500000Z"),
    ],
)
def test_a_screening_date_serialises_without_a_pydantic_warning(sent: str, returned: str) -> None:
    """A date and a date-time dump to their API form, with no serializer warning (the
    suite turns those into errors, see pyproject.toml)."""
    body = blockchain_wallets.WalletBody.model_validate_json(
        json.dumps({"address": "0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb", "screeningDate": sent}),
        strict=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert body.model_dump(mode="json", exclude_unset=True)["screeningDate"] == returned


# --- what the OpenAPI document repeats ---------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00+01:00", "0001-01-01T00:59:59+23:59", "9999-12-31T23:59:59-00:01"],
)
def test_a_datetime_outside_years_1_to_9999_in_utc_is_400_not_a_crash(value: str) -> None:
    """fromisoformat takes it, moving it to UTC overflowed (an OverflowError, a 500)."""
    assert "out of range" in invalid("riskHistory[0].assessedAt", riskHistory=[risk(assessedAt=value)])
    assert "out of range" in invalid("screeningDate", screeningDate=value)


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-01T10:00:60Z",
        "0000-01-01T00:00:00Z",
        "2026-02-01T10:00:00.1234567890Z",
        "٢٠٢٦-02-01T10:00:00Z",
    ],
)
def test_the_datetime_pattern_is_the_validators(value: str) -> None:
    """A leap second, year 0, ten fraction digits, non-ASCII digits: refused, and not
    matched by the pattern the document shows beside `format: date-time`."""
    import re

    from core.ingestion.fields import DATETIME_PATTERN

    assert re.fullmatch(DATETIME_PATTERN, value) is None
    invalid("riskHistory[0].assessedAt", riskHistory=[risk(assessedAt=value)])


def test_the_documented_number_bounds_are_storable_numbers() -> None:
    from core.ingestion.fields import STORABLE_NUMBER_SCHEMA, storable_number

    branches = STORABLE_NUMBER_SCHEMA["anyOf"]
    assert branches[0] == {"const": 0} and storable_number(0) is None
    assert (
        storable_number(branches[1]["minimum"]) is None and storable_number(-branches[2]["maximum"]) is None
    )
    assert storable_number(1e-131) is not None and storable_number(1e126) is not None
    assert storable_number(9.99e125) is None
