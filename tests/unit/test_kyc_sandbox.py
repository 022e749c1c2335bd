"""The sandbox KYC provider's two protocols: session tokens and signed callbacks.

Given/When/Then in the names; the secret is passed explicitly (no environment), except
where the test is about reading it from the environment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest

from core.customers import kyc
from core.platform.config import settings
from core.platform.errors import (
    ApiError,
    BodyNotJson,
    BodyTooLarge,
    ParameterInvalid,
    ResourceMissing,
    SignatureInvalid,
)
from core.platform.web import Markup, escape, html

SECRET = "unit-test-kyc-sandbox-secret-0123456789"
OTHER_SECRET = "another-kyc-sandbox-secret-9876543210ab"
TENANT = "ptn_01KJ5Y0Q8S3T4V5W6X7Y8Z9A0B"
OTHER_TENANT = "ptn_01KJ5Y0Q8S3T4V5W6X7Y8Z9ZZZ"
CUSTOMER = "cus_01KJ5YB2C3D4E5F6G7H8J9K0MN"
NOW = 1_771_848_000.0
WEEK = 7 * 24 * 3600


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def provider() -> kyc.SandboxProvider:
    return kyc.SandboxProvider(SECRET)


def body_for(**changes: object) -> bytes:
    document: dict[str, object] = {
        "id": "sbxevt_0123456789abcdef",
        "type": "verification.completed",
        "tenantId": TENANT,
        "customerId": CUSTOMER,
        "decision": "approved",
        "reason": None,
        "occurredAt": "2026-02-23T12:00:00Z",
    }
    document.update(changes)
    return json.dumps({k: v for k, v in document.items() if v is not ...}).encode()


def signed(body: bytes, timestamp: float = NOW, secret: str = SECRET) -> dict[str, str]:
    return {"sandbox-signature": kyc.sign_callback(body, int(timestamp), secret=secret)}


# -- session tokens --------------------------------------------------------------------


def test_given_a_started_session_when_its_token_is_opened_then_it_names_the_tenant_and_customer(
    provider: kyc.SandboxProvider,
) -> None:
    session = provider.start(tenant_id=TENANT, customer_id=CUSTOMER, base_url="https://api.test/", now=NOW)
    prefix = "https://api.test/sandbox/kyc/"
    assert session.verification_url.startswith(prefix)
    token = session.verification_url.removeprefix(prefix)
    assert "/" not in token and "=" not in token and len(token) < 200

    opened = provider.open_session(token, now=NOW + 60)

    assert opened == kyc.SandboxSession(TENANT, CUSTOMER, int(NOW) + WEEK)
    # The reference is stable for the session and is not the (bearer) token.
    assert session.reference == kyc.session_reference(token)
    assert token not in session.reference


def test_a_token_is_opaque_to_its_holder_but_carries_no_secret() -> None:
    token = kyc.session_token(TENANT, CUSTOMER, now=NOW, secret=SECRET)
    assert TENANT not in token and CUSTOMER not in token
    assert SECRET not in unb64(token.split(".")[0]).decode()


def test_given_any_changed_character_when_opened_then_404(provider: kyc.SandboxProvider) -> None:
    token = kyc.session_token(TENANT, CUSTOMER, now=NOW, secret=SECRET)
    for index in range(len(token)):
        if token[index] == ".":
            continue
        replacement = "A" if token[index] != "A" else "B"
        tampered = token[:index] + replacement + token[index + 1 :]
        with pytest.raises(ResourceMissing):
            provider.open_session(tampered, now=NOW)


def test_given_a_payload_rewritten_for_another_tenant_when_opened_then_404(
    provider: kyc.SandboxProvider,
) -> None:
    token = kyc.session_token(TENANT, CUSTOMER, now=NOW, secret=SECRET)
    payload, mac = token.split(".")
    forged_payload = b64(unb64(payload).replace(TENANT.encode(), OTHER_TENANT.encode()))
    with pytest.raises(ResourceMissing):
        provider.open_session(f"{forged_payload}.{mac}", now=NOW)
    # Nor does another tenant's token lend its MAC to this one.
    other = kyc.session_token(OTHER_TENANT, CUSTOMER, now=NOW, secret=SECRET)
    with pytest.raises(ResourceMissing):
        provider.open_session(f"{payload}.{other.split('.')[1]}", now=NOW)


def test_given_a_token_of_another_secret_when_opened_then_404(provider: kyc.SandboxProvider) -> None:
    token = kyc.session_token(TENANT, CUSTOMER, now=NOW, secret=OTHER_SECRET)
    with pytest.raises(ResourceMissing):
        provider.open_session(token, now=NOW)


def test_given_a_token_signed_with_the_raw_secret_instead_of_the_derived_key_then_404(
    provider: kyc.SandboxProvider,
) -> None:
    """Domain separation: tokens use a key derived from the secret, callbacks the secret."""
    payload = b64(f"v1|{TENANT}|{CUSTOMER}|{int(NOW) + WEEK}".encode())
    mac = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).digest()
    with pytest.raises(ResourceMissing):
        provider.open_session(f"{payload}.{b64(mac)}", now=NOW)


def test_a_token_expires_after_seven_days(provider: kyc.SandboxProvider) -> None:
    token = kyc.session_token(TENANT, CUSTOMER, now=NOW, secret=SECRET)
    assert provider.open_session(token, now=NOW + WEEK - 1).customer_id == CUSTOMER
    with pytest.raises(ResourceMissing):
        provider.open_session(token, now=NOW + WEEK)
    with pytest.raises(ResourceMissing):
        provider.open_session(token, now=NOW + 30 * WEEK)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        ".",
        "abc.def",
        "a" * 600,
        "dGVzdA.dGVzdA",
        "dGVzdA==." + "A" * 43,
        "dGVzdA." + "A" * 42 + "==",
        "dGVzdA." + "A" * 44,
        "dGVzdA." + "A" * 42 + "é",
        "../../etc/passwd",
    ],
)
def test_malformed_tokens_are_404(provider: kyc.SandboxProvider, token: str) -> None:
    with pytest.raises(ResourceMissing) as caught:
        provider.open_session(token, now=NOW)
    assert caught.value.status == 404


def test_a_correctly_signed_token_with_a_bad_payload_is_still_404(provider: kyc.SandboxProvider) -> None:
    key = hmac.new(SECRET.encode(), b"partner-api/kyc-sandbox/session-token/v1", hashlib.sha256).digest()
    for text in (f"v2|{TENANT}|{CUSTOMER}|9999999999", f"v1|{TENANT}|acc_1|9999999999", "v1|x", "v1|a|b|c"):
        payload = b64(text.encode())
        mac = b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
        with pytest.raises(ResourceMissing):
            provider.open_session(f"{payload}.{mac}", now=NOW)


def test_session_tokens_only_name_ids_of_the_right_kind() -> None:
    with pytest.raises(ValueError):
        kyc.session_token("ptn_x|cus_y", CUSTOMER, now=NOW, secret=SECRET)
    with pytest.raises(ValueError):
        kyc.session_token(TENANT, "acc_01", now=NOW, secret=SECRET)


# -- callback signatures ---------------------------------------------------------------


def test_given_a_good_signature_then_the_decision_is_returned(provider: kyc.SandboxProvider) -> None:
    body = body_for(decision="rejected", reason="Name mismatch")
    decision = provider.parse_callback(headers=signed(body), body=body, now=NOW + 5)
    assert decision == kyc.KycDecision(TENANT, CUSTOMER, False, "Name mismatch", "sbxevt_0123456789abcdef")


def test_the_signature_is_stripe_style_hmac_of_timestamp_dot_body() -> None:
    body = body_for()
    header = kyc.sign_callback(body, int(NOW), secret=SECRET)
    expected = hmac.new(SECRET.encode(), f"{int(NOW)}.".encode() + body, hashlib.sha256).hexdigest()
    assert header == f"t={int(NOW)},v1={expected}"


def test_given_no_signature_header_then_signature_invalid(provider: kyc.SandboxProvider) -> None:
    body = body_for()
    for headers in ({}, {"sandbox-signature": ""}, {"x-signature": signed(body)["sandbox-signature"]}):
        with pytest.raises(SignatureInvalid) as caught:
            provider.parse_callback(headers=headers, body=body, now=NOW)
        assert caught.value.status == 401


def _v1(body: bytes) -> str:
    return signed(body)["sandbox-signature"].split("v1=")[1]


@pytest.mark.parametrize(
    "make_header",
    [
        lambda v1: f"t={int(NOW)},v1={'zz' * 32}",  # bad hex
        lambda v1: f"t={int(NOW)},v1={v1[:-2]}",  # short
        lambda v1: f"t={int(NOW)},v1={v1}00",  # long
        lambda v1: f"t={int(NOW)}",  # no v1
        lambda v1: f"v1={v1}",  # no t
        lambda v1: f"t=,v1={v1}",
        lambda v1: f"t=abc,v1={v1}",
        lambda v1: f"t=-{int(NOW)},v1={v1}",
        lambda v1: f"t={int(NOW)}.5,v1={v1}",
        lambda v1: f"t={int(NOW)},t={int(NOW)},v1={v1}",  # t twice
        lambda v1: f"t={int(NOW)},,v1={v1}",  # empty item
        lambda v1: f"t={int(NOW)};v1={v1}",
        lambda v1: f"t={int(NOW)},v1={v1},garbage",
        lambda v1: f"t={int(NOW)},V1={v1}",
        lambda v1: f"t={int(NOW)},v1= {v1}",
        lambda v1: f"t={int(NOW)}," + ",".join([f"v1={v1}"] * 9),  # too many
        lambda v1: f"t={int(NOW)},v1={v1}," + "x" * 2000,
        lambda v1: "t=" + "\uff11\uff17\uff17\uff11" + f",v1={v1}",  # fullwidth (non-ASCII) digits
        lambda v1: "t=99999999999999999999,v1=" + v1,
    ],
)
def test_given_a_malformed_header_then_signature_invalid(provider: kyc.SandboxProvider, make_header) -> None:
    body = body_for()
    with pytest.raises(SignatureInvalid):
        provider.parse_callback(headers={"sandbox-signature": make_header(_v1(body))}, body=body, now=NOW)


def test_given_the_wrong_secret_then_signature_invalid(provider: kyc.SandboxProvider) -> None:
    body = body_for()
    with pytest.raises(SignatureInvalid):
        provider.parse_callback(headers=signed(body, secret=OTHER_SECRET), body=body, now=NOW)


def test_given_a_changed_body_then_signature_invalid(provider: kyc.SandboxProvider) -> None:
    body = body_for()
    headers = signed(body)
    for changed in (body_for(decision="rejected"), body + b" ", body.replace(b'"approved"', b'"APPROVED"')):
        with pytest.raises(SignatureInvalid):
            provider.parse_callback(headers=headers, body=changed, now=NOW)


def test_given_a_changed_timestamp_then_signature_invalid(provider: kyc.SandboxProvider) -> None:
    body = body_for()
    header = signed(body)["sandbox-signature"].replace(f"t={int(NOW)}", f"t={int(NOW) + 1}")
    with pytest.raises(SignatureInvalid):
        provider.parse_callback(headers={"sandbox-signature": header}, body=body, now=NOW)


@pytest.mark.parametrize("skew", [-300, 0, 300])
def test_timestamps_within_300_seconds_are_accepted(provider: kyc.SandboxProvider, skew: int) -> None:
    body = body_for()
    assert provider.parse_callback(headers=signed(body, NOW + skew), body=body, now=NOW).approved


@pytest.mark.parametrize("skew", [-301, 301, -86400])
def test_timestamps_beyond_300_seconds_are_rejected(provider: kyc.SandboxProvider, skew: int) -> None:
    body = body_for()
    with pytest.raises(SignatureInvalid):
        provider.parse_callback(headers=signed(body, NOW + skew), body=body, now=NOW)


def test_one_matching_v1_among_several_is_enough_and_other_schemes_are_ignored(
    provider: kyc.SandboxProvider,
) -> None:
    body = body_for()
    good = _v1(body)
    wrong = kyc.sign_callback(body, int(NOW), secret=OTHER_SECRET).split("v1=")[1]
    header = f"t={int(NOW)},v0=legacy,v1={wrong},v1={good.upper()}"
    assert provider.parse_callback(headers={"sandbox-signature": header}, body=body, now=NOW).approved


def test_a_replayed_event_parses_again_the_customer_domain_decides_what_it_means(
    provider: kyc.SandboxProvider,
) -> None:
    body = body_for()
    first = provider.parse_callback(headers=signed(body), body=body, now=NOW)
    again = provider.parse_callback(headers=signed(body, NOW + 10), body=body, now=NOW + 10)
    assert first == again  # same event id: the state machine (pending -> ...) answers 409


# -- callback payloads -------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"approved"', b"\xff\xfe", b""])
def test_a_signed_body_that_is_not_a_json_object_is_body_not_json(
    provider: kyc.SandboxProvider, body: bytes
) -> None:
    with pytest.raises(BodyNotJson):
        provider.parse_callback(headers=signed(body), body=body, now=NOW)


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"id": ...}, "id"),
        ({"id": ""}, "id"),
        ({"id": "x" * 129}, "id"),
        ({"id": "evt 1"}, "id"),
        ({"id": 7}, "id"),
        ({"type": "verification.started"}, "type"),
        ({"type": ...}, "type"),
        ({"tenantId": "acme"}, "tenantId"),
        ({"tenantId": None}, "tenantId"),
        ({"customerId": "cus_"}, "customerId"),
        ({"customerId": ...}, "customerId"),
        ({"decision": "maybe"}, "decision"),
        ({"decision": True}, "decision"),
        ({"decision": ...}, "decision"),
        ({"reason": 5}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"occurredAt": "yesterday"}, "occurredAt"),
        ({"occurredAt": 1771848000}, "occurredAt"),
        ({"occurredAt": ...}, "occurredAt"),
    ],
)
def test_a_signed_but_malformed_payload_is_parameter_invalid(
    provider: kyc.SandboxProvider, changes: dict[str, object], param: str
) -> None:
    body = body_for(**changes)
    with pytest.raises(ParameterInvalid) as caught:
        provider.parse_callback(headers=signed(body), body=body, now=NOW)
    assert caught.value.param == param
    assert caught.value.status == 400


def test_the_signature_is_checked_before_the_payload(provider: kyc.SandboxProvider) -> None:
    with pytest.raises(SignatureInvalid):
        provider.parse_callback(headers={}, body=b"not json", now=NOW)


def test_unknown_payload_fields_are_ignored_and_offsets_accepted(provider: kyc.SandboxProvider) -> None:
    body = body_for(occurredAt="2026-02-23T13:00:00.123+01:00", extra={"vendor": "field"})
    assert provider.parse_callback(headers=signed(body), body=body, now=NOW).customer_id == CUSTOMER


def test_an_oversized_callback_is_refused(provider: kyc.SandboxProvider) -> None:
    body = body_for(reason=None, padding="x" * 70_000)
    with pytest.raises(BodyTooLarge):
        provider.parse_callback(headers=signed(body), body=body, now=NOW)


def test_callback_body_is_the_documented_shape() -> None:
    body = kyc.callback_body(
        event_id="sbxevt_1",
        tenant_id=TENANT,
        customer_id=CUSTOMER,
        decision="approved",
        reason=None,
        occurred_at=NOW + 0.9,
    )
    assert json.loads(body) == {
        "id": "sbxevt_1",
        "type": "verification.completed",
        "tenantId": TENANT,
        "customerId": CUSTOMER,
        "decision": "approved",
        "reason": None,
        "occurredAt": "2026-02-23T12:00:00Z",
    }
    assert kyc.parse_callback_body(body).approved
    with pytest.raises(ValueError):
        kyc.callback_body(
            event_id="e", tenant_id=TENANT, customer_id=CUSTOMER, decision="ok", reason=None, occurred_at=NOW
        )


def test_signed_callback_round_trips_through_parse_callback(provider: kyc.SandboxProvider) -> None:
    session = kyc.SandboxSession(TENANT, CUSTOMER, int(NOW) + WEEK)
    body, headers = provider.signed_callback(
        session, decision="rejected", reason="Document expired", event_id="sbxevt_2", now=NOW
    )
    assert headers["Content-Type"] == "application/json"
    lowered = {k.lower(): v for k, v in headers.items()}
    decision = provider.parse_callback(headers=lowered, body=body, now=NOW + 1)
    assert decision == kyc.KycDecision(TENANT, CUSTOMER, False, "Document expired", "sbxevt_2")
    assert kyc.callback_url("https://api.test/") == "https://api.test/v1/kyc/callbacks/sandbox"


# -- the provider registry and the secret -----------------------------------------------


def test_get_provider_knows_the_sandbox_and_nothing_else() -> None:
    assert kyc.get_provider("sandbox").name == "sandbox"
    for name in ("", "Sandbox", "onfido", "x" * 500):
        with pytest.raises(ResourceMissing) as caught:
            kyc.get_provider(name)
        assert caught.value.param == "provider"
        assert len(caught.value.message) < 120


@pytest.fixture
def env_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    settings.cache_clear()
    monkeypatch.setenv("TABLE_NAME", "t-unit")
    monkeypatch.setenv("CURSOR_SECRET", "c" * 32)
    yield monkeypatch
    settings.cache_clear()


@pytest.mark.parametrize("secret", [None, "", "too-short", "x" * 31])
def test_a_missing_or_short_secret_makes_the_provider_refuse_to_work(
    env_secret: pytest.MonkeyPatch, secret: str | None
) -> None:
    if secret is None:
        env_secret.delenv("KYC_SANDBOX_SECRET", raising=False)
    else:
        env_secret.setenv("KYC_SANDBOX_SECRET", secret)
    provider = kyc.get_provider("sandbox")
    body = body_for()
    good_header = signed(body)
    attempts = [
        lambda: provider.start(tenant_id=TENANT, customer_id=CUSTOMER, base_url="https://a", now=NOW),
        lambda: provider.parse_callback(headers=good_header, body=body, now=NOW),
        lambda: kyc.sign_callback(body, int(NOW)),
        lambda: kyc.session_token(TENANT, CUSTOMER, now=NOW),
        lambda: kyc.verify_session("a.b", now=NOW),
    ]
    for attempt in attempts:
        with pytest.raises(kyc.KycNotConfigured, match="at least 32 characters"):
            attempt()
    assert not issubclass(kyc.KycNotConfigured, ApiError)  # a 500 with the reason in the log only


def test_the_provider_reads_the_secret_from_the_environment(env_secret: pytest.MonkeyPatch) -> None:
    env_secret.setenv("KYC_SANDBOX_SECRET", SECRET)
    body = body_for()
    header = kyc.sign_callback(body, int(NOW))
    assert header == kyc.sign_callback(body, int(NOW), secret=SECRET)
    provider = kyc.get_provider("sandbox")
    assert provider.parse_callback(headers={"sandbox-signature": header}, body=body, now=NOW).approved


def test_send_refuses_anything_but_http() -> None:
    for url in ("file:///etc/passwd", "ftp://example.com/x", "/v1/kyc/callbacks/sandbox"):
        with pytest.raises(ValueError):
            kyc.send(url, b"{}", {})


# -- HTML escaping (core.platform.web) --------------------------------------------------------------


def test_html_escapes_every_value_but_markup() -> None:
    out = html('<p title="{t}">{a}{b}</p>', t='" onmouseover="x', a="<script>&", b=Markup("<b>ok</b>"))
    assert out == '<p title="&quot; onmouseover=&quot;x">&lt;script&gt;&amp;<b>ok</b></p>'
    assert escape(None) == "" and escape("'") == "&#x27;"
