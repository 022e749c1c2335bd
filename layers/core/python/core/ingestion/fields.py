"""Field types of ingested bank accounts and blockchain wallets (seed 000).

Pydantic types for the request models of `/v1/bank-accounts` and `/v1/blockchain-wallets`.
They work in strict JSON mode (`validate_body`): datetimes and dates arrive as strings.
Nested objects subclass `RequestModel`, so unknown fields are 400 `parameter_unknown`.
Failures are `ValueError`s or pydantic constraint errors: 400 `parameter_invalid` with
`param` the dotted path, e.g. `countries[3]`, `riskHistory[0].level`.

ISO codes (`Currency`, `Country3`) are the platform's (`core.platform.iso_codes`).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)

from core.platform import clock
from core.platform.iso_codes import Country3
from core.platform.validation import RequestModel

_ISO_CODE = re.compile(r"[A-Z]{3}")
# RFC 3339 as this API takes it, in ASCII digits: a year from 0001, `T`, seconds (no leap
# second: Python's datetime has none), at most 9 fraction digits, and `Z` or an offset.
# The OpenAPI document carries the same expressions (anchored) beside its `format`.
_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
_HOUR, _MINUTE = "(?:[01][0-9]|2[0-3])", "[0-5][0-9]"
DATE_PATTERN = f"{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
DATETIME_PATTERN = (
    f"{DATE_PATTERN}[Tt]{_HOUR}:{_MINUTE}:{_MINUTE}(?:\\.[0-9]{{1,9}})?(?:[Zz]|[+-]{_HOUR}:{_MINUTE})"
)
_RFC3339_DATETIME = re.compile(DATETIME_PATTERN)
_DATE = re.compile(DATE_PATTERN)


def _no_duplicate_countries(value: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    for index, code in enumerate(value):
        if code in seen:
            raise ValueError(f"{code} appears twice (at {seen[code]} and {index}); each country at most once")
        seen[code] = index
    return value


Countries = Annotated[
    list[Country3],
    Field(
        max_length=20,
        description="ISO 3166-1 alpha-3 country codes, at most 20, no duplicates.",
        examples=[["DEU", "FRA"]],
        json_schema_extra={"uniqueItems": True},  # `_no_duplicate_countries`
    ),
    AfterValidator(_no_duplicate_countries),
]
"""`["DEU", "FRA"]`: at most 20 `Country3`, each at most once."""


# --- Timestamps -------------------------------------------------------------------------


def _parse_rfc3339(value: str) -> datetime:
    """`YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM)` (RFC 3339 section 5.6), as an aware UTC datetime."""
    if not _RFC3339_DATETIME.fullmatch(value):
        raise ValueError("must be an RFC 3339 date-time with a timezone, e.g. 2026-02-23T12:00:00Z")
    try:
        # fromisoformat takes any number of fraction digits (keeping microseconds) and `Z`.
        return datetime.fromisoformat(value.upper()).astimezone(UTC)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid date-time") from None
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00, before year 1 in UTC
        raise ValueError(f"{value!r} is out of range: years 0001 to 9999 in UTC") from None


def _rfc3339_string(value: Any) -> Any:
    # Pydantic alone also takes `2026-01-01 12:00`, numbers (lax) and no seconds. The string
    # is parsed here, not handed on: after a before-validator pydantic sees a Python str,
    # which strict mode refuses as a datetime. Non-strings go on to pydantic (a number in
    # a strict JSON body is refused there; internal Python callers may pass datetimes).
    if isinstance(value, str):
        return _parse_rfc3339(value)
    return value


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


DATETIME_DESCRIPTION = (
    "RFC 3339 date-time with a timezone, e.g. `2026-02-23T12:00:00Z`: seconds, at most 9 "
    "fraction digits, no leap second, and within years 0001-9999 once in UTC; stored in UTC."
)
Rfc3339DateTime = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339_string),
    AfterValidator(_to_utc),
    Field(description=DATETIME_DESCRIPTION, json_schema_extra={"pattern": f"^{DATETIME_PATTERN}$"}),
]
"""`"2026-02-23T12:00:00Z"`: RFC 3339 with `T`, seconds and an offset; normalised to UTC."""

# A screening datetime may run ahead of our clock by this much (the partner's clock skew).
SCREENING_CLOCK_SKEW = timedelta(minutes=5)
# A date is "today" somewhere on Earth until UTC+14 (Line Islands) has left it.
_EARLIEST_ZONE_AHEAD = timedelta(hours=14)


def _screening_date(value: Any) -> date | datetime:
    now = datetime.fromtimestamp(clock.now(), UTC)
    if isinstance(value, str):
        if _DATE.fullmatch(value):
            try:
                parsed: date | datetime = date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a calendar date") from None
        elif _RFC3339_DATETIME.fullmatch(value):
            parsed = _parse_rfc3339(value)
        else:
            raise ValueError(
                "must be a date YYYY-MM-DD or an RFC 3339 date-time with a timezone, "
                "e.g. 2026-02-23T12:00:00Z"
            )
    elif isinstance(value, datetime):  # Python mode (internal callers)
        if value.tzinfo is None:
            raise ValueError("a date-time must have a timezone")
        parsed = value.astimezone(UTC)
    elif isinstance(value, date):
        parsed = value
    else:
        raise ValueError("must be a string: a date YYYY-MM-DD or an RFC 3339 date-time")
    if isinstance(parsed, datetime):
        if parsed > now + SCREENING_CLOCK_SKEW:
            raise ValueError("must not be in the future")
    elif parsed > (now + _EARLIEST_ZONE_AHEAD).date():
        raise ValueError("must not be in the future")
    return parsed


def _screening_text(value: date | datetime) -> str:
    """The stored and returned form: `YYYY-MM-DD`, or RFC 3339 in UTC with `Z` (and the
    microseconds when there are any). Declared because pydantic cannot serialise a
    `date | datetime` union behind a plain validator without warning (it tries each
    member's serializer and reports both as mismatches)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


ScreeningDate = Annotated[
    date | datetime,
    PlainValidator(_screening_date),
    PlainSerializer(_screening_text, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date", "pattern": f"^{DATE_PATTERN}$"},
                {"type": "string", "format": "date-time", "pattern": f"^{DATETIME_PATTERN}$"},
            ],
            "description": "Date the wallet was last screened: `YYYY-MM-DD` or an RFC 3339 date-time "
            "with a timezone (as `assessedAt`); not in the future: a date at most today in UTC+14, "
            "a date-time at most 5 minutes ahead of the server's clock.",
            "examples": ["2026-02-20", "2026-02-20T09:30:00Z"],
        }
    ),
]
"""`"2026-02-20"` or `"2026-02-20T09:30:00Z"`: both are accepted.

A date stays a `date` (returned as `YYYY-MM-DD`); a date-time becomes an aware UTC
`datetime` (returned as RFC 3339 with `Z`). Not in the future: a date-time may be at most
5 minutes ahead of the server clock (clock skew); a date at most the current date in
UTC+14, so a partner anywhere on Earth can send "today".
"""


