"""The hostile-input catalogue (issue 6, item 3): what every route must refuse, and how.

Each case mutates one route's valid sample request into an attack and names the answer
API.md documents for it. Which routes a case applies to is read from the route's spec
(how it authenticates, whether it writes, its body, query and path models) and from its
sample, never from a list of routes, so a new route gets every case that fits it. The
test that runs them (tests/integration/test_hostile_inputs.py) also checks the error
envelope and that the table is exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

from tests.support.hostile_callback_cases import PAGE_FORM_CASES, PAGE_TOKEN_CASES, PROVIDER_CASES
from tests.support.hostile_cursor_cases import CURSOR_CASES
from tests.support.hostile_partner_cases import (
    another_tenants_id,
    another_tenants_id_in_body,
    another_tenants_id_in_filter,
    another_tenants_id_with_idempotency_key,
    another_tenants_signing_key,
    crlf_in_authorization,
    crlf_in_idempotency_key,
    crlf_in_signature_input,
    crlf_in_x_signature,
    id_paths,
    idempotency_key_129_characters,
    injected_path_id,
    json_array_body,
    malformed_api_key,
    missing_field,
    no_api_key,
    non_ascii_idempotency_key,
    non_json_body,
    non_utf8_body,
    non_utf8_query,
    oversize_authorization,
    oversize_body,
    oversize_signature_input,
    repeated_authorization,
    repeated_query_parameter,
    repeated_signature,
    repeated_signature_input,
    repeated_x_timestamp,
    revoked_api_key,
    scope_missing,
    server_owned_field,
    stolen_api_key_alone,
    unknown_api_key,
    unknown_field,
    unknown_id,
    unknown_query_parameter,
    unsigned,
    wrong_kind_of_id,
    wrong_type,
    wrong_type_query,
)
from tests.support.hostile_probe import Case, Probe
from tests.support.route_targets import PAGE, PARTNER, PROVIDER, Target, targets

Rule = Callable[[Target], bool]


def _partner(t: Target) -> bool:
    return t.kind == PARTNER


def _writes(t: Target) -> bool:
    return _partner(t) and t.is_write


def _with_path_ids(t: Target) -> bool:
    return _partner(t) and bool(t.path_ids)


def _writes_with_path_ids(t: Target) -> bool:
    return _writes(t) and bool(t.path_ids)


def _body_references(t: Target) -> bool:
    return _partner(t) and t.has_sample() and any(p != "ptn" for _, p in id_paths(t.sample_json() or {}))


def _lists(t: Target) -> bool:
    return _partner(t) and t.is_list


def _id_filters(t: Target) -> bool:
    return _lists(t) and bool(t.query_ids)


def _sample_query(t: Target) -> bool:
    return _partner(t) and t.has_sample() and bool(t.sample_query())


def _sized(t: Target) -> bool:
    return t.kind in (PARTNER, PROVIDER)


def _provider(t: Target) -> bool:
    return t.kind == PROVIDER


def _page(t: Target) -> bool:
    return t.kind == PAGE


def _form_page(t: Target) -> bool:
    return t.kind == PAGE and t.method == "POST"


def _named(*builds: Callable[..., Probe]) -> list[Case]:
    return [Case(build.__name__, build) for build in builds]


RULES: list[tuple[Rule, list[Case]]] = [
    (
        _partner,
        _named(
            no_api_key,
            unknown_api_key,
            malformed_api_key,
            revoked_api_key,
            scope_missing,
            unsigned,
            stolen_api_key_alone,
            another_tenants_signing_key,
            crlf_in_authorization,
            crlf_in_signature_input,
            crlf_in_x_signature,
            repeated_authorization,
            repeated_signature_input,
            repeated_signature,
            repeated_x_timestamp,
            oversize_authorization,
            oversize_signature_input,
            non_json_body,
            json_array_body,
            non_utf8_body,
            unknown_field,
            unknown_query_parameter,
            non_utf8_query,
        ),
    ),
    (_writes, _named(idempotency_key_129_characters, crlf_in_idempotency_key, non_ascii_idempotency_key)),
    (_sized, _named(oversize_body)),
    (_sample_query, _named(repeated_query_parameter)),
    (_with_path_ids, _named(injected_path_id, wrong_kind_of_id, unknown_id, another_tenants_id)),
    (_writes_with_path_ids, _named(another_tenants_id_with_idempotency_key)),
    (_body_references, _named(another_tenants_id_in_body)),
    (_id_filters, _named(another_tenants_id_in_filter)),
    (_lists, CURSOR_CASES),
    (_provider, PROVIDER_CASES),
    (_page, PAGE_TOKEN_CASES),
    (_form_page, PAGE_FORM_CASES),
]


def field_cases(target: Target) -> list[Case]:
    """Cases made from the route's own models and sample: one per field."""
    out: list[Case] = []
    if _writes(target):
        out += [server_owned_field(name) for name in target.server_owned]
    if _partner(target) and target.body_model is not None and target.has_sample():
        sample = target.sample_json() or {}
        out += [wrong_type(name) for name, value in sample.items() if value is not None]
        out += [missing_field(name) for name in target.required_fields]
    if _partner(target) and target.query_model is not None:
        for name, field in target.query_model.model_fields.items():
            if int in (field.annotation, *get_args(field.annotation)):
                out.append(wrong_type_query(name))
    return out


def cases_for(target: Target) -> list[Case]:
    return [case for rule, cases in RULES if rule(target) for case in cases] + field_cases(target)


def catalogue() -> list[tuple[Target, Case]]:
    return [(target, case) for target in targets() for case in cases_for(target)]
