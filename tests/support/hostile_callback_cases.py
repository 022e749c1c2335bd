"""Cases for routes whose credential is not an API key: a provider's signed callback
(`endpoint(authenticate=...)`) and an HTML page whose path token is the credential."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace

from core.customers import kyc
from core.platform.web import MAX_FORM_BYTES
from tests.support.hostile_probe import (
    CRLF,
    Case,
    Expect,
    Probe,
    error,
    json_body,
    mac_flipped,
    set_header,
    spare_bits_changed,
)
from tests.support.hostile_world import Attempt, World
from tests.support.route_targets import Target

# -- a provider's callback (routes that authenticate with `endpoint(authenticate=...)`) ------------


def _callback(world: World, target: Target, *, tenant_id: str | None = None) -> Attempt:
    """The sample callback about the victim's customer (unsigned: each case signs its way)."""
    attempt = world.valid(target, world.victim)
    if tenant_id is not None:
        document = json.loads(attempt.body)
        document["tenantId"] = tenant_id
        attempt = replace(attempt, body=json_body(document))
    return attempt


def _signed(body: bytes, *, at: float | None = None, secret: str | None = None) -> str:
    return kyc.sign_callback(body, int(time.time() if at is None else at), secret=secret)


def _provider_case(name: str, make: Callable[[World, Target], Attempt], expect: Expect) -> Case:
    def build(world: World, target: Target) -> Probe:
        return Probe(make(world, target), expect)

    return Case(name, build)


_HEADER = kyc.SIGNATURE_HEADER.lower()
_TOLERANCE = kyc.SIGNATURE_TOLERANCE_SECONDS


def _callback_signed_by(header: Callable[[bytes], str], body: bytes | None = None) -> Callable[..., Attempt]:
    def make(world: World, target: Target) -> Attempt:
        attempt = _callback(world, target)
        if body is not None:
            attempt = replace(attempt, body=body)
        return replace(attempt, edit=set_header(_HEADER, header(attempt.body)))

    return make


def _changed_after_signing(world: World, target: Target) -> Attempt:
    attempt = _callback(world, target)
    header = _signed(attempt.body)
    flipped = attempt.body.replace(b'"approved"', b'"rejected"')
    assert flipped != attempt.body
    return replace(attempt, body=flipped, edit=set_header(_HEADER, header))


def _partner_credentials(world: World, target: Target) -> Attempt:
    """An API key and an RFC 9421 signature do not stand in for the provider's signature."""
    return replace(_callback(world, target), signer=world.attacker.partner)


def _another_tenants_customer(world: World, target: Target) -> Attempt:
    attempt = _callback(world, target, tenant_id=world.attacker.tenant_id)
    return replace(attempt, edit=set_header(_HEADER, _signed(attempt.body)))


def _unknown_provider(world: World, target: Target) -> Attempt:
    attempt = _callback(world, target)
    params = {name: "acme" for name in attempt.path_params}
    return replace(attempt, path_params=params, edit=set_header(_HEADER, _signed(attempt.body)))


PROVIDER_CASES = [
    _provider_case("provider_signature_missing", _callback, error("signature_invalid")),
    _provider_case(
        "provider_signature_wrong_secret",
        _callback_signed_by(lambda b: _signed(b, secret="another-secret-0123456789abcdef-0123")),
        error("signature_invalid"),
    ),
    _provider_case(
        "provider_signature_replayed_late",
        _callback_signed_by(lambda b: _signed(b, at=time.time() - _TOLERANCE - 5)),
        error("signature_invalid"),
    ),
    _provider_case(
        "provider_signature_from_the_future",
        _callback_signed_by(lambda b: _signed(b, at=time.time() + _TOLERANCE + 5)),
        error("signature_invalid"),
    ),
    _provider_case("provider_body_changed_after_signing", _changed_after_signing, error("signature_invalid")),
    _provider_case(
        "provider_signature_with_crlf",
        _callback_signed_by(lambda b: _signed(b) + CRLF),
        error("signature_invalid"),
    ),
    _provider_case(
        "provider_signature_repeated",
        _callback_signed_by(lambda b: f"{_signed(b)},{_signed(b)}"),
        error("signature_invalid"),
    ),
    _provider_case(
        "provider_signature_v0_only",
        _callback_signed_by(lambda b: _signed(b).replace(",v1=", ",v0=")),
        error("signature_invalid"),
    ),
    _provider_case("partner_credentials_instead", _partner_credentials, error("signature_invalid")),
    _provider_case(
        "provider_signed_non_json", _callback_signed_by(_signed, b"decision=approved"), error("body_not_json")
    ),
    _provider_case(
        "provider_signed_non_utf8",
        _callback_signed_by(_signed, b'{"decision": "\xff\xfe"}'),
        error("body_not_json"),
    ),
    _provider_case("provider_another_tenants_customer", _another_tenants_customer, error("resource_missing")),
    _provider_case("provider_unknown", _unknown_provider, error("resource_missing")),
]


# -- pages (a token in the path is the credential) ------------------------------------------------


def _page_case(name: str, make: Callable[[World, str], str]) -> Case:
    def build(world: World, target: Target) -> Probe:
        attempt = world.valid(target, world.victim)
        forged = {name: make(world, value) for name, value in attempt.path_params.items()}
        victim = (world.victim.tenant_id, world.victim.ids["cus"])
        return Probe(replace(attempt, path_params=forged), error("resource_missing"), victim)

    return Case(name, build)


def _token_spliced(world: World, token: str) -> str:
    """The victim's payload under the MAC of a token the attacker was really given."""
    attackers = next(iter(world.page_credentials(world.attacker).values()))
    return token.split(".", 1)[0] + "." + attackers.split(".", 1)[1]


PAGE_TOKEN_CASES = [
    _page_case("token_byte_flipped", lambda w, t: mac_flipped(t)),
    _page_case("token_spare_bits_changed", lambda w, t: spare_bits_changed(t)),
    _page_case("token_truncated", lambda w, t: t[:-4]),
    _page_case("token_of_another_tenant_spliced", _token_spliced),
    _page_case("token_injection", lambda w, t: "' OR '1'='1"),
    _page_case("token_with_crlf", lambda w, t: t + "\r\nSet-Cookie: session=stolen"),
]


def _form_case(name: str, body: bytes, code: str, content_type: str | None = None) -> Case:
    def build(world: World, target: Target) -> Probe:
        attempt = world.valid(target, world.victim)
        attempt = replace(attempt, body=body, content_type=content_type or attempt.content_type)
        return Probe(attempt, error(code))

    return Case(name, build)


PAGE_FORM_CASES = [
    _form_case("form_oversize", b"decision=approved&reason=" + b"x" * MAX_FORM_BYTES, "body_too_large"),
    _form_case("form_non_utf8", b"decision=rejected&reason=\xff\xfe", "parameter_invalid"),
    _form_case("form_unknown_decision", b"decision=approved%0D%0AX-Injected%3A+1", "parameter_invalid"),
    _form_case("form_as_json", b'{"decision": "approved"}', "parameter_invalid", "application/json"),
]
