"""The API reference in Markdown (`docs/API.md`), generated from the OpenAPI document and
nothing else: every sentence in it is the document's (its summaries, descriptions and
schemas), so it cannot say more than the document, nor drift from it.

`localapi openapi --write` writes it beside the document; `--check` and a unit test fail
when the committed copy differs from a fresh rendering. The rendering is deterministic:
the document's own order for paths, tags and properties, sorted components.

Per operation: method and path, summary and description, the scope and the accepted
security schemes, parameters and the request body with their types, constraints and
descriptions, the rules across fields (`anyOf`, `if`/`then`), and every response with its
schema, its error codes and the links to the operations that take what it returns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REFERENCE_FILE = "docs/API.md"
DOCUMENT_NAME = "layers/core/python/core/platform/openapi.json"
SCHEMA_REF = "#/components/schemas/"
RESPONSE_REF = "#/components/responses/"
METHODS = ("get", "post", "put", "patch", "delete")
# An enum longer than this is summarised (ISO codes) rather than listed.
MAX_LISTED = 12


def reference_file(root: Path) -> Path:
    return root / REFERENCE_FILE


def render(document: dict[str, Any]) -> str:
    """The reference of `document`, as committed: Markdown, one trailing newline."""
    out = _Writer(document)
    return "\n".join(out.lines()).rstrip("\n") + "\n"


# -- small helpers ---------------------------------------------------------------------------


def _code(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    ticks = "``" if "`" in text else "`"
    pad = " " if ticks == "``" else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _cell(text: str) -> str:
    """Text fit for a table cell: one line, pipes escaped (also inside code spans, as GFM asks)."""
    return " ".join(text.split()).replace("|", "\\|")


def _anchor(kind: str, name: str) -> str:
    return f"{kind}-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(SCHEMA_REF):
        return ref[len(SCHEMA_REF) :]
    return None


def _schema_link(name: str) -> str:
    return f"[{name}](#{_anchor('schema', name)})"


def _number(value: Any) -> str:
    return json.dumps(value)


# -- types and rules -------------------------------------------------------------------------


def _members(schema: dict[str, Any]) -> list[Any] | None:
    """`anyOf` / `oneOf` members, a member that is itself only a union spliced in
    (`X | None` around a union)."""
    branches = schema.get("anyOf") or schema.get("oneOf")
    if not isinstance(branches, list):
        return None
    out: list[Any] = []
    for branch in branches:
        inner = _members(branch) if isinstance(branch, dict) and "type" not in branch else None
        out.extend(inner if inner is not None and "$ref" not in branch else [branch])
    return out


def type_of(schema: Any) -> str:
    """A schema's type in words: `string (date-time)`, `array of string`, `X or null`."""
    if schema is False:
        return "never"
    if not isinstance(schema, dict) or not schema:
        return "any"
    name = _ref_name(schema)
    if name is not None:
        return _schema_link(name)
    kind = schema.get("type")
    if kind is None:
        branches = _members(schema)
        if isinstance(branches, list) and all("type" in b or "$ref" in b for b in branches):
            return " or ".join(dict.fromkeys(type_of(b) for b in branches))
        if "const" in schema:
            return type(schema["const"]).__name__
        return "any"
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind == "array":
        items = schema.get("items")
        return f"array of {type_of(items)}" if items else "array"
    if kind == "string" and "format" in schema:
        return f"string ({schema['format']})"
    return str(kind)


def _length(low: Any, high: Any, unit: str) -> str | None:
    if low is not None and high is not None:
        return f"{low} to {high} {unit}" if low != high else f"exactly {low} {unit}"
    if low is not None:
        return f"at least {low} {unit}"
    if high is not None:
        return f"at most {high} {unit}"
    return None


def _enum(values: list[Any]) -> str:
    if len(values) <= MAX_LISTED:
        return "one of " + ", ".join(_code(v) for v in values)
    return f"one of {len(values)} values, {_code(values[0])} to {_code(values[-1])}"


