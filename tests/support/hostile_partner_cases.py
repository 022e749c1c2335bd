"""Cases for routes a partner calls with an API key and a signature: authentication,
header injection, bodies, query strings, and ids (another tenant's above all)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from core.platform import auth
from core.platform.pipeline import MAX_BODY_BYTES
from tests.support.hostile_probe import (
    CRLF,
    Case,
    Expect,
    Probe,
    append_header,
    attack,
    drop_header,
    error,
    json_body,
    repeat_header,
    sample_object,
    set_header,
    with_query,
)
from tests.support.hostile_world import Attempt, World
from tests.support.route_targets import ID_VALUE, PARTNER, Target
from tests.support.route_targets import unknown_id as an_unknown_id

# -- authentication (partner routes) ---------------------------------------------------


def no_api_key(world: World, target: Target) -> Probe:
    return Probe(replace(attack(world, target), edit=drop_header("authorization")), error("api_key_missing"))


def unknown_api_key(world: World, target: Target) -> Probe:
    never_issued = auth.new_api_key(world.attacker.tenant_id, "test")
    edit = set_header("authorization", f"Bearer {never_issued}")
    return Probe(replace(attack(world, target), edit=edit), error("api_key_invalid"))


def malformed_api_key(world: World, target: Target) -> Probe:
    edit = set_header("authorization", "Bearer sk_test_' OR '1'='1")
    return Probe(replace(attack(world, target), edit=edit), error("api_key_invalid"))


def revoked_api_key(world: World, target: Target) -> Probe:
    return Probe(replace(attack(world, target), signer=world.revoked), error("api_key_revoked"))


def scope_missing(world: World, target: Target) -> Probe:
    assert target.spec is not None
    narrow = world.without_scope(target.spec.scope)
    return Probe(replace(attack(world, target), signer=narrow), error("scope_missing"))


def unsigned(world: World, target: Target) -> Probe:
    return Probe(replace(attack(world, target), sign=False), error("signature_missing"))


def stolen_api_key_alone(world: World, target: Target) -> Probe:
    """The victim's API key, signed with the attacker's own signing key."""
    attempt = replace(attack(world, target), signer=world.victim.partner, signature_by=world.attacker.partner)
    return Probe(attempt, error("signature_invalid"), (world.victim.tenant_id,))


def another_tenants_signing_key(world: World, target: Target) -> Probe:
    """The attacker's API key, signed with (and naming) the victim's signing key."""
    attempt = replace(attack(world, target), signature_by=world.victim.partner)
    return Probe(attempt, error("signature_invalid"), (world.victim.tenant_id,))


# -- header injection (partner routes) ---------------------------------------------------


def crlf_in_authorization(world: World, target: Target) -> Probe:
    edit = append_header("authorization", f"\r\nX-Tenant-Id: {world.victim.tenant_id}")
    return Probe(replace(attack(world, target), edit=edit), error("api_key_invalid"))


def crlf_in_signature_input(world: World, target: Target) -> Probe:
    edit = append_header("signature-input", CRLF)
    return Probe(replace(attack(world, target), edit=edit), error("signature_invalid"))


def crlf_in_x_signature(world: World, target: Target) -> Probe:
    attempt = replace(attack(world, target), scheme="simple", edit=append_header("x-signature", CRLF))
    return Probe(attempt, error("signature_invalid"))


def repeated_authorization(world: World, target: Target) -> Probe:
    edit = set_header(
        "authorization", f"Bearer {world.attacker.partner.api_key},Bearer {world.victim.partner.api_key}"
    )
    return Probe(replace(attack(world, target), edit=edit), error("api_key_invalid"))


def repeated_signature_input(world: World, target: Target) -> Probe:
    return Probe(
        replace(attack(world, target), edit=repeat_header("signature-input")), error("signature_invalid")
    )


def repeated_signature(world: World, target: Target) -> Probe:
    return Probe(replace(attack(world, target), edit=repeat_header("signature")), error("signature_invalid"))


def repeated_x_timestamp(world: World, target: Target) -> Probe:
    attempt = replace(attack(world, target), scheme="simple", edit=repeat_header("x-timestamp"))
    return Probe(attempt, error("signature_invalid"))


def oversize_authorization(world: World, target: Target) -> Probe:
    edit = set_header("authorization", "Bearer " + "A" * 16384)
    return Probe(replace(attack(world, target), edit=edit), error("api_key_invalid"))


def oversize_signature_input(world: World, target: Target) -> Probe:
    edit = append_header("signature-input", ';nonce="' + "A" * 16384 + '"')
    return Probe(replace(attack(world, target), edit=edit), error("signature_invalid"))


def idempotency_key_129_characters(world: World, target: Target) -> Probe:
    attempt = replace(attack(world, target), idempotency_key="k" * 129)
    return Probe(attempt, error("idempotency_key_invalid", "Idempotency-Key"))


def crlf_in_idempotency_key(world: World, target: Target) -> Probe:
    attempt = replace(attack(world, target), idempotency_key="retry-1" + CRLF)
    return Probe(attempt, error("idempotency_key_invalid", "Idempotency-Key"))


def non_ascii_idempotency_key(world: World, target: Target) -> Probe:
    attempt = replace(attack(world, target), idempotency_key="clé-ключ-1")
    return Probe(attempt, error("idempotency_key_invalid", "Idempotency-Key"))


# -- bodies ---------------------------------------------------------------------------------


def oversize_body(world: World, target: Target) -> Probe:
    attempt = attack(world, target) if target.kind == PARTNER else world.valid(target, world.victim)
    body = json_body({"padding": "x" * MAX_BODY_BYTES})
    return Probe(replace(attempt, body=body, content_type="application/json"), error("body_too_large"))


def non_json_body(world: World, target: Target) -> Probe:
    return Probe(replace(attack(world, target), body=b"name=Ada&country=GB"), error("body_not_json"))


def json_array_body(world: World, target: Target) -> Probe:
    return Probe(replace(attack(world, target), body=b'[{"id": "x"}]'), error("body_not_json"))


def non_utf8_body(world: World, target: Target) -> Probe:
    return Probe(
        replace(attack(world, target), body=b'{"name": "Ada \xff\xfe Lovelace"}'), error("body_not_json")
    )


def unknown_field(world: World, target: Target) -> Probe:
    body = json_body({**sample_object(world, target), "colour": "red"})
    return Probe(replace(attack(world, target), body=body), error("parameter_unknown", "colour"))


def server_owned_field(name: str) -> Case:
    def build(world: World, target: Target) -> Probe:
        body = json_body({**sample_object(world, target), name: "set-by-client"})
        return Probe(replace(attack(world, target), body=body), error("parameter_unknown", name))

    return Case(f"server_owned_{name}", build)


def _wrong_type(value: Any) -> Any:
    """A JSON value of another type than `value` (strict mode accepts no coercion)."""
    if isinstance(value, bool):
        return "true"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return 12345
    if isinstance(value, list):
        return {"0": value[0] if value else None}
    if isinstance(value, dict):
        return [value]
    return True


def wrong_type(name: str) -> Case:
    def build(world: World, target: Target) -> Probe:
        sample = sample_object(world, target)
        body = json_body({**sample, name: _wrong_type(sample[name])})
        return Probe(replace(attack(world, target), body=body), error("parameter_invalid", name, prefix=True))

    return Case(f"wrong_type_{name}", build)


def missing_field(name: str) -> Case:
    def build(world: World, target: Target) -> Probe:
        body = json_body({k: v for k, v in sample_object(world, target).items() if k != name})
        return Probe(replace(attack(world, target), body=body), error("parameter_missing", name))

    return Case(f"missing_{name}", build)


# -- query ----------------------------------------------------------------------------------


def unknown_query_parameter(world: World, target: Target) -> Probe:
    attempt = attack(world, target)
    query = with_query(attempt, colour="red")
    return Probe(replace(attempt, query=query), error("parameter_unknown", "colour"))


def repeated_query_parameter(world: World, target: Target) -> Probe:
    attempt = attack(world, target)
    first = attempt.query.split("&", 1)[0]
    query = f"{attempt.query}&{first}"
    return Probe(replace(attempt, query=query), error("parameter_invalid", first.split("=", 1)[0]))


def non_utf8_query(world: World, target: Target) -> Probe:
    attempt = attack(world, target)
    query = f"{attempt.query}&%FF%FE=%C0%AF" if attempt.query else "%FF%FE=%C0%AF"
    return Probe(replace(attempt, query=query), error("parameter_unknown"))


def wrong_type_query(name: str) -> Case:
    def build(world: World, target: Target) -> Probe:
        attempt = attack(world, target)
        query = with_query(attempt, **{name: "ten"})
        return Probe(replace(attempt, query=query), error("parameter_invalid", name))

    return Case(f"wrong_type_query_{name}", build)


# -- ids --------------------------------------------------------------------------------------


def _first_path_id(target: Target) -> tuple[str, str]:
    return next(iter(target.path_ids.items()))


def injected_path_id(world: World, target: Target) -> Probe:
    name, prefix = _first_path_id(target)
    attempt = attack(world, target)
    params = {**attempt.path_params, name: f"{prefix}_' OR '1'='1"}
    return Probe(replace(attempt, path_params=params), error("parameter_invalid", name))


def wrong_kind_of_id(world: World, target: Target) -> Probe:
    name, prefix = _first_path_id(target)
    other = next(v for k, v in sorted(world.attacker.ids.items()) if k not in (prefix, "ptn"))
    attempt = attack(world, target)
    params = {**attempt.path_params, name: other}
    return Probe(replace(attempt, path_params=params), error("parameter_invalid", name))


def unknown_id(world: World, target: Target) -> Probe:
    attempt = attack(world, target)
    params = {**attempt.path_params, **{n: an_unknown_id(p) for n, p in target.path_ids.items()}}
    return Probe(replace(attempt, path_params=params, idempotency_key=None), error("resource_missing"))


def _victims_path(world: World, target: Target, attempt: Attempt) -> dict[str, str]:
    return {**attempt.path_params, **{n: world.victim.id_of(p, target) for n, p in target.path_ids.items()}}


def another_tenants_id(world: World, target: Target) -> Probe:
    attempt = attack(world, target)
    attempt = replace(attempt, path_params=_victims_path(world, target, attempt), idempotency_key=None)
    return Probe(attempt, error("resource_missing"), (world.victim.tenant_id,))


def another_tenants_id_with_idempotency_key(world: World, target: Target) -> Probe:
    """As above, sent as the SDK sends it: the 404 is the endpoint's answer, so it is stored
    for the key (API.md "Idempotency"), in the attacker's own partition, and nothing else."""
    attempt = attack(world, target)
    attempt = replace(attempt, path_params=_victims_path(world, target, attempt))
    return Probe(attempt, error("resource_missing", stores=True), (world.victim.tenant_id,))


