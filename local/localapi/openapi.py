"""The OpenAPI 3.1 document, generated from template.yaml's routes and the handlers' own
specs (`core.platform.pipeline.Spec`: the request models, the response model, the status, the
scope), so there is no second description of the API to drift.

`localapi openapi --write` regenerates the committed copy that the deployed function
serves (`layers/core/python/core/platform/openapi.json`, at `GET /v1/openapi.json`); a unit test
fails when the two differ. A new endpoint joins by being a route of template.yaml whose
handler is a pipeline endpoint: nothing here names a resource.

What each part comes from:
- paths and methods: template.yaml's HttpApi routes; summaries and descriptions: the
  handler module's docstring (`METHOD /path: summary.` then the rest);
- parameters and bodies: the spec's path, query and body models (pydantic's JSON schema
  in validation mode); responses: the spec's `response` model (serialization mode), or
  `ListOf(model)` wrapped in API.md's list envelope;
- errors: `core.platform.errors.ERROR_TABLE`, one response per status with the codes it carries;
- security: the API key (`Authorization: Bearer` or `PartnerApiKey`) with either
  signature scheme, the scope in the requirement (OpenAPI 3.1 allows role names for
  non-OAuth schemes), or a custom authenticator's own `security_scheme`.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, create_model
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

from localapi.server import load_handler, load_module
from localapi.template import Route, Template, load_template, routes

DOCUMENT_PATH = "/v1/openapi.json"
DOCUMENT_FILE = "layers/core/python/core/platform/openapi.json"
OPENAPI_VERSION = "3.1.0"
LOCAL_SERVER = "http://127.0.0.1:3000"
JSON = "application/json"
REF = "#/components/schemas/{model}"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Tag names that are acronyms, not words (tags come from `functions/<resource>/`).
ACRONYMS = {"kyc": "KYC"}

# Statuses every operation can answer, by what it is. The codes of each come from the
# error table; 429 is API Gateway's stage throttling (its own body, see `_throttled`).
ALWAYS = (400, 401, 403, 429, 500)
WITH_PATH_PARAMETERS = (404,)
WRITES = (409, 413, 422)
# Error answers that an idempotent replay can carry (the endpoint ran and answered them).
REPLAYABLE = frozenset({400, 404, 409, 422})
STATUS_NAMES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    413: "PayloadTooLarge",
    422: "UnprocessableEntity",
    429: "TooManyRequests",
    500: "InternalError",
}


class OpenApiError(Exception):
    """A route or spec the document cannot describe."""


class _SchemaGenerator(GenerateJsonSchema):
    """Pydantic's JSON schema without per-field titles (noise in a document) and without
    defaults in responses (a default describes input, not what the API sends)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        if self.mode == "serialization":
            json_schema.pop("default", None)
        return json_schema


@dataclass(frozen=True)
class Operation:
    """A documented route: its template entry, its handler's spec and module docstring."""

    route: Route
    spec: Any  # core.platform.pipeline.Spec
    doc: str

    @property
    def tag(self) -> str:
        folder = self.route.code_uri.parent.name
        return ACRONYMS.get(folder, folder.replace("_", " ").capitalize())

    @property
    def operation_id(self) -> str:
        name = self.route.function.removesuffix("Function") + self.route.alias
        return name[:1].lower() + name[1:]


def _method_rank(method: str) -> int:
    return METHOD_ORDER.index(method) if method in METHOD_ORDER else len(METHOD_ORDER)


def _handler_doc(route: Route) -> tuple[Any, str]:
    """The handler's spec (None for a handler that is not a pipeline endpoint) and its
    module's docstring (the decorated handler's own `__module__` is the pipeline's)."""
    handler = load_handler(route)
    return getattr(handler, "spec", None), load_module(route).__doc__ or ""