def rules_of(schema: Any, *, nested: bool = True) -> list[str]:
    """A schema's constraints in words, each a short clause."""
    if not isinstance(schema, dict):
        return ["never present"] if schema is False else []
    out: list[str] = []
    if "const" in schema:
        out.append(f"always {_code(schema['const'])}")
    if isinstance(schema.get("enum"), list):
        out.append(_enum(schema["enum"]))
    length = _length(schema.get("minLength"), schema.get("maxLength"), "characters")
    if length:
        out.append(length)
    if "pattern" in schema:
        out.append(f"matches {_code(schema['pattern'])}")
    bounds = []
    for key, sign in (
        ("minimum", ">="),
        ("exclusiveMinimum", ">"),
        ("maximum", "<="),
        ("exclusiveMaximum", "<"),
    ):
        if key in schema:
            bounds.append(f"{sign} {_number(schema[key])}")
    if bounds:
        out.append(" and ".join(bounds))
    items = _length(schema.get("minItems"), schema.get("maxItems"), "items")
    if items:
        out.append(items)
    if schema.get("uniqueItems"):
        out.append("no repeated items")
    keys = _length(schema.get("minProperties"), schema.get("maxProperties"), "keys")
    if keys:
        out.append(keys)
    names = schema.get("propertyNames")
    if isinstance(names, dict):
        out.append("keys: " + "; ".join(rules_of(names)))
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and not schema.get("properties"):
        clauses = rules_of(extra)
        out.append(f"values: {type_of(extra)}" + (f" ({'; '.join(clauses)})" if clauses else ""))
    members = schema.get("properties")
    if nested and isinstance(members, dict) and members:
        required = set(schema.get("required", []))
        described = []
        for name, sub in members.items():
            clause = "never present" if sub is False else _value_clause(sub) if isinstance(sub, dict) else ""
            flag = " (required)" if name in required else ""
            described.append(f"{_code(name)}{flag}" + (f" {clause}" if clause else ""))
        out.append("members: " + ", ".join(described))
    if nested and isinstance(schema.get("items"), dict) and _ref_name(schema["items"]) is None:
        clauses = rules_of(schema["items"])
        if clauses:
            out.append("each item: " + "; ".join(clauses))
    branches = schema.get("anyOf") if "type" in schema else _members(schema)
    if isinstance(branches, list):
        out.extend(_branch_rules(branches, has_type="type" in schema))
    if "default" in schema:
        out.append(f"default {_code(schema['default'])}")
    examples = schema.get("examples")
    if isinstance(examples, list) and examples and not isinstance(examples[0], dict | list):
        out.append(f"e.g. {_code(examples[0])}")
    return out


def _branch_rules(branches: list[Any], *, has_type: bool) -> list[str]:
    """`anyOf` members: alternatives of one value (`0, or >= 1e-130`), or, for a union of
    types, each type's own constraints."""
    if has_type or not all(isinstance(b, dict) and ("type" in b or "$ref" in b) for b in branches):
        alternatives = ["; ".join(rules_of(b)) or type_of(b) for b in branches if isinstance(b, dict)]
        return ["either " + ", or ".join(alternatives)] if alternatives else []
    out = []
    for branch in branches:
        clauses = rules_of(branch)
        if clauses and branch.get("type") != "null":
            out.append(f"as {type_of(branch)}: " + "; ".join(clauses))
    return out


def _description(schema: Any) -> str:
    """A schema's description, or its first member's that has one."""
    if not isinstance(schema, dict):
        return ""
    own = schema.get("description")
    descriptions = [own] if isinstance(own, str) else []
    descriptions += [
        _description(b) for b in schema.get("anyOf") or schema.get("oneOf") or [] if isinstance(b, dict)
    ]
    return " ".join(d for d in descriptions if d)


def _nullable(schema: Any) -> bool:
    branches = schema.get("anyOf") if isinstance(schema, dict) else None
    return isinstance(branches, list) and {"type": "null"} in branches


# -- rules across fields (`anyOf` of `required`, `allOf` of `if` / `then`) -----------------------


def _value_clause(schema: dict[str, Any]) -> str:
    if "const" in schema:
        return f"is {_code(schema['const'])}"
    if isinstance(schema.get("enum"), list):
        return "is " + _enum(schema["enum"])
    return "; ".join(rules_of(schema))