def id_paths(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(param path, id prefix) of every id in a JSON value, as `param` names them."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from id_paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from id_paths(item, f"{path}[{index}]")
    elif isinstance(value, str):
        found = ID_VALUE.fullmatch(value)
        if found is not None:
            yield path, found.group(1)


def another_tenants_id_in_body(world: World, target: Target) -> Probe:
    """The attacker's own resource, told to reference the victim's (API.md: 422 reference_invalid)."""
    sample = target.sample_json() or {}
    victims = world.victim.own(sample)
    param = next(path for path, prefix in id_paths(sample) if prefix != "ptn")
    attempt = replace(attack(world, target), body=json_body(victims))
    # The endpoint ran and answered 422: stored for the request's Idempotency-Key.
    return Probe(attempt, error("reference_invalid", param, stores=True), (world.victim.tenant_id,))


def another_tenants_id_in_filter(world: World, target: Target) -> Probe:
    """A list filtered by the victim's resource answers an empty list: never its data."""
    attempt = attack(world, target)
    filters = {name: world.victim.id_of(prefix, target) for name, prefix in target.query_ids.items()}
    attempt = replace(attempt, query=with_query(attempt, **filters))
    return Probe(attempt, Expect(200, "", empty_list=True), (world.victim.tenant_id,))
