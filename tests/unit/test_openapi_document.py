"""The OpenAPI document: committed copy up to date, valid OpenAPI 3.1, one operation per
API route, and every status of the error table described."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.platform.errors import ERROR_TABLE
from localapi import openapi
from localapi.template import Template, load_template, routes

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def template() -> Template:
    return load_template(ROOT / "template.yaml")


@pytest.fixture(scope="module")
def generated(template: Template) -> str:
    return openapi.document_json(template)


@pytest.fixture(scope="module")
def document(generated: str) -> dict[str, Any]:
    return json.loads(generated)


def test_the_committed_document_matches_template_yaml_and_the_models(
    template: Template, generated: str
) -> None:
    """core/platform/openapi.json is generated (`localapi openapi --write`); it must not drift."""
    committed = openapi.document_file(template).read_text(encoding="utf-8")
    assert committed == generated, "run `.venv/bin/localapi openapi --write`"


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    openapi.validate(document)


def test_every_api_route_is_one_operation(template: Template, document: dict[str, Any]) -> None:
    api_routes = {(r.method, r.path) for r in routes(template) if r.path.startswith("/v1/")}
    documented = {(method, path) for method, path, _ in openapi.operation_ids(document)}
    assert documented == api_routes
    ids = [operation_id for _, _, operation_id in openapi.operation_ids(document)]
    assert len(ids) == len(set(ids))


def test_every_error_status_is_described_with_its_codes(document: dict[str, Any]) -> None:
    responses = document["components"]["responses"]
    # 405 comes from the catch-all route ($default), which is not an operation.
    statuses = {status for status, _ in ERROR_TABLE.values()} - {405}
    assert statuses == set(openapi.STATUS_NAMES)
    for status, name in openapi.STATUS_NAMES.items():
        schema = responses[name]["content"]["application/json"]["schema"]
        envelope = schema["anyOf"][0] if "anyOf" in schema else schema
        codes = envelope["properties"]["error"]["properties"]["code"]["enum"]
        assert codes == [code for code, (s, _) in ERROR_TABLE.items() if s == status]


def test_writes_take_an_idempotency_key_and_are_secured(document: dict[str, Any]) -> None:
    for method, path, operation_id in openapi.operation_ids(document):
        operation = document["paths"][path][method.lower()]
        refs = [p.get("$ref") for p in operation.get("parameters", [])]
        is_write = method in openapi.WRITE_METHODS
        assert ("#/components/parameters/Idempotency-Key" in refs) == is_write, operation_id
        if path == openapi.DOCUMENT_PATH:
            assert operation["security"] == []
        else:
            assert operation["security"], operation_id
            schemes = {name for requirement in operation["security"] for name in requirement}
            assert schemes <= set(document["components"]["securitySchemes"]), operation_id


def test_a_v1_route_without_a_pipeline_spec_cannot_be_documented(
    template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every /v1 route must describe itself; only pages outside /v1 may be left out."""
    real = openapi._handler_doc

    def without_spec(route: Any) -> tuple[Any, str]:
        spec, doc = real(route)
        return (None, doc) if route.path == "/v1/events" else (spec, doc)

    monkeypatch.setattr(openapi, "_handler_doc", without_spec)
    with pytest.raises(openapi.OpenApiError, match="GET /v1/events"):
        openapi.build(template)


def test_creates_and_lists_link_to_the_operations_that_take_their_id(document: dict[str, Any]) -> None:
    created = document["paths"]["/v1/customers"]["post"]["responses"]["201"]["links"]
    assert created["GetCustomer"] == {
        "operationId": "getCustomer",
        "parameters": {"customerId": "$response.body#/id"},
        "description": "`customerId` is the `id` this answer carries.",
    }
    assert created["ListBankAccounts"]["parameters"] == {"clientId": "$response.body#/id"}
    listed = document["paths"]["/v1/events"]["get"]["responses"]["200"]["links"]
    assert listed["GetEvent"]["parameters"] == {"eventId": "$response.body#/data/0/id"}


