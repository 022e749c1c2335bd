"""Every route of the route table (`core/platform/routes.json`), with what an attack on it needs:
the handler and its `spec`, the route's sample event in `events/` (a valid request to
mutate), and the shape of its inputs read from the spec's request models.

Nothing here names a route: a new route is covered as soon as template.yaml (and so
routes.json) has it and `events/` holds its sample.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from pydantic.fields import FieldInfo

from core.ledger.hierarchy import EXAMPLE_IDS, UUID_PATTERN
from core.platform import routing
from core.platform.http import WRITE_METHODS
from core.platform.ids import id_pattern
from core.platform.pipeline import Spec
from core.platform.validation import SERVER_OWNED, RequestModel
from localapi.events import event_body_bytes, events_dir, load_event
from localapi.template import load_template, routes
from tests.support.harness import ROOT, handler_module

# How a handler authenticates, read from its spec.
PARTNER = "partner"  # an API key and a request signature (`core.platform.pipeline.endpoint`)
PROVIDER = "provider"  # a third party's own signature (`endpoint(authenticate=...)`)
PAGE = "page"  # an HTML page whose path token is the credential (`core.platform.web.page`, no spec)
PUBLIC = "public"  # no credentials at all (`core.platform.pipeline.unrouted`: a public document)

_ID_PATTERN = re.compile(re.escape(id_pattern("PREFIX")).replace("PREFIX", "([a-z]+)"))
ID_VALUE = re.compile(r"^([a-z]+)_[A-Za-z0-9]+$")
# The ledger's ids are UUIDs, which carry no prefix: a UUID field is known by the example id
# it documents (`core.ledger.hierarchy.EXAMPLE_IDS`), and its "prefix" here is its kind.
UUID_KINDS = {uuid: kind for kind, uuid in EXAMPLE_IDS.items()}


def id_prefix(field: FieldInfo) -> str | None:
    """The id prefix a field accepts (`cus` for `Field(pattern=id_pattern("cus"))`; the kind,
    `ledger`, for a UUID documented by its example id), else None."""
    for item in field.metadata:
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            found = _ID_PATTERN.fullmatch(pattern)
            if found is not None:
                return found.group(1)
            if pattern == UUID_PATTERN:
                return next((UUID_KINDS[e] for e in field.examples or () if e in UUID_KINDS), None)
    return None


def id_kind(value: Any) -> str | None:
    """The prefix of an id value (`cus` of `cus_01...`), or the kind of a sample UUID."""
    if not isinstance(value, str):
        return None
    found = ID_VALUE.fullmatch(value)
    return found.group(1) if found is not None else UUID_KINDS.get(value)


def unknown_id(prefix: str) -> str:
    """A well-formed id of this prefix (or UUID kind) that names nothing."""
    return "00000000-0000-7000-8000-000000000000" if prefix in EXAMPLE_IDS else f"{prefix}_{'0' * 26}"


@dataclass(frozen=True)
class Target:
    """One route of the route table and the function that serves it."""

    method: str
    path: str  # the template, e.g. /v1/customers/{customerId}
    function_dir: str  # under functions/, e.g. customers/get
    event_name: str  # its sample in events/, e.g. customers_get

    def __str__(self) -> str:
        return self.route_key

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def handler(self) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        handler: Callable[[dict[str, Any], Any], dict[str, Any]] = handler_module(
            self.function_dir
        ).lambda_handler
        return handler

    @property
    def spec(self) -> Spec | None:
        spec = getattr(self.handler, "spec", None)
        return spec if isinstance(spec, Spec) else None

    @property
    def kind(self) -> str:
        spec = self.spec
        if spec is None:
            # Without a spec the decorator tells: `core.platform.web.page` or
            # `core.platform.pipeline.unrouted`.
            return PAGE if self.handler.__qualname__.startswith("page.") else PUBLIC
        return PROVIDER if spec.authenticate is not None else PARTNER

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    @property
    def body_model(self) -> type[RequestModel] | None:
        return self.spec.body if self.spec else None

    @property
    def query_model(self) -> type[RequestModel] | None:
        return self.spec.query if self.spec else None

    @property
    def path_model(self) -> type[RequestModel] | None:
        return self.spec.path if self.spec else None

    @property
    def path_ids(self) -> dict[str, str]:
        """Path parameters that name a resource: {name: id prefix}."""
        return _ids_of(self.path_model)

    @property
    def query_ids(self) -> dict[str, str]:
        """Query parameters that name a resource (list filters such as `clientId`)."""
        return _ids_of(self.query_model)

    @property
    def is_list(self) -> bool:
        return (
            self.method == "GET"
            and self.query_model is not None
            and "cursor" in self.query_model.model_fields
        )

    @property
    def is_create(self) -> bool:
        """A partner route that makes a new resource: POST answering 201, at the top or, in the
        ledger's hierarchy, under the parents its path names (a ledger in its organization).
        (An action that issues a child, such as an account's number, is not one: its parent
        must be of a particular sort, which a sample does not say.)"""
        spec = self.spec
        return (
            self.kind == PARTNER
            and spec is not None
            and self.method == "POST"
            and spec.status == 201
            and (spec.path is None or all(kind in EXAMPLE_IDS for kind in self.path_ids.values()))
        )

    @property
    def server_owned(self) -> list[str]:
        """The body fields a client can never set on this route (API.md "Conventions")."""
        model = self.body_model
        extra = model.server_owned if model is not None else frozenset()
        return sorted(SERVER_OWNED | extra)

    @property
    def required_fields(self) -> list[str]:
        model = self.body_model
        if model is None:
            return []
        return [name for name, field in model.model_fields.items() if field.is_required()]

    # -- the sample ---------------------------------------------------------------------

    @property
    def sample_file(self) -> str:
        return str((events_dir() / f"{self.event_name}.json").relative_to(ROOT))

    def has_sample(self) -> bool:
        return (events_dir() / f"{self.event_name}.json").is_file()

    def sample(self) -> dict[str, Any]:
        """The sample event; a route without one cannot be attacked (and a test says so)."""
        if not self.has_sample():
            raise AssertionError(f"{self} has no sample event {self.sample_file} to mutate")
        event: dict[str, Any] = json.loads(_sample_text(self.event_name))
        return event

    def sample_body(self) -> bytes:
        return event_body_bytes(self.sample())

    def sample_json(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.sample_body())
        except ValueError:  # no body, or a form (the pages)
            return None
        return value if isinstance(value, dict) else None

    def sample_query(self) -> str:
        return str(self.sample().get("rawQueryString") or "")

    def sample_path_params(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in (self.sample().get("pathParameters") or {}).items()}

    def render_path(self, params: dict[str, str]) -> str:
        """The raw path with `params` filled in, each percent-encoded as a client sends it."""

        def fill(found: re.Match[str]) -> str:
            return quote(params[found.group(1)], safe="")

        return re.sub(r"\{([A-Za-z0-9_]+)\}", fill, self.path)


@cache
def _sample_text(event_name: str) -> str:
    return json.dumps(load_event(event_name))


def _ids_of(model: type[RequestModel] | None) -> dict[str, str]:
    if model is None:
        return {}
    out = {}
    for name, field in model.model_fields.items():
        prefix = id_prefix(field)
        if prefix is not None:
            out[name] = prefix
    return out


@cache
def targets() -> tuple[Target, ...]:
    """The route table (core/platform/routes.json), each route joined to its function in template.yaml."""
    table = json.loads(routing.ROUTES_FILE.read_text())
    functions = {
        r.route_key: r for r in routes(load_template(ROOT / "template.yaml")) if r.path != "$default"
    }
    out = []
    for entry in table:
        key = f"{entry['method']} {entry['path']}"
        route = functions.get(key)
        if route is None:
            raise AssertionError(
                f"{key} is in core/platform/routes.json but not in template.yaml: regenerate it"
            )
        function_dir = route.code_uri.relative_to(ROOT / "functions").as_posix()
        out.append(Target(entry["method"], entry["path"], function_dir, route.event_name))
    return tuple(out)


def of_kind(kind: str) -> list[Target]:
    return [target for target in targets() if target.kind == kind]
