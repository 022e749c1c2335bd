"""Bank information in the tests: calls of its handlers, valid Mexican and Dominican
bodies, and the record the sample events name (events/bank_information_*.json)."""

from __future__ import annotations

import json
import time
from typing import Any

from clabe import compute_control_digit

from core.platform import keys
from core.platform.store import Store
from tests.support.accounts import seed_sample_world
from tests.support.harness import Partner, Reply, call

SAMPLE_BANK_INFORMATION = "bi_01JQ0000000000000000000000"
# Valid national ids (python-stdnum's own examples).
CURP = "BOXW310820HNERXN09"
RFC = "GODE561231GR8"
CEDULA = "00113918205"
RNC = "131246796"


def clabe_for(bank_code: str, account: str = "18001234567891") -> str:
    """An 18-digit CLABE opening with `bank_code`, with its control digit."""
    digits = bank_code + account[: 17 - len(bank_code)]
    return digits + compute_control_digit(digits)


def mx_body(user_id: str, **fields: Any) -> dict[str, Any]:
    body = {
        "userId": user_id,
        "supportedBankId": "bank_mx_012",
        "accountNumber": "1234567890",
        "accountType": "CHECKING",
        "clabe": clabe_for("012"),
        "country": "MX",
        "documentNumber": CURP,
    }
    return {k: v for k, v in {**body, **fields}.items() if v is not ...}


def do_body(user_id: str, **fields: Any) -> dict[str, Any]:
    body = {
        "userId": user_id,
        "supportedBankId": "bank_do_bhd",
        "accountNumber": "9876543210",
        "accountType": "SAVINGS",
        "country": "DO",
        "documentNumber": CEDULA,
    }
    return {k: v for k, v in {**body, **fields}.items() if v is not ...}


def post(partner: Partner, body: dict[str, Any], **options: Any) -> Reply:
    return call(
        "bank_information/create", "POST", "/v1/bank-information", partner=partner, body=body, **options
    )


def posted(partner: Partner, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    reply = post(partner, body)
    assert reply.status == status, reply.text
    return dict(reply.json)


def get(partner: Partner, record_id: str, **options: Any) -> Reply:
    return call(
        "bank_information/get",
        "GET",
        f"/v1/bank-information/{record_id}",
        partner=partner,
        path_params={"bankInformationId": record_id},
        **options,
    )


def list_(partner: Partner, query: str = "") -> Reply:
    return call("bank_information/list", "GET", "/v1/bank-information", partner=partner, query=query)


def supported_banks(partner: Partner, query: str = "") -> Reply:
    return call("supported_banks/list", "GET", "/v1/supported-banks", partner=partner, query=query)


def seed_sample_bank_world(store: Store, tenant_id: str) -> None:
    """The sample customer (active) and the sample record, from the sample create's body."""
    from core.bank_information import bank_information
    from tests.support.events import load_event

    seed_sample_world(store, tenant_id)
    body = json.loads(load_event("bank_information_create")["body"])
    fields = {name: body.get(name) for name in bank_information.FIELDS}
    item = bank_information.new_item(tenant_id, SAMPLE_BANK_INFORMATION, fields, int(time.time()))
    store.put(keys.entity_key(tenant_id, SAMPLE_BANK_INFORMATION), item)