def operations(template: Template) -> list[Operation]:
    """The routes the document describes, in path order. Every /v1 route must be a
    pipeline endpoint (or the document itself); routes outside /v1 without a spec (the
    sandbox provider's HTML pages) and the catch-all are not part of the API."""
    found = []
    for route in sorted(routes(template), key=lambda r: (r.path, _method_rank(r.method))):
        if route.path == "$default" or route.path == DOCUMENT_PATH:
            continue
        spec, doc = _handler_doc(route)
        if spec is None:
            if route.path.startswith("/v1/"):
                raise OpenApiError(f"{route.route_key} ({route.function}) is not a pipeline endpoint")
            continue
        if spec.response is None and spec.status != 204:
            raise OpenApiError(
                f"{route.route_key} ({route.function}) answers {spec.status} but declares no "
                "response model: pass response= to its @endpoint"
            )
        found.append(Operation(route, spec, doc))
    if not any(r.path == DOCUMENT_PATH and r.method == "GET" for r in routes(template)):
        raise OpenApiError(f"template.yaml has no GET {DOCUMENT_PATH} route to serve the document")
    return found


# -- schemas ---------------------------------------------------------------------------


@cache
def _list_model(item: type[BaseModel]) -> type[BaseModel]:
    """API.md's list envelope around `item`, as a model named `<Item>List` (one class per
    item, however many lists answer it)."""
    from core.platform.representations import Representation

    return create_model(
        f"{item.__name__}List",
        __base__=Representation,
        __doc__=f"A page of {item.__name__} objects, newest first; `nextCursor` is null on the last page.",
        data=(list[item], ...),  # type: ignore[valid-type]
        nextCursor=(str | None, ...),
    )


# The `data.object` of each event type, by the resource before its dot: every type of
# outbox.EVENT_TYPES must find its model here (the document fails to build otherwise).
EVENT_OBJECTS = {
    "customer": ("core.customers.customers", "Customer"),
    "bank_account": ("core.ingestion.bank_accounts", "BankAccount"),
    "blockchain_wallet": ("core.ingestion.blockchain_wallets", "BlockchainWallet"),
    "webhook_endpoint": ("core.webhooks.endpoints", "WebhookEndpoint"),
    "account": ("core.accounts.accounts", "Account"),
    "account_number": ("core.accounts.accounts", "AccountNumber"),
    "blockchain_address": ("core.accounts.accounts", "BlockchainAddress"),
    "bank_information": ("core.bank_information.bank_information", "BankInformation"),
    "organization": ("core.ledger.organizations", "Organization"),
    "ledger": ("core.ledger.ledgers", "Ledger"),
    "instrument": ("core.ledger.instruments", "Instrument"),
    "portfolio": ("core.ledger.portfolios", "Portfolio"),
    "product": ("core.ledger.products", "Product"),
    "ledger_account": ("core.ledger.ledger_accounts", "LedgerAccount"),
    "transaction": ("core.ledger.transactions", "Transaction"),
}


def event_objects() -> dict[str, type[BaseModel]]:
    """Every event type and the model of its `data.object`."""
    import importlib

    from core.platform.outbox import EVENT_TYPES

    out: dict[str, type[BaseModel]] = {}
    for event_type in sorted(EVENT_TYPES):
        resource = event_type.split(".", 1)[0]
        if resource not in EVENT_OBJECTS:
            raise ValueError(f"openapi.EVENT_OBJECTS has no model for {event_type}")
        module, name = EVENT_OBJECTS[resource]
        out[event_type] = getattr(importlib.import_module(module), name)
    return out


def _webhook_headers() -> list[dict[str, Any]]:
    described = {
        "webhook-id": "The event id: the same on every attempt, the receiver's dedupe key.",
        "webhook-timestamp": "Seconds since the epoch when this attempt was signed.",
        "webhook-signature": "Space-separated `v1,<base64 HMAC-SHA256>` signatures of "
        "`{webhook-id}.{webhook-timestamp}.{body}`, one per active secret (two during a rotation).",
    }
    return [
        {"name": name, "in": "header", "required": True, "description": text, "schema": {"type": "string"}}
        for name, text in described.items()
    ]


