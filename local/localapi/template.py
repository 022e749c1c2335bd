"""template.yaml, read once for everything local: routes, function environments, the table.

template.yaml is the one source of truth. The local API routes requests with it, the
`invoke` command finds handlers with it, and every test builds its DynamoDB table from
it (`table_definition`), so nothing here repeats a route, a variable or a key schema.

CloudFormation short tags (`!Ref`, `!GetAtt`, `!Sub`, ...) load as their long forms
(`{"Ref": ...}`, `{"Fn::GetAtt": [...]}`, `{"Fn::Sub": ...}`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

TEMPLATE_FILE = "template.yaml"
FUNCTION_TYPE = "AWS::Serverless::Function"
LAYER_TYPE = "AWS::Serverless::LayerVersion"
TABLE_TYPE = "AWS::DynamoDB::Table"
ROUTE_EVENT_TYPES = ("HttpApi",)
# Functions that Lambda's event source mappings invoke: the local API polls them alike.
SOURCE_EVENT_TYPES = ("DynamoDB", "SQS")

# What CloudFormation's pseudo parameters stand for locally (sam local uses the same).
PSEUDO_PARAMETERS: dict[str, str] = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "local",
    "AWS::StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/local/local",
}


class TemplateError(Exception):
    """template.yaml is missing, malformed, or names something that cannot be resolved locally."""


# -- loading ---------------------------------------------------------------------------


class CloudFormationLoader(yaml.SafeLoader):
    """A SafeLoader that reads CloudFormation's short tags as their long forms."""


_SHORT_TAGS = (
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAZs",
    "ImportValue",
    "Join",
    "Select",
    "Split",
    "Sub",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
    "ToJsonString",
    "Length",
)


def _node_value(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    kind = type(node).__name__
    raise yaml.constructor.ConstructorError(None, None, f"unexpected node {kind}", node.start_mark)


def _long_form(key: str) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        return {key: _node_value(loader, node)}

    return construct


def _get_att(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
    value = _node_value(loader, node)
    if isinstance(value, str):
        resource, _, attribute = value.partition(".")
        value = [resource, attribute]
    return {"Fn::GetAtt": value}


CloudFormationLoader.add_constructor("!Ref", _long_form("Ref"))
CloudFormationLoader.add_constructor("!Condition", _long_form("Condition"))
CloudFormationLoader.add_constructor("!GetAtt", _get_att)
for _name in _SHORT_TAGS:
    CloudFormationLoader.add_constructor(f"!{_name}", _long_form(f"Fn::{_name}"))


@dataclass(frozen=True)
class Template:
    """A parsed template and where it lives (CodeUri and ContentUri are relative to `root`)."""

    path: Path
    data: dict[str, Any]

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.data.get("Resources") or {})

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.data.get("Parameters") or {})

    @property
    def function_globals(self) -> dict[str, Any]:
        return dict((self.data.get("Globals") or {}).get("Function") or {})

    def functions(self) -> dict[str, dict[str, Any]]:
        """Logical id -> Properties of every AWS::Serverless::Function."""
        return {
            name: dict(resource.get("Properties") or {})
            for name, resource in self.resources.items()
            if isinstance(resource, dict) and resource.get("Type") == FUNCTION_TYPE
        }


def find_template(start: Path | None = None) -> Path:
    """template.yaml next to this package's repository, else in the cwd or one of its parents."""
    here = Path(__file__).resolve().parent
    places = [start.resolve()] if start is not None else [here, Path.cwd().resolve()]
    for place in places:
        for directory in (place, *place.parents):
            candidate = directory / TEMPLATE_FILE
            if candidate.is_file():
                return candidate
    raise TemplateError(f"no {TEMPLATE_FILE} found above {', '.join(str(p) for p in places)}")


