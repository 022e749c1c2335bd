"""Bank information in the tests: calls of its handlers and valid Mexican and Dominican
bodies (the sample record is `localapi.samples.SAMPLE_BANK_INFORMATION`)."""

from __future__ import annotations

from typing import Any

from clabe import compute_control_digit

from tests.support.harness import Partner, Reply, call

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
