"""Rules without I/O: the error table, validation's `param` paths, metadata, cursors, ids."""

from __future__ import annotations

import json

import pytest
from pydantic import Field

from core.platform import errors
from core.platform.ids import is_id, new_id
from core.platform.pagination import decode_cursor, encode_cursor
from core.platform.validation import Metadata, RequestModel, validate_body

SECRET = "s" * 32


def test_every_code_of_api_md_maps_to_its_status_and_type() -> None:
    expected = {
        "parameter_missing": 400,
        "parameter_invalid": 400,
        "parameter_unknown": 400,
        "body_not_json": 400,
        "idempotency_key_invalid": 400,
        "api_key_missing": 401,
        "api_key_invalid": 401,
        "api_key_revoked": 401,
        "signature_missing": 401,
        "signature_invalid": 401,
        "digest_mismatch": 401,
        "timestamp_out_of_range": 401,
        "scope_missing": 403,
        "resource_missing": 404,
        "method_not_allowed": 405,
        "resource_already_exists": 409,
        "state_conflict": 409,
        "duplicate_idempotency_key": 409,
        "idempotency_key_in_flight": 409,
        "body_too_large": 413,
        "customer_not_active": 422,
        "capability_missing": 422,
        "limit_exceeded": 422,
        "reference_invalid": 422,
        "scheme_unsupported": 422,
        "amount_mismatch": 422,
        "instrument_mismatch": 422,
        "account_not_allowed": 422,
        "insufficient_funds": 422,
        "too_many_requests": 429,
        "challenge_missing": 409,
        "challenge_used": 409,
        "challenge_expired": 409,
        "signature_mismatch": 422,
        "internal": 500,
    }
    assert {code: status for code, (status, _) in errors.ERROR_TABLE.items()} == expected
    assert errors.IdempotencyKeyInFlight("x").type == "idempotency_error"
    assert errors.InternalError("x").type == "api_error"


def test_envelope_shape() -> None:
    env = errors.ParameterInvalid("bad", param="metadata.color").envelope("req_1")
    assert env == {
        "error": {
            "type": "invalid_request_error",
            "code": "parameter_invalid",
            "message": "bad",
            "param": "metadata.color",
            "requestId": "req_1",
        }
    }
    assert "param" not in errors.ApiKeyMissing("x").envelope("req_1")["error"]


class Item(RequestModel):
    name: str


class Body(RequestModel):
    metadata: Metadata | None = None
    countries: list[str] = Field(default_factory=list, max_length=3)
    items: list[Item] = Field(default_factory=list)
    count: int = 0


@pytest.mark.parametrize(
    ("raw", "code", "param"),
    [
        (b'{"metadata": {"bad key": "v"}}', "parameter_invalid", "metadata"),
        (b'{"metadata": {"k": "' + b"x" * 501 + b'"}}', "parameter_invalid", "metadata"),
        (b'{"metadata": {"k": 5}}', "parameter_invalid", "metadata.k"),
        (b'{"countries": ["a", 7]}', "parameter_invalid", "countries[1]"),
        (b'{"items": [{"name": "a"}, {}]}', "parameter_missing", "items[1].name"),
        (b'{"items": [{"name": "a", "x": 1}]}', "parameter_unknown", "items[0].x"),
        (b'{"count": "5"}', "parameter_invalid", "count"),
        (b'{"createdAt": "2026-01-01T00:00:00Z"}', "parameter_unknown", "createdAt"),
        (b'{"id": "x"}', "parameter_unknown", "id"),
        (b"[]", "body_not_json", None),
        (b"\xff", "body_not_json", None),
    ],
)
def test_validation_errors_name_their_param(raw: bytes, code: str, param: str | None) -> None:
    with pytest.raises(errors.ApiError) as info:
        validate_body(Body, raw)
    assert info.value.code == code
    assert info.value.param == param


def test_metadata_limits() -> None:
    ok = {f"k{i}": "v" for i in range(50)}
    assert validate_body(Body, json.dumps({"metadata": ok}).encode()).metadata == ok
    too_many = {f"k{i}": None for i in range(51)}
    with pytest.raises(errors.ParameterInvalid):
        validate_body(Body, json.dumps({"metadata": too_many}).encode())


def test_empty_body_is_an_empty_object() -> None:
    assert validate_body(Body, b"").count == 0
    assert validate_body(Body, b"{}").count == 0


def test_cursor_round_trip_and_binding() -> None:
    key = {"PK": "T#a", "SK": "sig_1", "GSI1PK": "T#a#L#x", "GSI1SK": "sig_1"}
    cursor = encode_cursor(SECRET, "ptn_a", "x", key)
    assert decode_cursor(SECRET, "ptn_a", "x", cursor) == key
    for tenant, collection, secret in (
        ("ptn_b", "x", SECRET),
        ("ptn_a", "y", SECRET),
        ("ptn_a", "x", "t" * 32),
    ):
        with pytest.raises(errors.ParameterInvalid):
            decode_cursor(secret, tenant, collection, cursor)


def test_ids_are_prefixed_and_time_sortable() -> None:
    first, second = new_id("sig"), new_id("sig")
    assert is_id(first, "sig") and not is_id(first, "cus")
    assert first < second or first[:14] == second[:14]
    with pytest.raises(ValueError):
        new_id("nope")


def test_our_ulids_are_the_specs_ulids() -> None:
    """core.platform.ids makes ULIDs itself (cold start); python-ulid (a test dependency) agrees."""
    from ulid import ULID

    from core.platform.ids import time_prefix, ulid

    for at in (0.0, 1.5, 1_771_848_000.123, 2**47 / 1000):
        made = ulid(at)
        assert len(made) == 26
        parsed = ULID.from_str(made)
        assert parsed.milliseconds == int(at * 1000)
        assert str(ULID.from_timestamp(at))[:10] == made[:10] == time_prefix(at)
    assert ulid(1.0) < ulid(1.5) < ulid(2.0)
    assert len({ulid(5.0) for _ in range(1000)}) == 1000