# --- Numbers the table can hold --------------------------------------------------------


def storable_number(value: float) -> str | None:
    """Why DynamoDB cannot store `value` (None when it can): a number is 0, or has at
    most 38 digits and a magnitude from 1E-130 to below 1E+126. Outside that
    range a write fails on AWS (and the local emulator, which takes it, fails every read
    of the item afterwards), so such a number is refused up front."""
    number = Decimal(str(value))
    if not number:
        return None
    # The digits as the store writes them (`str(int)` keeps trailing zeros; reading 39 or
    # more back rounds, which DynamoDB's number context refuses).
    if len(number.as_tuple().digits) > 38:
        return "has more than 38 digits"
    if not -130 <= number.adjusted() <= 125:
        return "is outside the range of magnitudes 1E-130 to 1E+126 (or 0)"
    return None


# `storable_number` as far as JSON Schema can say it (by value: 0, or a magnitude from
# 1E-130 to below 1E+126); its 38-digit limit is on the digits sent, which a schema cannot see.
STORABLE_NUMBER_SCHEMA: dict[str, Any] = {
    "type": "number",
    "anyOf": [
        {"const": 0},
        {"minimum": 1e-130, "exclusiveMaximum": 1e126},
        {"maximum": -1e-130, "exclusiveMinimum": -1e126},
    ],
    "description": "A number DynamoDB can store: 0, or a magnitude from 1E-130 to below 1E+126, "
    "with at most 38 significant digits.",
}


def _storable(value: float) -> float:
    problem = storable_number(value)
    if problem is not None:
        raise ValueError(f"{value!r} {problem}")
    return value


# --- Risk history ----------------------------------------------------------------------

RiskLevel = Literal["LOW", "MEDIUM", "HIGH", "SEVERE"]


class RiskEntry(RequestModel):
    """One risk assessment.

    `{"score": 0..100, "level": "LOW"|"MEDIUM"|"HIGH"|"SEVERE", "source": "chainalysis",
    "assessedAt": "2026-02-23T12:00:00Z", "notes"?: "..."}`; `source` 1-64 characters,
    `notes` at most 500, `assessedAt` RFC 3339 with a timezone.
    """

    score: Annotated[
        float,
        Field(
            ge=0,
            le=100,
            allow_inf_nan=False,
            description="Risk score, 0 to 100 (0, or at least 1E-130: `storable_number`).",
            json_schema_extra={"anyOf": [{"const": 0}, {"minimum": 1e-130}]},
        ),
        AfterValidator(_storable),
    ]
    level: Annotated[RiskLevel, Field(description="LOW, MEDIUM, HIGH or SEVERE.")]
    source: Annotated[
        str, Field(min_length=1, max_length=64, description="Who assessed it, e.g. chainalysis, internal.")
    ]
    assessedAt: Rfc3339DateTime
    notes: Annotated[str | None, Field(max_length=500, description="Free text, at most 500 characters.")] = (
        None
    )