def _webhooks(schemas: _Schemas) -> dict[str, Any]:
    """OpenAPI 3.1's `webhooks`: what each event type's delivery POSTs (Standard Webhooks)."""
    from core.events.events import Event

    event_ref = schemas.ref(Event, "serialization")
    out: dict[str, Any] = {}
    for event_type, model in event_objects().items():
        body = {
            "allOf": [
                event_ref,
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": event_type},
                        "data": {
                            "type": "object",
                            "properties": {"object": schemas.ref(model, "serialization")},
                        },
                    },
                },
            ]
        }
        out[event_type] = {
            "post": {
                "operationId": "webhook_" + event_type.replace(".", "_"),
                "summary": f"The {event_type} event, delivered to subscribed webhook endpoints",
                "tags": ["Webhooks"],
                "parameters": _webhook_headers(),
                "requestBody": {"required": True, "content": {JSON: {"schema": body}}},
                "responses": {
                    "2XX": {
                        "description": "Delivered. Any other answer, a redirect or a timeout (10 s) "
                        "is retried."
                    }
                },
            }
        }
    return out


class _Schemas:
    """Every model of every operation, rendered together by pydantic so that shared
    models become one component and names never collide."""

    def __init__(self, ops: list[Operation]) -> None:
        from core.platform.error_envelope import ErrorEnvelope
        from core.platform.pipeline import ListOf

        self.error = ErrorEnvelope
        self.responses: dict[int, type[BaseModel]] = {}
        wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorEnvelope, "serialization")]
        self.params: set[type[BaseModel]] = set()
        for index, op in enumerate(ops):
            for model in (op.spec.path, op.spec.query):
                if model is not None:
                    self.params.add(model)
                    wanted.append((model, "validation"))
            if op.spec.body is not None:
                wanted.append((op.spec.body, "validation"))
            response = op.spec.response
            if isinstance(response, ListOf):
                response = _list_model(response.item)
            if response is not None:
                self.responses[index] = response
                wanted.append((response, "serialization"))
        from core.events.events import Event

        wanted.append((Event, "serialization"))
        wanted.extend((model, "serialization") for model in event_objects().values())
        refs, definitions = models_json_schema(
            list(dict.fromkeys(wanted)), ref_template=REF, schema_generator=_SchemaGenerator
        )
        self.refs = refs
        self.components: dict[str, Any] = dict(definitions.get("$defs", {}))

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return dict(self.refs[(model, mode)])

    def component(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        name = self.ref(model, mode)["$ref"].rsplit("/", 1)[1]
        return cast(dict[str, Any], self.components[name])

    def drop_parameter_models(self) -> None:
        """Path and query models are spelled out as parameters, not kept as components
        (unless a body or response refers to them)."""
        text = json.dumps(self.components)
        for model in self.params:
            name = self.ref(model, "validation")["$ref"].rsplit("/", 1)[1]
            if text.count(f'"{REF.format(model=name)}"') == 0:
                self.components.pop(name, None)


def _parameter_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A query or path value is a string on the wire, present or absent: `X | None` is X."""
    out = dict(schema)
    options = out.get("anyOf")
    if isinstance(options, list):
        kept = [s for s in options if s != {"type": "null"}]
        if len(kept) == 1 and len(kept) < len(options):
            out.pop("anyOf")
            out = {**kept[0], **out}
    if "default" in out and out["default"] is None:
        del out["default"]  # an absent parameter is not a null one
    return out


def _parameters(schemas: _Schemas, model: type[BaseModel] | None, where: str) -> list[dict[str, Any]]:
    if model is None:
        return []
    component = schemas.component(model, "validation")
    required = set(component.get("required", []))
    out = []
    for name, schema in component.get("properties", {}).items():
        parameter: dict[str, Any] = {
            "name": name,
            "in": where,
            "required": where == "path" or name in required,
        }
        schema = _parameter_schema(schema)
        if "description" in schema:
            parameter["description"] = schema.pop("description")
        parameter["schema"] = schema
        out.append(parameter)
    return out


# -- errors, headers, security ----------------------------------------------------------


def _error_components(error_ref: dict[str, Any]) -> dict[str, Any]:
    from core.platform.errors import ERROR_TABLE

    out = {}
    for status, name in STATUS_NAMES.items():
        codes = [code for code, (s, _) in ERROR_TABLE.items() if s == status]
        types = sorted({kind for s, kind in ERROR_TABLE.values() if s == status})
        envelope = {
            "allOf": [error_ref],
            "properties": {"error": {"properties": {"type": {"enum": types}, "code": {"enum": codes}}}},
        }
        headers: dict[str, Any] = {"Request-Id": {"$ref": "#/components/headers/Request-Id"}}
        if status in REPLAYABLE:
            headers["Idempotency-Replayed"] = {"$ref": "#/components/headers/Idempotency-Replayed"}
        if status == 409:
            headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
        description = "Codes: " + ", ".join(f"`{c}`" for c in codes) + "."
        schema: dict[str, Any] = envelope
        if status == 429:
            schema = {"anyOf": [envelope, _throttled()]}
            description += (
                " Also API Gateway's own answer when the stage's rate limit is exceeded: "
                '`{"message": "Too Many Requests"}`.'
            )
        out[name] = {"description": description, "headers": headers, "content": {JSON: {"schema": schema}}}
    return out


def _throttled() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"message": {"type": "string"}},
        "required": ["message"],
    }


def _headers() -> dict[str, Any]:
    from core.platform import idempotency

    return {
        "Request-Id": {
            "description": "This request's id, also an error's `requestId`; a replay keeps the original's.",
            "required": True,
            "schema": {"type": "string", "pattern": "^req_[A-Za-z0-9]+$"},
        },
        "Idempotency-Replayed": {
            "description": "`true` when this is the stored answer of an earlier request with the same "
            f"`Idempotency-Key` (kept {idempotency.RETENTION_SECONDS // 3600} h).",
            "schema": {"type": "string", "enum": ["true"]},
        },
        "Retry-After": {
            "description": "Seconds to wait: the first request with this `Idempotency-Key` is still running.",
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
        },
    }


def _idempotency_key() -> dict[str, Any]:
    from core.platform import idempotency

    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": (
            f"1 to {idempotency.MAX_KEY_LENGTH} printable ASCII characters, unique per request (a UUID). "
            "The same key with the same request (method, path, query, body) replays the stored "
            "answer; with another request it is 409 `duplicate_idempotency_key`; while the first "
            "is still running, 409 `idempotency_key_in_flight` with `Retry-After`."
        ),
        "schema": {"type": "string", "pattern": f"^[\\x20-\\x7E]{{1,{idempotency.MAX_KEY_LENGTH}}}$"},
    }


def _security_schemes() -> dict[str, Any]:
    from core.platform import signatures

    window = signatures.WINDOW_SECONDS
    return {
        "ApiKey": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "sk_<test|live>_<tenant>_<secret>",
            "description": (
                "`Authorization: Bearer <api-key>`. The requirement lists the scope the operation "
                "needs (403 `scope_missing` without it). Requests must also be signed with either "
                "scheme below unless the key's signature policy is `optional` (sandbox keys only)."
            ),
        },
        "PartnerApiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "PartnerApiKey",
            "description": "The same API key in the `PartnerApiKey` header, instead of `Authorization`.",
        },
        "HttpMessageSignature": {
            "type": "apiKey",
            "in": "header",
            "name": "Signature",
            "description": (
                "RFC 9421 HTTP Message Signatures: `Signature-Input` and `Signature`, covering "
                '`"@method"`, `"@target-uri"` (or `"@path"` plus `"@query"` when there is one) and, '
                'with a body, `"content-digest"`, with `created` and `keyid` (a registered signing '
                "key's `sig_...` id); `alg`, when present, must match the key. A body needs "
                "`Content-Digest` (RFC 9530, sha-256 or sha-512). Algorithms: ed25519, "
                "rsa-v1_5-sha256, rsa-pss-sha512, ecdsa-p256-sha256, ecdsa-p384-sha384. "
                f"`created` within ±{window} s of the server's clock."
            ),
        },
        "SimpleSignature": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Signature",
            "description": (
                "`X-Timestamp: <unix seconds>`, `X-Signature: <base64>` and optionally `X-Key-Id`. "
                "The signature (Ed25519, or RSASSA-PKCS1-v1_5 with SHA-256) covers the UTF-8 bytes "
                "of timestamp, METHOD, raw path and raw query string joined by `\\n`, then `\\n` and "
                f"the raw body. The timestamp must be within ±{window} s of the server's clock."
            ),
        },
    }


def _api_key_security(scope: str) -> list[dict[str, list[str]]]:
    out = []
    for key in ("ApiKey", "PartnerApiKey"):
        for signature in ("HttpMessageSignature", "SimpleSignature"):
            out.append({key: [scope], signature: []})
    out += [{"ApiKey": [scope]}, {"PartnerApiKey": [scope]}]  # sandbox keys with policy `optional`
    return out


# -- operations -------------------------------------------------------------------------


def _summary(doc: str, route: Route) -> tuple[str, str]:
    """(summary, description) from a handler's docstring: its first paragraph reads
    `METHOD /path: first sentence. More sentences.` Later paragraphs are notes for
    developers (imports, cold starts), not for partners, and stay out of the document."""
    paragraph = " ".join(doc.strip().split("\n\n", 1)[0].split())
    head, _, text = paragraph.partition(": ")
    if not text or not head.startswith(route.method):
        text = paragraph
    summary, _, description = text.partition(". ")
    summary = summary.rstrip(".")
    return summary[:1].upper() + summary[1:], description


def _success(schemas: _Schemas, op: Operation, index: int) -> dict[str, Any]:
    headers: dict[str, Any] = {"Request-Id": {"$ref": "#/components/headers/Request-Id"}}
    if op.route.method in WRITE_METHODS:
        headers["Idempotency-Replayed"] = {"$ref": "#/components/headers/Idempotency-Replayed"}
    out: dict[str, Any] = {}
    for status in (op.spec.status, *op.spec.other_statuses):
        if status == 204:
            out["204"] = {"description": "Done; no content.", "headers": headers}
            continue
        model = schemas.responses[index]
        description = (model.__doc__ or "").strip().split("\n\n")[0] or model.__name__
        if op.spec.other_statuses:
            description = ("Created. " if status == 201 else "Updated (upsert). ") + description
        out[str(status)] = {
            "description": " ".join(description.split()),
            "headers": headers,
            "content": {JSON: {"schema": schemas.ref(model, "serialization")}},
        }
    return out


def _body_required(model: type[BaseModel]) -> bool:
    """Whether the endpoint refuses a request without a body. An empty body is `{}` to
    the server, so this is whether the model refuses `{}` (a required field, or a rule
    such as a customer's "externalId or onchainId")."""
    from core.platform.errors import ApiError
    from core.platform.validation import validate_body

    try:
        validate_body(model, b"")  # type: ignore[type-var]
    except ApiError:
        return True
    return False


def _request_body(schemas: _Schemas, op: Operation) -> dict[str, Any] | None:
    spec = op.spec
    if spec.body is not None:
        return {
            "required": _body_required(spec.body),
            "content": {JSON: {"schema": schemas.ref(spec.body, "validation")}},
        }
    if op.route.method not in WRITE_METHODS:
        return None
    if spec.authenticate is not None:  # a third party's callback: its own format
        return {
            "required": True,
            "description": "The provider's callback, in the provider's own format.",
            "content": {JSON: {"schema": {"type": "object"}}},
        }
    return {  # API.md: actions accept an empty body or `{}`
        "required": False,
        "description": "None, or `{}`.",
        "content": {JSON: {"schema": {"type": "object", "maxProperties": 0}}},
    }


def _operation(schemas: _Schemas, op: Operation, index: int) -> dict[str, Any]:
    spec, method = op.spec, op.route.method
    summary, description = _summary(op.doc, op.route)
    parameters = _parameters(schemas, spec.path, "path") + _parameters(schemas, spec.query, "query")
    if method in WRITE_METHODS:
        parameters.append({"$ref": "#/components/parameters/Idempotency-Key"})
    statuses = [s for s in ALWAYS if not (s == 403 and spec.authenticate is not None)]
    if spec.path is not None:
        statuses += WITH_PATH_PARAMETERS
    if method in WRITE_METHODS:
        statuses += WRITES
    responses = _success(schemas, op, index)
    for status in sorted(statuses):
        responses[str(status)] = {"$ref": f"#/components/responses/{STATUS_NAMES[status]}"}
    security: list[dict[str, list[str]]]
    if spec.authenticate is not None:
        name, _ = _custom_scheme(op)
        security = [{name: []}]
        scope_text = ""
    else:
        security = _api_key_security(spec.scope)
        scope_text = f"Scope: `{spec.scope}`."
    operation: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": summary,
        "description": " ".join(part for part in (description, scope_text) if part),
        "tags": [op.tag],
    }
    if parameters:
        operation["parameters"] = parameters
    body = _request_body(schemas, op)
    if body is not None:
        operation["requestBody"] = body
    operation["responses"] = responses
    operation["security"] = security
    return operation


def _custom_scheme(op: Operation) -> tuple[str, dict[str, Any]]:
    scheme = getattr(op.spec.authenticate, "security_scheme", None)
    if scheme is None:
        raise OpenApiError(
            f"{op.route.route_key}: its custom authenticator has no `security_scheme` "
            "(name, OpenAPI security scheme) to document it with"
        )
    return cast(tuple[str, dict[str, Any]], scheme)


def _document_operation() -> dict[str, Any]:
    return {
        "operationId": "getOpenApiDocument",
        "summary": "This document",
        "description": "The OpenAPI 3.1 document of this API, generated from the routes and models "
        "the handlers use. Public: no API key.",
        "tags": ["Service"],
        "responses": {
            "200": {
                "description": "The OpenAPI document.",
                "headers": {"Request-Id": {"$ref": "#/components/headers/Request-Id"}},
                "content": {JSON: {"schema": {"type": "object", "required": ["openapi", "info", "paths"]}}},
            }
        },
        "security": [],
    }


# -- links ------------------------------------------------------------------------------


def _component_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[1] if isinstance(ref, str) and ref.startswith("#/components/schemas/") else None


def _produced_id(components: dict[str, Any], schema: dict[str, Any]) -> tuple[str, str] | None:
    """(id pattern, runtime expression) of the object a response carries, or of the
    first item of a list envelope."""
    name = _component_name(schema)
    if name is None:
        return None
    properties = components[name].get("properties", {})
    pattern = properties.get("id", {}).get("pattern")
    if pattern is not None:
        return pattern, "$response.body#/id"
    item = _component_name(properties.get("data", {}).get("items", {}))
    if item is not None:
        pattern = components[item].get("properties", {}).get("id", {}).get("pattern")
        if pattern is not None:
            return pattern, "$response.body#/data/0/id"
    return None


def _add_links(paths: dict[str, dict[str, Any]], components: dict[str, Any]) -> None:
    """OpenAPI links from what a create, an action or a list answers to every other
    operation that takes that id, in its path or as a filter: the calls that follow one
    another (and the sequences schemathesis' stateful phase walks)."""
    consumers: list[tuple[str, str, str]] = []  # (operationId, parameter, id pattern)
    for methods in paths.values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                pattern = parameter.get("schema", {}).get("pattern")
                if pattern is not None and parameter.get("in") in ("path", "query"):
                    consumers.append((operation["operationId"], parameter["name"], pattern))
    for methods in paths.values():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                schema = response.get("content", {}).get(JSON, {}).get("schema", {})
                produced = _produced_id(components, schema) if status.startswith("2") else None
                if produced is None or not (method == "post" or "/data/" in produced[1]):
                    continue
                pattern, expression = produced
                links = {
                    target[:1].upper() + target[1:]: {
                        "operationId": target,
                        "parameters": {name: expression},
                        "description": f"`{name}` is the `id` this answer carries.",
                    }
                    for target, name, wanted in consumers
                    if wanted == pattern and target != operation["operationId"]
                }
                if links:
                    response["links"] = links


def _servers() -> list[dict[str, Any]]:
    """Where the API runs. Clients and tools given a base URL of their own (the fuzzing
    runner, the SDK) use that one, not these."""
    return [
        {"url": LOCAL_SERVER, "description": "The local API (`make run`, `localapi serve`)."},
        {
            "url": "https://{apiId}.execute-api.{region}.amazonaws.com",
            "description": "A deployed stack: its `ApiUrl` output (API Gateway HTTP API, `$default` stage).",
            "variables": {
                "apiId": {"default": "abcdef1234", "description": "The id of the stack's `HttpApi`."},
                "region": {"default": "us-east-1", "description": "The AWS region the stack is deployed in."},
            },
        },
    ]


def _version(template: Template) -> str:
    project = tomllib.loads((template.root / "pyproject.toml").read_text())
    return str(project["project"]["version"])


def _info(template: Template) -> dict[str, Any]:
    from core.platform import pipeline, signatures

    return {
        "title": "Partner API",
        "version": _version(template),
        "description": (
            "Onboard customers (KYC, on-chain ownership proof), ingest their bank accounts and "
            "blockchain wallets, and reconcile events. JSON bodies with camelCase fields; timestamps "
            "RFC 3339 UTC with `Z`; ids `<prefix>_<time-sortable suffix>`.\n\n"
            "**Authentication.** An API key (`Authorization: Bearer` or `PartnerApiKey`) and a "
            "signature over the request, RFC 9421 or the simple scheme, from a signing key "
            f"registered for that API key; timestamps within ±{signatures.WINDOW_SECONDS} s.\n\n"
            "**Idempotency.** Writes take an optional `Idempotency-Key`; a retry with the same key "
            "replays the first answer (`Idempotency-Replayed: true`).\n\n"
            '**Errors.** One envelope, `{"error": {"type", "code", "message", "param"?, '
            '"requestId"}}`; every response carries `Request-Id`. Unknown body fields are 400 '
            f"`parameter_unknown`; bodies are at most {pipeline.MAX_BODY_BYTES // 1024} KiB.\n\n"
            '**Lists.** `{"data": [...], "nextCursor": "..." | null}`, newest first, `limit` 1-100 '
            "(default 20), `cursor` opaque and bound to its list."
        ),
    }


def build(template: Template | None = None) -> dict[str, Any]:
    """The document for `template` (default: the repository's template.yaml)."""
    template = template or load_template()
    ops = operations(template)
    schemas = _Schemas(ops)
    paths: dict[str, dict[str, Any]] = {}
    for index, op in enumerate(ops):
        paths.setdefault(op.route.path, {})[op.route.method.lower()] = _operation(schemas, op, index)
    paths[DOCUMENT_PATH] = {"get": _document_operation()}
    schemas.drop_parameter_models()
    _add_links(paths, schemas.components)
    security_schemes = _security_schemes()
    for op in ops:
        if op.spec.authenticate is not None:
            name, scheme = _custom_scheme(op)
            security_schemes[name] = scheme
    webhooks = _webhooks(schemas)
    tags = sorted({op.tag for op in ops} | {"Service", "Webhooks"})
    return {
        "openapi": OPENAPI_VERSION,
        "info": _info(template),
        "servers": _servers(),
        "tags": [{"name": tag} for tag in tags],
        "paths": dict(sorted(paths.items())),
        "webhooks": webhooks,
        "components": {
            "schemas": dict(sorted(schemas.components.items())),
            "responses": _error_components(schemas.ref(schemas.error, "serialization")),
            "parameters": {"Idempotency-Key": _idempotency_key()},
            "headers": _headers(),
            "securitySchemes": security_schemes,
        },
    }


def document_json(template: Template | None = None) -> str:
    """The document as committed: 2-space indented JSON, UTF-8, one trailing newline."""
    return json.dumps(build(template), indent=2, ensure_ascii=False) + "\n"


def document_file(template: Template) -> Path:
    return template.root / DOCUMENT_FILE


def validate(document: dict[str, Any]) -> None:
    """openapi-spec-validator's OpenAPI 3.1 checks (raises its ValidationError)."""
    from openapi_spec_validator import OpenAPIV31SpecValidator
    from openapi_spec_validator import validate as validate_spec

    validate_spec(document, cls=OpenAPIV31SpecValidator)


def operation_ids(document: dict[str, Any]) -> Iterable[tuple[str, str, str]]:
    """(METHOD, path, operationId) of every operation in a document."""
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation["operationId"]