def load_template(path: str | Path | None = None) -> Template:
    """Parse template.yaml (default: the repository's, see `find_template`)."""
    file = Path(path).resolve() if path is not None else find_template()
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=CloudFormationLoader)  # noqa: S506
    except OSError as exc:
        raise TemplateError(f"cannot read {file}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise TemplateError(f"{file} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise TemplateError(f"{file} has no Resources")
    return Template(path=file, data=data)


def _template(template: Template | None) -> Template:
    return template if template is not None else load_template()


# -- routes ----------------------------------------------------------------------------

_PARAM = re.compile(r"^\{([A-Za-z0-9_]+)(\+?)\}$")


class _Handled:
    """Where a function's handler is: `code_uri` + `handler` ("app.lambda_handler")."""

    code_uri: Path
    handler: str

    @property
    def handler_file(self) -> Path:
        module, _, _ = self.handler.rpartition(".")
        return self.code_uri.joinpath(*module.split(".")).with_suffix(".py")

    @property
    def handler_name(self) -> str:
        return self.handler.rpartition(".")[2]


@dataclass(frozen=True)
class Route(_Handled):
    """One HttpApi event of one function: `METHOD path` -> the handler that serves it."""

    function: str  # logical id, e.g. CreateSigningKeyFunction
    method: str  # upper case; "ANY" matches every method
    path: str  # path template, e.g. /v1/signing-keys/{keyId}
    code_uri: Path  # absolute directory of the function's code
    handler: str  # "app.lambda_handler"
    pattern: re.Pattern[str] = field(compare=False, repr=False)
    # The event's logical id in the function's Events: "Api" for its route; a function
    # with a second route (the same handler at a second spelling) names it otherwise.
    event: str = "Api"

    @property
    def alias(self) -> str:
        """ "" for a function's own route; `SeedSpelling` for its event `ApiSeedSpelling`."""
        return "" if self.event == "Api" else self.event.removeprefix("Api")

    @property
    def route_key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"

    @property
    def event_name(self) -> str:
        """`functions/signing_keys/create/` -> `signing_keys_create` (its file in events/); a
        second route's sample adds its alias: `ledger_accounts_get_seed_spelling`."""
        parts = self.code_uri.parts
        if "functions" in parts:
            name = "_".join(parts[len(parts) - parts[::-1].index("functions") :])
        else:
            name = "_".join(parts[-2:])
        alias = re.sub(r"(?<!^)(?=[A-Z])", "_", self.alias).lower()
        return f"{name}_{alias}" if alias else name

    @property
    def specificity(self) -> tuple[int, int, int]:
        """API Gateway prefers literal segments over `{param}` over `{proxy+}`."""
        if self.path == "$default":
            return (-(10**6), 0, 0)  # the catch-all matches only when nothing else does
        segments = self.path.strip("/").split("/")
        greedy = sum(1 for s in segments if s.endswith("+}"))
        literal = sum(1 for s in segments if not s.startswith("{"))
        return (-greedy, literal, len(segments))

    def match(self, raw_path: str) -> dict[str, str] | None:
        """Path parameters (percent-decoded) when `raw_path` fits this route, else None."""
        found = self.pattern.fullmatch(raw_path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in found.groupdict().items()}

    def allows(self, method: str) -> bool:
        return self.method == "ANY" or self.method == method.upper()


def compile_path(path: str) -> re.Pattern[str]:
    """The layer's own path matcher, plus `$default`, which matches everything."""
    from core.platform.routing import compile_path as compile_route

    if path == "$default":
        return re.compile(r"/.*")
    return compile_route(path)


def routes(template: Template | None = None) -> list[Route]:
    """Every HttpApi route in the template, most specific first."""
    template = _template(template)
    defaults = template.function_globals
    found: list[Route] = []
    for logical_id, props in template.functions().items():
        code_uri = props.get("CodeUri", defaults.get("CodeUri"))
        handler = props.get("Handler", defaults.get("Handler"))
        if not isinstance(code_uri, str) or not isinstance(handler, str):
            raise TemplateError(f"{logical_id} needs a local CodeUri and a Handler")
        for event_id, event in (props.get("Events") or {}).items():
            if event.get("Type") not in ROUTE_EVENT_TYPES:
                continue
            event_props = event.get("Properties") or {}
            path = str(event_props.get("Path", "$default"))
            method = str(event_props.get("Method", "ANY")).upper()
            if method == "X-AMAZON-APIGATEWAY-ANY-METHOD":
                method = "ANY"
            found.append(
                Route(
                    function=logical_id,
                    method=method,
                    path=path,
                    code_uri=(template.root / code_uri).resolve(),
                    handler=handler,
                    pattern=compile_path(path),
                    event=str(event_id),
                )
            )
    found.sort(key=lambda r: r.specificity, reverse=True)
    return found


@dataclass(frozen=True)
class EventSource(_Handled):
    """One DynamoDB-stream or SQS event of one function (an event source mapping)."""

    function: str
    kind: str  # "DynamoDB" or "SQS"
    properties: dict[str, Any] = field(compare=False)  # the event's Properties, unresolved
    code_uri: Path
    handler: str

    @property
    def event_name(self) -> str:
        """`functions/webhooks/dispatch/` -> `webhooks_dispatch` (its file in events/)."""
        return "_".join(self.code_uri.parts[-2:])

    @property
    def filter_patterns(self) -> list[dict[str, Any]]:
        """FilterCriteria's patterns, parsed (an empty list lets every record through)."""
        import json

        filters = ((self.properties.get("FilterCriteria") or {}).get("Filters")) or []
        return [json.loads(f["Pattern"]) for f in filters]


def event_sources(template: Template | None = None) -> list[EventSource]:
    """Every stream and queue event source of the template's functions."""
    template = _template(template)
    defaults = template.function_globals
    found = []
    for logical_id, props in template.functions().items():
        for event in (props.get("Events") or {}).values():
            if event.get("Type") in SOURCE_EVENT_TYPES:
                found.append(
                    EventSource(
                        function=logical_id,
                        kind=str(event["Type"]),
                        properties=dict(event.get("Properties") or {}),
                        code_uri=(template.root / str(props.get("CodeUri"))).resolve(),
                        handler=str(props.get("Handler", defaults.get("Handler"))),
                    )
                )
    return found


def function_route(template: Template | None, name: str) -> Route:
    """The route of a function named by logical id or by event name (`signing_keys_create`)."""
    candidates = routes(template)
    for route in candidates:
        if name in (route.function, route.event_name):
            return route
    known = ", ".join(sorted({r.function for r in candidates} | {r.event_name for r in candidates}))
    raise TemplateError(f"no function {name!r} in template.yaml (known: {known})")


def layer_paths(template: Template | None = None) -> list[Path]:
    """Where each layer's Python code lives locally (`<ContentUri>/python`), as Lambda's /opt/python."""
    template = _template(template)
    out = []
    for resource in template.resources.values():
        if isinstance(resource, dict) and resource.get("Type") == LAYER_TYPE:
            content = (resource.get("Properties") or {}).get("ContentUri")
            if isinstance(content, str):
                candidate = (template.root / content / "python").resolve()
                if candidate.is_dir():
                    out.append(candidate)
    return out


# -- environment -----------------------------------------------------------------------


def function_environment(
    template: Template | None, logical_id: str, overrides: Mapping[str, Any] | None = None
) -> dict[str, str]:
    """Globals + the function's own Environment.Variables, with intrinsics resolved.

    `overrides` gives values for `Ref`s and `GetAtt`s: a resource or parameter's logical
    id (`Table` -> the local table name, `CursorSecret` -> the local secret) or
    `Resource.Attribute` (`Table.Arn`). Parameters not overridden take their Default.
    """
    template = _template(template)
    props = template.functions().get(logical_id)
    if props is None:
        raise TemplateError(f"no function {logical_id!r} in template.yaml")
    variables = dict(((template.function_globals.get("Environment") or {}).get("Variables")) or {})
    variables.update(((props.get("Environment") or {}).get("Variables")) or {})
    resolver = _Resolver(template, dict(overrides or {}))
    return {name: _to_str(resolver.resolve(value)) for name, value in variables.items()}


def _to_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Resolver:
    def __init__(self, template: Template, overrides: dict[str, Any]) -> None:
        self.template = template
        self.overrides = overrides

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(str(arg))
            if key == "Fn::GetAtt":
                resource, attribute = arg if isinstance(arg, list) else str(arg).split(".", 1)
                return self.get_att(str(resource), str(attribute))
            if key == "Fn::Sub":
                return self.sub(arg)
            if key == "Fn::Join":
                separator, items = arg
                return str(separator).join(_to_str(self.resolve(i)) for i in self.resolve(items))
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if key.startswith("Fn::"):
                raise TemplateError(f"{key} is not supported in a local environment value")
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def ref(self, name: str) -> Any:
        if name in self.overrides:
            return self.overrides[name]
        if name in PSEUDO_PARAMETERS:
            return PSEUDO_PARAMETERS[name]
        parameter = self.template.parameters.get(name)
        if parameter is not None:
            if "Default" not in parameter:
                raise TemplateError(f"parameter {name} has no Default: pass a local value for it")
            return parameter["Default"]
        if name in self.template.resources:
            raise TemplateError(f"!Ref {name}: pass the local name of resource {name}")
        raise TemplateError(f"!Ref {name}: no such parameter or resource")

    def get_att(self, resource: str, attribute: str) -> Any:
        key = f"{resource}.{attribute}"
        if key in self.overrides:
            return self.overrides[key]
        kind = (self.template.resources.get(resource) or {}).get("Type")
        if kind == TABLE_TYPE and attribute in ("Arn", "StreamArn"):
            region, account = PSEUDO_PARAMETERS["AWS::Region"], PSEUDO_PARAMETERS["AWS::AccountId"]
            arn = f"arn:aws:dynamodb:{region}:{account}:table/{self.ref(resource)}"
            return arn if attribute == "Arn" else f"{arn}/stream/local"
        raise TemplateError(f"!GetAtt {key}: pass a local value for it")

    def sub(self, arg: Any) -> str:
        text, extra = (arg[0], dict(arg[1])) if isinstance(arg, list) else (str(arg), {})

        def replace(found: re.Match[str]) -> str:
            name = found.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in extra:
                return _to_str(self.resolve(extra[name]))
            if "." in name and not name.startswith("AWS::"):
                resource, attribute = name.split(".", 1)
                return _to_str(self.get_att(resource, attribute))
            return _to_str(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, text)


# -- the table -------------------------------------------------------------------------


def table_resource(template: Template | None = None, logical_id: str | None = None) -> dict[str, Any]:
    """Properties of the template's DynamoDB table (the only one, or `logical_id`)."""
    template = _template(template)
    tables = {
        name: dict(resource.get("Properties") or {})
        for name, resource in template.resources.items()
        if isinstance(resource, dict) and resource.get("Type") == TABLE_TYPE
    }
    if logical_id is not None:
        if logical_id not in tables:
            raise TemplateError(f"no table {logical_id!r} in template.yaml")
        return tables[logical_id]
    if len(tables) != 1:
        raise TemplateError(f"expected one AWS::DynamoDB::Table, found {len(tables)}: name one")
    return next(iter(tables.values()))


def table_definition(
    template: Template | None, table_name: str, logical_id: str | None = None
) -> dict[str, Any]:
    """`client.create_table(**table_definition(...))` kwargs for the template's table:
    TableName, AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, BillingMode and
    StreamSpecification. TTL cannot be set at creation: apply `time_to_live(...)` with
    `update_time_to_live` afterwards (`localapi.dynamodb.create_table` does both)."""
    props = table_resource(template, logical_id)
    billing = props.get("BillingMode", "PROVISIONED")
    kwargs: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": [dict(a) for a in props["AttributeDefinitions"]],
        "KeySchema": [dict(k) for k in props["KeySchema"]],
        "BillingMode": billing,
    }
    if billing == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = dict(
            props.get("ProvisionedThroughput") or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        )
    indexes = []
    for index in props.get("GlobalSecondaryIndexes") or []:
        out = {
            "IndexName": index["IndexName"],
            "KeySchema": [dict(k) for k in index["KeySchema"]],
            "Projection": dict(index.get("Projection") or {"ProjectionType": "ALL"}),
        }
        if billing == "PROVISIONED":
            out["ProvisionedThroughput"] = dict(
                index.get("ProvisionedThroughput") or {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
            )
        indexes.append(out)
    if indexes:
        kwargs["GlobalSecondaryIndexes"] = indexes
    stream = props.get("StreamSpecification")
    if stream and stream.get("StreamViewType"):
        kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    return kwargs


def time_to_live(template: Template | None = None, logical_id: str | None = None) -> dict[str, Any] | None:
    """The table's `TimeToLiveSpecification` ({"AttributeName": ..., "Enabled": ...}) or None."""
    spec = table_resource(template, logical_id).get("TimeToLiveSpecification")
    if not spec or not spec.get("AttributeName"):
        return None
    return {"AttributeName": spec["AttributeName"], "Enabled": bool(spec.get("Enabled", True))}