def _condition(schema: dict[str, Any], prefix: str = "", *, when: bool) -> list[str]:
    """What a (sub)schema demands of named fields, one clause each. In a condition (`when`)
    a field that must have a value is simply "is V"; in a consequence a required field
    says so."""
    required = list(schema.get("required", []))
    properties = schema.get("properties") or {}
    out = []
    for name, sub in properties.items():
        path = _code(prefix + name)
        must = "" if when or name not in required else " is required and"
        if sub is False:
            out.append(f"{path} is absent")
        elif isinstance(sub, dict) and (sub.get("properties") or sub.get("required")):
            if sub.get("type") != "object":  # constraints on members, if it is an object
                out.extend(_condition(sub, f"{prefix}{name}.", when=when))
                continue
            inner = " and ".join(_condition(sub, "", when=when))
            out.append(f"{path}{must} is an object whose {inner}" if inner else f"{path}{must} is an object")
        elif isinstance(sub, dict):
            clause = _value_clause(sub)
            if clause:
                out.append(f"{path}{must} {clause}")
            elif must:
                out.append(f"{path} is required")
    given = "is given" if when else "is required"
    out += [f"{_code(prefix + name)} {given}" for name in required if name not in properties]
    return out


def cross_field_rules(schema: dict[str, Any]) -> list[str]:
    """A body's rules across its fields, one sentence each."""
    out = []
    branches = schema.get("anyOf")
    if isinstance(branches, list) and all(isinstance(b, dict) and "required" in b for b in branches):
        names = [name for branch in branches for name in branch["required"]]
        out.append("At least one of " + ", ".join(_code(n) for n in names) + " (not null).")
    for rule in schema.get("allOf") or []:
        if isinstance(rule, dict) and "if" in rule and "then" in rule:
            when = " and ".join(_condition(rule["if"], when=True))
            then = "; ".join(_condition(rule["then"], when=False))
            out.append(f"When {when}: {then}.")
    return out


# -- the document ----------------------------------------------------------------------------


