"""Bugs the schemathesis fuzzing found (local/localapi/fuzzing.py), each pinned by the
smallest request that showed it. The harness checks every answer against the OpenAPI
document as well."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_ingestion import EVM, create_ba, create_bw, get_ba, list_bw
from tests.support.harness import Partner

RISK = {"score": 10, "level": "LOW", "source": "chainalysis", "assessedAt": "2026-02-20T09:30:00Z"}
INTEGRATION = {"provider": "chainalysis", "externalId": "c-1", "data": {}}


def test_a_bank_account_status_of_null_is_refused_not_stored(partner: Partner) -> None:
    """`"status": null` made a record whose status was null (neither ACTIVE, INACTIVE nor
    CLOSED), which every later read of it returned."""
    reply = create_ba(partner, {"accountNumber": "0", "status": None})
    assert reply.status == 400
    assert reply.code == "parameter_invalid"
    assert reply.json["error"]["param"] == "status"

    created = create_ba(partner, {"accountNumber": "0"})
    assert created.status == 201
    assert get_ba(partner, created.json["id"]).json["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"riskHistory": [{**RISK, "score": 5e-324}]}, "riskHistory[0].score"),
        ({"integrations": [{**INTEGRATION, "data": {"x": 1e300}}]}, "integrations[0].data"),
        ({"integrations": [{**INTEGRATION, "data": {"x": 10**40}}]}, "integrations[0].data"),
    ],
    ids=["subnormal_score", "huge_float", "int_of_41_digits"],
)
def test_a_number_dynamodb_cannot_store_is_refused(
    partner: Partner, body: dict[str, Any], param: str
) -> None:
    """A risk score of 5e-324 was accepted and written: on AWS the write fails (500); the
    local emulator took it, and every read of the record (get, list, add clients) then
    failed in DynamoDB's number context (500). Numbers now must fit DynamoDB's: at most 38
    digits, magnitude 1E-130 to 1E+126, or 0."""
    reply = create_bw(partner, {"address": EVM, "chain": "ethereum", **body})
    assert reply.status == 400, reply.text
    assert reply.code == "parameter_invalid"
    assert reply.json["error"]["param"] == param

    edge = {
        "riskHistory": [{**RISK, "score": 1e-130}],
        "integrations": [{**INTEGRATION, "data": {"x": 10**37}}],
    }
    created = create_bw(partner, {"address": EVM, "chain": "ethereum", **edge})
    assert created.status == 201, created.text
    assert list_bw(partner).status == 200
