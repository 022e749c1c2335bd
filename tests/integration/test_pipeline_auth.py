"""The pipeline's authentication, signature and envelope rules, through a real handler."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from core.partners import onboarding as partners
from core.platform import clock
from tests.support.harness import HOST, Partner, call, handler_module, make_event

LIST = "signing_keys/list"
CREATE = "signing_keys/create"


def list_keys(partner: Partner | None = None, **kw: Any):
    return call(LIST, "GET", "/v1/signing-keys", partner=partner, **kw)


def test_missing_key_is_401_api_key_missing(aws: Any) -> None:
    reply = list_keys(None)
    assert (reply.status, reply.code) == (401, "api_key_missing")
    assert reply.json["error"]["type"] == "authentication_error"
    assert reply.headers["Request-Id"] == reply.json["error"]["requestId"]


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Basic abc", "Bearer sk_test_nope", "Bearer sk_test_01JABCDEFGHJKMNPQRSTVWXYZ0_" + "A" * 43],
)
def test_malformed_or_unknown_key_is_401_api_key_invalid(aws: Any, header: str) -> None:
    reply = list_keys(None, headers={"Authorization": header})
    assert (reply.status, reply.code) == (401, "api_key_invalid")


def test_revoked_key_is_401_api_key_revoked(store: Any, partner: Partner) -> None:
    assert list_keys(partner).status == 200
    partners.revoke_api_key(store, partner.tenant_id, partner.api_key_id)
    reply = list_keys(partner)
    assert (reply.status, reply.code) == (401, "api_key_revoked")


def test_partner_api_key_header_is_accepted(partner: Partner) -> None:
    signed = partner.headers("GET", "/v1/signing-keys", "", b"")
    signed["PartnerApiKey"] = signed.pop("Authorization").removeprefix("Bearer ")
    event = make_event("GET", "/v1/signing-keys", headers=signed)
    assert handler_module(LIST).lambda_handler(event, None)["statusCode"] == 200


def test_unsigned_request_is_refused_when_signatures_are_required(partner: Partner) -> None:
    reply = list_keys(partner, sign=False)
    assert (reply.status, reply.code) == (401, "signature_missing")


def test_unsigned_request_passes_when_policy_is_optional(make_partner: Any) -> None:
    assert list_keys(make_partner(policy="optional"), sign=False).status == 200


@pytest.mark.parametrize("scheme", ["rfc9421", "simple"])
def test_both_schemes_are_accepted(partner: Partner, scheme: str) -> None:
    assert list_keys(partner, scheme=scheme).status == 200


@pytest.mark.parametrize("scheme", ["rfc9421", "simple"])
@pytest.mark.parametrize("tamper", ["body", "path", "query", "timestamp"])
def test_a_signature_over_something_else_is_refused(partner: Partner, scheme: str, tamper: str) -> None:
    body = json.dumps({"publicKey": "x"}).encode()
    headers = partner.headers("POST", "/v1/signing-keys", "", body, scheme=scheme)
    path, query, sent = "/v1/signing-keys", "", body
    if tamper == "body":
        sent = json.dumps({"publicKey": "y"}).encode()
        if scheme == "rfc9421":  # keep the digest honest so the signature itself is what fails
            import base64
            import hashlib

            headers["Content-Digest"] = (
                "sha-256=:" + base64.b64encode(hashlib.sha256(sent).digest()).decode() + ":"
            )
    elif tamper == "path":
        path = "/v1/signing-keys/"
    elif tamper == "query":
        query = "limit=5"
    elif scheme == "simple":
        headers["X-Timestamp"] = str(int(headers["X-Timestamp"]) - 1)
    else:
        headers["Signature-Input"] = headers["Signature-Input"].replace("created=", "created=1")
    event = make_event(
        "POST", path, query=query, body=sent, headers=headers, route_key="POST /v1/signing-keys"
    )
    out = handler_module(CREATE).lambda_handler(event, None)
    code = json.loads(out["body"])["error"]["code"]
    assert out["statusCode"] == 401
    assert code in ("signature_invalid", "timestamp_out_of_range")
    if tamper != "timestamp":
        assert code == "signature_invalid"


@pytest.mark.parametrize("scheme", ["rfc9421", "simple"])
@pytest.mark.parametrize(("skew", "status"), [(61, 401), (-61, 401), (60, 200), (-60, 200)])
def test_timestamp_window_is_60_seconds(partner: Partner, scheme: str, skew: int, status: int) -> None:
    server_now = float(int(time.time()))
    clock.set_source(lambda: server_now)
    reply = list_keys(partner, scheme=scheme, now=server_now + skew)
    assert reply.status == status
    if status == 401:
        assert reply.code == "timestamp_out_of_range"


def test_content_digest_must_match_the_body(partner: Partner) -> None:
    body = b'{"publicKey":"x"}'
    headers = partner.headers("POST", "/v1/signing-keys", "", body)
    # The signature is honest about the digest it covers; the body that arrives is another.
    event = make_event("POST", "/v1/signing-keys", body=b'{"publicKey":"y"}', headers=headers)
    out = handler_module(CREATE).lambda_handler(event, None)
    assert out["statusCode"] == 401
    assert json.loads(out["body"])["error"]["code"] == "digest_mismatch"


def test_alg_must_match_the_registered_key(partner: Partner) -> None:
    headers = partner.headers("GET", "/v1/signing-keys", "", b"")
    headers["Signature-Input"] = headers["Signature-Input"].replace('alg="ed25519"', 'alg="rsa-pss-sha512"')
    event = make_event("GET", "/v1/signing-keys", headers=headers)
    out = handler_module(LIST).lambda_handler(event, None)
    assert (out["statusCode"], json.loads(out["body"])["error"]["code"]) == (401, "signature_invalid")


def test_missing_scope_is_403(make_partner: Any) -> None:
    partner = make_partner(scope_list=["customers:read"])
    reply = list_keys(partner)
    assert (reply.status, reply.code) == (403, "scope_missing")
    assert reply.json["error"]["type"] == "permission_error"


def test_body_over_256_kib_is_413(partner: Partner) -> None:
    reply = call(
        CREATE, "POST", "/v1/signing-keys", partner=partner, raw_body=b"{" + b" " * (256 * 1024) + b"}"
    )
    assert (reply.status, reply.code) == (413, "body_too_large")


@pytest.mark.parametrize("raw", [b"[1,2]", b"not json", b"\xff\xfe{}", b'"str"'])
def test_a_body_that_is_not_a_json_object_is_400(partner: Partner, raw: bytes) -> None:
    reply = call(CREATE, "POST", "/v1/signing-keys", partner=partner, raw_body=raw)
    assert (reply.status, reply.code) == (400, "body_not_json")


def test_wrong_types_are_400_parameter_invalid(partner: Partner) -> None:
    reply = call(CREATE, "POST", "/v1/signing-keys", partner=partner, body={"publicKey": 5})
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (400, "parameter_invalid", "publicKey")


def test_unknown_query_parameter_and_bad_limit(partner: Partner) -> None:
    reply = list_keys(partner, query="colour=red")
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (400, "parameter_unknown", "colour")
    for bad in ("limit=0", "limit=101", "limit=ten"):
        reply = list_keys(partner, query=bad)
        assert (reply.status, reply.code, reply.json["error"]["param"]) == (400, "parameter_invalid", "limit")


def _json_lines(caplog: Any) -> list[dict[str, Any]]:
    """The log records as Powertools writes them: one JSON object per line."""
    from core.platform.observability import logger

    return [json.loads(logger.registered_formatter.format(r)) for r in caplog.records]


def test_an_unexpected_exception_is_a_bare_500(partner: Partner, monkeypatch: Any, caplog: Any) -> None:
    from core.partners import signing_keys

    def boom(call: Any) -> None:
        raise RuntimeError("secret internal detail in TableXYZ")

    monkeypatch.setattr(signing_keys, "list_", boom)
    reply = list_keys(partner)
    assert (reply.status, reply.code) == (500, "internal")
    assert reply.json["error"]["type"] == "api_error"
    assert "TableXYZ" not in reply.text and "Traceback" not in reply.text
    errors = [line for line in _json_lines(caplog) if line["level"] == "ERROR"]
    assert len(errors) == 1
    assert "Traceback" in errors[0]["exception"] and "TableXYZ" in errors[0]["exception"]


def test_one_structured_log_line_per_request(partner: Partner, caplog: Any) -> None:
    reply = list_keys(partner)
    lines = [line for line in _json_lines(caplog) if line["message"] == "request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["requestId"] == reply.headers["Request-Id"]
    assert line["tenant"] == partner.tenant_id
    assert line["route"] == "GET /v1/signing-keys"
    assert line["status"] == 200
    assert line["latencyMs"] >= 0
    assert HOST