def test_the_conformance_check_of_the_tests_refuses_what_the_document_does_not_say() -> None:
    """tests/support/conformance.py checks every answer of the integration tests: it must
    be able to fail."""
    from tests.support import conformance

    headers = {"Request-Id": "req_01ABC"}
    envelope = {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "m"}}
    envelope["error"]["requestId"] = "req_01ABC"
    conformance.check("events/get", 404, headers, json.dumps(envelope))
    with pytest.raises(conformance.NonConformingResponse, match="does not list"):
        conformance.check("events/get", 418, headers, "")
    with pytest.raises(conformance.NonConformingResponse, match="breaks its schema"):
        conformance.check("events/get", 200, headers, json.dumps({"id": "evt_1", "object": "event"}))
    with pytest.raises(conformance.NonConformingResponse, match="breaks its schema"):  # a 404 code in a 400
        conformance.check("events/get", 400, headers, json.dumps(envelope))
    with pytest.raises(conformance.NonConformingResponse, match="Request-Id"):
        conformance.check("events/get", 404, {}, json.dumps(envelope))


@pytest.mark.parametrize("code", list(ERROR_TABLE))
def test_the_error_envelope_model_describes_what_the_pipeline_sends(code: str) -> None:
    from core.platform.error_envelope import ErrorEnvelope
    from core.platform.errors import ApiError

    for param in (None, "countries[3]"):
        envelope = ApiError("Something.", code=code, param=param).envelope("req_01ABC")
        assert ErrorEnvelope.model_validate(envelope).model_dump(exclude_none=True) == envelope


def test_the_document_names_the_local_and_the_deployed_servers(document: dict[str, Any]) -> None:
    local, deployed = document["servers"]
    assert local["url"] == openapi.LOCAL_SERVER
    assert deployed["url"] == "https://{apiId}.execute-api.{region}.amazonaws.com"
    assert set(deployed["variables"]) == {"apiId", "region"}
    assert all("default" in variable for variable in deployed["variables"].values())


def test_fuzzing_targets_the_url_it_is_given_not_the_documents_servers(document: dict[str, Any]) -> None:
    """schemathesis could take a base URL from `servers`; a run must go where it is sent."""
    import schemathesis

    from localapi import fuzzing

    base_url = "http://127.0.0.1:45678"
    config = fuzzing.configuration(base_url, examples=1, sequences=1, phases=["fuzzing"], seed=1, workers=1)
    schema = schemathesis.openapi.from_dict(document, config=config)
    assert schema.get_base_url() == base_url
    case = schema["/v1/customers"]["GET"].Case()
    assert case.as_transport_kwargs()["url"] == f"{base_url}/v1/customers"


def test_an_empty_body_is_documented_as_missing_where_the_server_refuses_it(document: dict[str, Any]) -> None:
    """A create customer body needs externalId or onchainId: `{}` is refused, so the body is required."""
    assert document["paths"]["/v1/customers"]["post"]["requestBody"]["required"] is True
    activate = document["paths"]["/v1/customers/{customerId}/activate"]["patch"]["requestBody"]
    assert activate["required"] is False


def test_the_webhooks_section_lists_every_event_type_with_its_object(document: dict[str, Any]) -> None:
    from core.platform.outbox import EVENT_TYPES

    webhooks = document["webhooks"]
    assert set(webhooks) == set(EVENT_TYPES)
    for event_type, item in webhooks.items():
        schema = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        event, narrowed = schema["allOf"]
        assert event == {"$ref": "#/components/schemas/Event"}
        assert narrowed["properties"]["type"] == {"const": event_type}
        ref = narrowed["properties"]["data"]["properties"]["object"]["$ref"]
        assert ref.rsplit("/", 1)[1] in document["components"]["schemas"]
        headers = {p["name"] for p in item["post"]["parameters"]}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    customer = webhooks["customer.created"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert customer["allOf"][1]["properties"]["data"]["properties"]["object"]["$ref"].endswith("/Customer")


def test_every_event_type_has_a_model_for_its_object() -> None:
    from core.platform.outbox import EVENT_TYPES

    assert set(openapi.event_objects()) == set(EVENT_TYPES)
