"""The rules no schema can state (`localapi.fuzz_exclusions`): each excuses a refusal of a
schema-valid request only when the server named its parameter and the request breaks the
rule; a request that keeps to the rule, or a refusal naming another parameter, is not
excused (positive_data_acceptance still fails on it)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from localapi.fuzz_exclusions import UNSTATED, Sent, excusing
from partner_sdk import signing

CHECKSUMMED = "0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"
BAD_CHECKSUM = "0xAb16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"


def sent(*, query: dict[str, Any] | None = None, body: Any = None) -> Sent:
    return Sent(query or {}, body, len(json.dumps(body).encode()) if body is not None else 0)


def rule_for(status: int, param: str | None, request: Sent) -> str | None:
    rule = excusing(status, {"code": "parameter_invalid", "param": param}, request)
    return rule.name if rule else None


def ed25519_pem() -> str:
    return signing.public_key_pem(signing.generate_private_key("ed25519"))


def test_every_rule_has_a_reason() -> None:
    names = [rule.name for rule in UNSTATED]
    assert len(names) == len(set(names))
    assert all(len(rule.reason) > 40 for rule in UNSTATED)


def test_a_generated_cursor_is_never_one_the_server_issued() -> None:
    request = sent(query={"cursor": "eyJQSyI6ImEifQ." + "A" * 43})
    assert rule_for(400, "cursor", request) == "cursor_not_issued"
    assert rule_for(400, "limit", request) is None
    assert rule_for(422, "cursor", request) is None


@pytest.mark.parametrize(
    ("address", "excused"), [(BAD_CHECKSUM, True), (CHECKSUMMED, False), (CHECKSUMMED.lower(), False)]
)
def test_an_onchain_id_is_excused_only_for_a_wrong_eip55_checksum(address: str, excused: bool) -> None:
    for request in (
        sent(query={"onchainId": f"eip155:1:{address}"}),
        sent(body={"onchainId": f"eip155:1:{address}"}),
    ):
        assert (rule_for(400, "onchainId", request) == "eip55_checksum") is excused


@pytest.mark.parametrize(
    ("chain", "address", "excused"),
    [
        ("ethereum", BAD_CHECKSUM, True),
        ("ethereum", CHECKSUMMED, False),
        ("bitcoin", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx", True),
        ("bitcoin", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", False),
        ("bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", True),
        ("bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", False),
        ("solana", "x" * 40, False),
        (None, BAD_CHECKSUM, False),
    ],
)
def test_an_address_is_excused_only_for_its_chains_checksum(
    chain: str | None, address: str, excused: bool
) -> None:
    request = sent(body={"address": address, "chain": chain})
    assert (rule_for(400, "address", request) == "address_checksum") is excused


def test_a_screening_date_is_excused_only_in_the_future() -> None:
    later = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    earlier = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (
        rule_for(400, "screeningDate", sent(body={"screeningDate": later})) == "screening_date_in_the_future"
    )
    assert rule_for(400, "screeningDate", sent(body={"screeningDate": earlier})) is None


def test_a_datetime_is_excused_only_beyond_years_1_to_9999_in_utc() -> None:
    body = {
        "riskHistory": [{"assessedAt": "2026-01-01T00:00:00Z"}, {"assessedAt": "0001-01-01T00:00:00+01:00"}]
    }
    name = "datetime_beyond_year_9999_or_before_year_1_in_utc"
    assert rule_for(400, "riskHistory[1].assessedAt", sent(body=body)) == name
    assert rule_for(400, "riskHistory[0].assessedAt", sent(body=body)) is None


def test_integrations_are_excused_only_when_a_pair_repeats() -> None:
    one = {"provider": "chainalysis", "externalId": "1", "data": {}}
    two = {"provider": "chainalysis", "externalId": "2", "data": {}}
    name = "integrations_unique_by_provider_and_external_id"
    assert rule_for(400, "integrations", sent(body={"integrations": [one, dict(one)]})) == name
    assert rule_for(400, "integrations", sent(body={"integrations": [one, two]})) is None


def test_a_number_is_excused_only_when_written_with_more_than_38_digits() -> None:
    name = "number_of_more_than_38_digits"
    assert (
        rule_for(400, "integrations[0].data", sent(body={"integrations": [{"data": {"n": 10**40}}]})) == name
    )
    assert rule_for(400, "integrations[0].data", sent(body={"integrations": [{"data": {"n": 1e40}}]})) is None


def test_a_signature_is_excused_only_when_it_recovers_no_key() -> None:
    from eth_account import Account
    from eth_account.messages import encode_defunct

    real = "0x" + Account.create().sign_message(encode_defunct(text="hi")).signature.hex().removeprefix("0x")
    assert rule_for(400, "signature", sent(body={"signature": real})) is None
    zeros = "0x" + "0" * 128 + "1b"
    assert rule_for(400, "signature", sent(body={"signature": zeros})) == "signature_recovers_no_key"
    out_of_range = "0x" + "f" * 128 + "1c"
    assert rule_for(400, "signature", sent(body={"signature": out_of_range})) == "signature_recovers_no_key"


def test_a_public_key_is_excused_only_when_it_makes_no_key() -> None:
    name = "public_key_is_no_key"
    fake = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
    assert rule_for(400, "publicKey", sent(body={"publicKey": fake})) == name
    assert rule_for(400, "publicKey", sent(body={"publicKey": ed25519_pem()})) is None
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(b"\x01" * 32).decode().rstrip("=")}
    assert rule_for(400, "publicKey", sent(body={"publicKey": jwk})) is None
    ec = {"kty": "EC", "crv": "P-256", "x": "A" * 43, "y": "A" * 43}  # (0, 0) is not on the curve
    assert rule_for(400, "publicKey", sent(body={"publicKey": ec})) == name


def test_an_algorithm_is_excused_only_when_it_does_not_fit_the_pem_key() -> None:
    pem = ed25519_pem()
    name = "algorithm_does_not_fit_the_pem_key"
    assert rule_for(400, "algorithm", sent(body={"publicKey": pem, "algorithm": "rsa-pss-sha512"})) == name
    assert rule_for(400, "algorithm", sent(body={"publicKey": pem, "algorithm": "ed25519"})) is None


def test_a_body_is_excused_a_413_only_over_256_kib() -> None:
    assert excusing(413, {"code": "body_too_large"}, Sent({}, {"a": "x"}, 300_000)) is not None
    assert excusing(413, {"code": "body_too_large"}, Sent({}, {"a": "x"}, 1_000)) is None


def test_another_parameter_is_never_excused() -> None:
    assert rule_for(400, "email", sent(body={"email": "a@b.c", "screeningDate": "9999-01-01"})) is None


@pytest.mark.parametrize(
    ("url", "excused"),
    [
        ("https://hooks.partner.example/events", False),
        ("https://hooks.partner.example:8443/x?y=1", False),
        ("http://hooks.partner.example/", True),
        ("https://127.0.0.1/", True),
        ("https://localhost/", True),
        ("https://api.localhost/", True),
        ("https://user:pw@hooks.partner.example/", True),
        ("k\u00b86", True),
        ("", True),
    ],
)
def test_a_webhook_url_is_excused_only_when_it_is_no_plain_public_https_url(url: str, excused: bool) -> None:
    found = rule_for(400, "url", sent(body={"url": url, "events": ["*"]}))
    assert (found == "webhook_url_not_public_https") is excused


@pytest.mark.parametrize(
    ("clabe", "bank", "excused"),
    [
        ("012180012345678912", "bank_mx_012", False),  # valid, the bank's own code
        ("012180012345678913", "bank_mx_012", True),  # control digit
        ("002180012345678912", "bank_mx_012", True),  # another bank's code (and digit)
        ("012180012345678912", None, False),
        ("999180012345678911", None, True),  # no Banxico bank 999
    ],
)
def test_a_clabe_is_excused_for_its_digit_or_its_bank(clabe: str, bank: str | None, excused: bool) -> None:
    from clabe import compute_control_digit

    if clabe.startswith("002"):
        clabe = clabe[:17] + compute_control_digit(clabe[:17])  # right digit, wrong bank
    request = sent(body={"country": "MX", "clabe": clabe, "supportedBankId": bank})
    assert (rule_for(400, "clabe", request) == "clabe_control_digit_and_bank") is excused
    assert rule_for(400, "accountNumber", request) is None


@pytest.mark.parametrize(
    ("country", "number", "excused"),
    [
        ("MX", "BOXW310820HNERXN09", False),
        ("MX", "GODE561231GR8", False),
        ("MX", "BOXW310820HNERXN08", True),
        ("DO", "00113918205", False),
        ("DO", "131246796", False),
        ("DO", "00113918204", True),
        ("DO", "BOXW310820HNERXN09", True),
        ("MX", None, True),  # the KYC number is stored data
    ],
)
def test_a_document_number_is_excused_when_no_national_id(
    country: str, number: str | None, excused: bool
) -> None:
    body = {"country": country} | ({"documentNumber": number} if number is not None else {})
    request = sent(body=body)
    assert (rule_for(400, "documentNumber", request) == "document_number_is_a_national_id") is excused


def test_an_integer_written_with_a_point_is_excused() -> None:
    assert rule_for(400, "scale", sent(body={"scale": 10.0})) == "integer_written_with_a_point_or_exponent"
    assert rule_for(400, "scale", sent(body={"scale": 10})) is None


def test_transaction_integers_amounts_and_entry_counts() -> None:
    entry = {"account": "a", "amount": {"asset": "EUR", "value": 1.0, "scale": 2}}
    body = {"send": {"value": 10, "scale": 2, "source": {"from": [entry]}, "distribute": {"to": []}}}
    param = "send.source.from[0].amount.value"
    assert rule_for(400, param, sent(body=body)) == "integer_written_with_a_point_or_exponent"
    entry["amount"] = {"asset": "EUR", "value": 15, "scale": 3}
    assert rule_for(400, param, sent(body=body)) == "amount_finer_than_the_instruments_scale"
    entry["amount"] = {"asset": "EUR", "value": 150, "scale": 3}
    assert rule_for(400, param, sent(body=body)) is None
    many = {"send": {"source": {"from": [entry] * 21}, "distribute": {"to": [entry] * 20}}}
    assert rule_for(400, "send", sent(body=many)) == "at_most_40_entries_in_all"
    assert rule_for(400, "send", sent(body=body)) is None