RiskHistory = Annotated[
    list[RiskEntry],
    Field(max_length=100, description="Historical risk assessments, at most 100."),
]
"""`[RiskEntry, ...]`: at most 100 entries."""


# --- Integrations ----------------------------------------------------------------------

PROVIDER_PATTERN = r"^[a-z0-9_-]{1,32}$"
_DATA_MAX_KEYS = 50
_DATA_KEY_MAX_LENGTH = 100
_DATA_STRING_MAX_LENGTH = 500


def _check_integration_data(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > _DATA_MAX_KEYS:
        raise ValueError(f"at most {_DATA_MAX_KEYS} keys are allowed")
    for key, item in value.items():
        if not 1 <= len(key) <= _DATA_KEY_MAX_LENGTH:
            raise ValueError(f"keys must be 1 to {_DATA_KEY_MAX_LENGTH} characters long")
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, int | float):
            if isinstance(item, float) and not math.isfinite(item):
                raise ValueError(f"value of {key!r} must be a finite number")
            problem = storable_number(item)
            if problem is not None:
                raise ValueError(f"value of {key!r} {problem}")
        elif isinstance(item, str):
            if len(item) > _DATA_STRING_MAX_LENGTH:
                raise ValueError(f"value of {key!r} is longer than {_DATA_STRING_MAX_LENGTH} characters")
        else:
            raise ValueError(
                f"value of {key!r} must be a string, number, boolean or null (no objects or arrays)"
            )
    return value


IntegrationData = Annotated[
    dict[str, Any],
    AfterValidator(_check_integration_data),
    WithJsonSchema(
        {
            "type": "object",
            "maxProperties": _DATA_MAX_KEYS,
            "additionalProperties": {
                "anyOf": [
                    {"type": "string", "maxLength": _DATA_STRING_MAX_LENGTH},
                    {key: value for key, value in STORABLE_NUMBER_SCHEMA.items() if key != "description"},
                    {"type": "boolean"},
                    {"type": "null"},
                ]
            },
            "propertyNames": {"minLength": 1, "maxLength": _DATA_KEY_MAX_LENGTH},
            "description": "The provider's data: at most 50 keys (1-100 characters), values scalars "
            "or null, strings at most 500 characters, numbers that DynamoDB can store (0, or a "
            "magnitude from 1E-130 to below 1E+126, at most 38 significant digits).",
        }
    ),
]
"""`{"riskScore": 7.5, "cluster": "Exchange X", "sanctioned": false, "note": null}`."""


class Integration(RequestModel):
    """Third-party integration data.

    `{"provider": "chainalysis", "externalId": "...", "data": {...}, "syncedAt"?: "2026-...Z"}`;
    `provider` `^[a-z0-9_-]{1,32}$` (chainalysis, elliptic, trm, ...), `externalId` 1-128
    characters, `data` an `IntegrationData` object, `syncedAt` RFC 3339.
    """

    provider: Annotated[
        str, Field(pattern=PROVIDER_PATTERN, description="Provider id, e.g. chainalysis, elliptic, trm.")
    ]
    externalId: Annotated[
        str, Field(min_length=1, max_length=128, description="The provider's id for this record.")
    ]
    data: IntegrationData
    syncedAt: Rfc3339DateTime | None = None


def _unique_integrations(value: list[Integration]) -> list[Integration]:
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(value):
        key = (item.provider, item.externalId)
        if key in seen:
            raise ValueError(
                f"provider {item.provider!r} with externalId {item.externalId!r} appears twice "
                f"(at {seen[key]} and {index})"
            )
        seen[key] = index
    return value


Integrations = Annotated[
    list[Integration],
    Field(
        max_length=20,
        description="Third-party integrations, at most 20; no two with the same `provider` and "
        "`externalId` (400 naming `integrations`).",
    ),
    AfterValidator(_unique_integrations),
]
"""`[Integration, ...]`: at most 20, no two with the same `provider` and `externalId`."""


# --- Bank accounts ---------------------------------------------------------------------

BankAccountStatus = Literal["ACTIVE", "INACTIVE", "CLOSED"]
"""`"ACTIVE" | "INACTIVE" | "CLOSED"`, spelled as seed 000 spells them."""