class _Writer:
    def __init__(self, document: dict[str, Any]) -> None:
        self.doc = document
        self.components: dict[str, Any] = document.get("components", {})
        self.schemas: dict[str, Any] = self.components.get("schemas", {})
        self.ids = {
            op["operationId"]: (method, path)
            for path, methods in document["paths"].items()
            for method, op in methods.items()
        }

    def lines(self) -> Iterator[str]:
        info = self.doc["info"]
        yield f"# {info['title']} {info['version']}: reference"
        yield ""
        yield (
            f"Generated from the OpenAPI {self.doc['openapi']} document (`{DOCUMENT_NAME}`, served at "
            "`GET /v1/openapi.json`) by `localapi openapi --write`; do not edit."
        )
        yield ""
        yield info.get("description", "")
        yield ""
        yield from self.servers()
        yield from self.contents()
        yield from self.security()
        yield from self.errors()
        yield from self.common()
        for tag in self.doc.get("tags", []):
            yield from self.tag(tag["name"])
        yield from self.schema_section()

    def servers(self) -> Iterator[str]:
        yield "## Servers"
        yield ""
        for server in self.doc.get("servers", []):
            yield f"- {_code(server['url'])}: {server.get('description', '')}"
            for name, variable in server.get("variables", {}).items():
                default = _code(variable["default"])
                yield f"  - {_code(name)} (default {default}): {variable.get('description', '')}"
        yield ""

    def operations(self, tag: str | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for path, methods in self.doc["paths"].items():
            for method in METHODS:
                op = methods.get(method)
                if op is not None and (tag is None or tag in op.get("tags", [])):
                    yield method, path, op

    def contents(self) -> Iterator[str]:
        yield "## Operations"
        yield ""
        for tag in self.doc.get("tags", []):
            yield f"**{tag['name']}**"
            yield ""
            for method, path, op in self.operations(tag["name"]):
                link = f"[`{method.upper()} {path}`](#{_anchor('op', op['operationId'])})"
                yield f"- {link}: {op.get('summary', '')}"
            yield ""

    def security(self) -> Iterator[str]:
        yield "## Authentication"
        yield ""
        for name, scheme in self.components.get("securitySchemes", {}).items():
            where = (
                f"HTTP `{scheme.get('scheme')}`"
                if scheme.get("type") == "http"
                else f"{scheme.get('type')} in {scheme.get('in')} `{scheme.get('name')}`"
            )
            yield f"- **{name}** ({where}): {scheme.get('description', '')}"
        yield ""

    def errors(self) -> Iterator[str]:
        yield "## Errors"
        yield ""
        yield "Every error answers the envelope " + _schema_link("ErrorEnvelope") + "."
        yield ""
        yield "| Status | Response | Codes and notes | Headers |"
        yield "|---|---|---|---|"
        for name, response in self.components.get("responses", {}).items():
            status = self._status_of(name)
            headers = ", ".join(_code(h) for h in response.get("headers", {}))
            yield f"| {status} | {name} | {_cell(response.get('description', ''))} | {headers} |"
        yield ""

    def _status_of(self, response_name: str) -> str:
        for _, _, op in self.operations():
            for status, response in op["responses"].items():
                if response.get("$ref") == RESPONSE_REF + response_name:
                    return status
        return ""

    def common(self) -> Iterator[str]:
        yield "## Common headers and parameters"
        yield ""
        for name, header in self.components.get("headers", {}).items():
            required = " Always sent." if header.get("required") else ""
            clauses = "; ".join(rules_of(header.get("schema", {})))
            yield f"- Response header {_code(name)}: {header.get('description', '')}{required} ({clauses})"
        for parameter in self.components.get("parameters", {}).values():
            clauses = "; ".join(rules_of(parameter.get("schema", {})))
            yield (
                f"- Request {parameter['in']} {_code(parameter['name'])}: "
                f"{parameter.get('description', '')} ({clauses})"
            )
        yield ""

    def tag(self, tag: str) -> Iterator[str]:
        yield f"## {tag}"
        yield ""
        for method, path, op in self.operations(tag):
            yield from self.operation(method, path, op)

    def operation(self, method: str, path: str, op: dict[str, Any]) -> Iterator[str]:
        yield f'<a id="{_anchor("op", op["operationId"])}"></a>'
        yield ""
        yield f"### `{method.upper()} {path}`"
        yield ""
        security = self.requirements(op.get("security"))
        description = str(op.get("description", ""))
        scope = security.split(". ", 1)[0] + "."
        if scope.startswith("Scope "):  # the description's own "Scope: ..." says the same
            description = description.replace(scope.replace("Scope ", "Scope: ", 1), "").strip()
        yield f"**{op.get('summary', '')}.** {description}".rstrip()
        yield ""
        yield f"Operation id: `{op['operationId']}`. {security}"
        yield ""
        parameters = [self.resolve_parameter(p) for p in op.get("parameters", [])]
        if parameters:
            yield "**Parameters**"
            yield ""
            yield "| Name | In | Type | Required | Rules | Description |"
            yield "|---|---|---|---|---|---|"
            for parameter in parameters:
                schema = parameter.get("schema", {})
                required = "yes" if parameter.get("required") else "no"
                yield (
                    f"| `{parameter['name']}` | {parameter['in']} | {_cell(type_of(schema))} | {required} | "
                    f"{_cell('; '.join(rules_of(schema)))} | {_cell(parameter.get('description', ''))} |"
                )
            yield ""
        body = op.get("requestBody")
        if body is not None:
            yield from self.request_body(body)
        yield "**Responses**"
        yield ""
        yield "| Status | Description | Body |"
        yield "|---|---|---|"
        for status, response in op["responses"].items():
            yield from self.response_row(status, response)
        yield ""
        links = [
            (status, name, link)
            for status, response in op["responses"].items()
            for name, link in response.get("links", {}).items()
        ]
        if links:
            yield "**Links** (what an answer feeds to other operations)"
            yield ""
            for status, _, link in links:
                target = link["operationId"]
                method_, path_ = self.ids.get(target, ("", target))
                values = ", ".join(f"{_code(k)} = {_code(v)}" for k, v in link.get("parameters", {}).items())
                yield f"- {status} → [`{method_.upper()} {path_}`](#{_anchor('op', target)}): {values}"
            yield ""

    def requirements(self, security: list[dict[str, list[str]]] | None) -> str:
        if not security:
            return "Public: no authentication."
        scopes = sorted(
            {scope for requirement in security for scopes in requirement.values() for scope in scopes}
        )
        alternatives = "; ".join(" + ".join(f"`{name}`" for name in requirement) for requirement in security)
        scope_text = ("Scope " + ", ".join(_code(s) for s in scopes) + ". ") if scopes else ""
        return f"{scope_text}Security (any one of): {alternatives}."

    def resolve_parameter(self, parameter: dict[str, Any]) -> dict[str, Any]:
        ref = parameter.get("$ref")
        if isinstance(ref, str):
            return dict(self.components["parameters"][ref.rsplit("/", 1)[1]])
        return parameter

    def request_body(self, body: dict[str, Any]) -> Iterator[str]:
        schema = body["content"]["application/json"]["schema"]
        required = "required" if body.get("required") else "optional"
        described = f" {body['description']}" if body.get("description") else ""
        yield f"**Request body** ({required}): {type_of(schema)}.{described}"
        yield ""
        name = _ref_name(schema)
        if name is not None:
            yield from self.fields(self.schemas[name])
        else:
            clauses = rules_of(schema)
            if clauses:
                yield "Rules: " + "; ".join(clauses) + "."
                yield ""

    def fields(self, schema: dict[str, Any]) -> Iterator[str]:
        properties = schema.get("properties") or {}
        if properties:
            required = set(schema.get("required", []))
            yield "| Field | Type | Required | Rules | Description |"
            yield "|---|---|---|---|---|"
            for name, sub in properties.items():
                kind = type_of(sub) + (" or null" if _nullable(sub) and "null" not in type_of(sub) else "")
                yield (
                    f"| `{name}` | {_cell(kind)} | {'yes' if name in required else 'no'} | "
                    f"{_cell('; '.join(rules_of(sub)))} | {_cell(_description(sub))} |"
                )
            yield ""
        sentences = cross_field_rules(schema)
        for name, sub in properties.items():
            for member in [sub, *(sub.get("anyOf") or [])] if isinstance(sub, dict) else []:
                label = f"{_code(name)}" + (f" as {type_of(member)}" if member is not sub else "")
                sentences += [
                    f"In {label}: {rule[:1].lower()}{rule[1:]}" for rule in cross_field_rules(member)
                ]
        for sentence in sentences:
            yield f"- {sentence}"
        if sentences:
            yield ""

    def response_row(self, status: str, response: dict[str, Any]) -> Iterator[str]:
        ref = response.get("$ref")
        if isinstance(ref, str):
            name = ref[len(RESPONSE_REF) :]
            response = self.components["responses"][name]
            yield f"| {status} | {_cell(response.get('description', ''))} | {_schema_link('ErrorEnvelope')} |"
            return
        schema = response.get("content", {}).get("application/json", {}).get("schema")
        body = type_of(schema) if schema else "none"
        yield f"| {status} | {_cell(response.get('description', ''))} | {_cell(body)} |"

    def bodies(self) -> dict[str, list[tuple[str, str, str]]]:
        """Request body schemas: their operations (method, path, operationId)."""
        out: dict[str, list[tuple[str, str, str]]] = {}
        for method, path, op in self.operations():
            schema = (
                op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            )
            name = _ref_name(schema)
            if name is not None:
                out.setdefault(name, []).append((method, path, op["operationId"]))
        return out

    def schema_section(self) -> Iterator[str]:
        yield "## Schemas"
        yield ""
        bodies = self.bodies()
        for name in sorted(self.schemas):
            schema = self.schemas[name]
            yield f'<a id="{_anchor("schema", name)}"></a>'
            yield ""
            yield f"### {name}"
            yield ""
            if name in bodies:  # its fields are laid out with its operations
                ops = ", ".join(f"[`{m.upper()} {p}`](#{_anchor('op', i)})" for m, p, i in bodies[name])
                yield f"The request body of {ops}: its fields are described there."
                yield ""
                continue
            if schema.get("description"):
                yield " ".join(str(schema["description"]).split())
                yield ""
            if schema.get("properties"):
                yield from self.fields(schema)
            else:
                yield f"{type_of(schema)}: " + "; ".join(rules_of(schema))
                yield ""


def operations_in(document: dict[str, Any]) -> Iterable[str]:
    """`METHOD /path` of every operation, in the reference's order."""
    for path, methods in document["paths"].items():
        for method in METHODS:
            if method in methods:
                yield f"{method.upper()} {path}"
