"""The benchmark command (`bench`): cold starts, pipeline CPU time and DynamoDB round trips,
measured side by side in one run and printed, never asserted (machines are shared and noisy).

This module holds what the three measurements share: template.yaml's handlers, signed
API Gateway events, summary statistics and the context managers that keep the runs quiet.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import math
import os
import statistics
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from localapi.template import Route, Template

ROOT = Path(__file__).resolve().parents[2]
BARE_HANDLER_DIR = ROOT / "bench" / "bare_handler"
FLOOR_HANDLER_DIR = ROOT / "bench" / "floor_handler"
HOST = "api.bench.local"
TABLE = "partner-api-bench"
# Dummy values for what a function's environment needs (never real credentials or tables).
CURSOR_SECRET = "bench-cursor-secret-0123456789abcdef0123"  # noqa: S105 - a dummy
DUMMY_AWS = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


# -- statistics ------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation; any non-empty sample."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Stats:
    """Summary of one sample (same unit as the sample)."""

    n: int
    mean: float
    p50: float
    p90: float
    p99: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        if not values:
            return cls(0, math.nan, math.nan, math.nan, math.nan)
        return cls(
            len(values),
            statistics.fmean(values),
            percentile(values, 50),
            percentile(values, 90),
            percentile(values, 99),
        )


def ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


# -- template.yaml ---------------------------------------------------------------------


def template() -> Template:
    from localapi.template import load_template

    return load_template(ROOT / "template.yaml")


def route_for(route_key: str, tmpl: Template | None = None) -> Route:
    """The route of `METHOD /path` (e.g. `POST /v1/signing-keys`) in template.yaml."""
    from localapi.template import routes

    for route in routes(tmpl or template()):
        if route.route_key == route_key:
            return route
    raise LookupError(f"template.yaml has no route {route_key!r}")


def layer_dirs(tmpl: Template | None = None) -> list[Path]:
    """The layers' `python/` folders: what Lambda puts on sys.path as /opt/python."""
    from localapi.template import layer_paths

    return layer_paths(tmpl or template())


def function_env(logical_id: str, tmpl: Template | None = None) -> dict[str, str]:
    """The function's Environment from template.yaml, every `Ref`/`GetAtt` of a resource and
    every parameter without a default resolved to a dummy (the table is `TABLE`)."""
    from localapi.template import function_environment

    tmpl = tmpl or template()
    dummies: dict[str, str] = {}
    for name in tmpl.resources:
        dummies[name] = f"bench-{name}"
        dummies[f"{name}.Arn"] = f"arn:aws:bench:us-east-1:123456789012:{name}"
    dummies.update({name: CURSOR_SECRET for name, p in tmpl.parameters.items() if "Default" not in p})
    dummies.update({"Table": TABLE, "CursorSecret": CURSOR_SECRET})
    dummies.pop("Table.Arn")  # the template module derives the table's ARNs itself
    return function_environment(tmpl, logical_id, dummies)


@dataclass(frozen=True)
class Function:
    """A function of template.yaml: where its code is and how Lambda imports it."""

    name: str
    code_dir: Path
    module: str  # "app" for Handler: app.lambda_handler
    attribute: str  # "lambda_handler"


def functions(tmpl: Template | None = None) -> list[Function]:
    """Every AWS::Serverless::Function of template.yaml, by logical id."""
    tmpl = tmpl or template()
    defaults = tmpl.function_globals
    out = []
    for name, props in sorted(tmpl.functions().items()):
        code_uri = props.get("CodeUri", defaults.get("CodeUri"))
        handler = props.get("Handler", defaults.get("Handler", "app.lambda_handler"))
        if not isinstance(code_uri, str) or not isinstance(handler, str):
            continue  # not local code (an image, an S3 URI): nothing to import here
        module, _, attribute = handler.rpartition(".")
        out.append(Function(name, (tmpl.root / code_uri).resolve(), module, attribute))
    return out


_handlers: dict[Path, ModuleType] = {}


def load_handler(route: Route) -> ModuleType:
    """The route's handler module, imported once in this process under a unique name."""
    path = route.handler_file
    if path not in _handlers:
        name = "bench_fn_" + "_".join(path.parent.relative_to(ROOT).parts)
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _handlers[path] = module
    return _handlers[path]


# -- signed requests -------------------------------------------------------------------


@dataclass
class Signer:
    """A partner's API key and Ed25519 signing key, signing as the SDK does."""

    api_key: str
    key_id: str
    private_key: Any

    def headers(
        self, method: str, path: str, query: str, body: bytes, *, scheme: str, now: float
    ) -> dict[str, str]:
        from partner_sdk import signing

        out = {"authorization": f"Bearer {self.api_key}", "host": HOST, "x-forwarded-proto": "https"}
        if scheme == "simple":
            signed = signing.simple_headers(
                private_key=self.private_key,
                key_id=self.key_id,
                method=method,
                path=path,
                query=query,
                body=body,
                timestamp=int(now),
            )
        else:
            url = f"https://{HOST}{path}" + (f"?{query}" if query else "")
            signed = signing.rfc9421_headers(
                private_key=self.private_key,
                key_id=self.key_id,
                algorithm="ed25519",
                method=method,
                url=url,
                body=body,
                created=int(now),
            )
        out.update({name.lower(): value for name, value in signed.items()})
        return out

    def event(
        self,
        route: Route,
        *,
        path: str | None = None,
        query: str = "",
        body: bytes = b"",
        scheme: str = "rfc9421",
        now: float,
        idempotency_key: str | None = None,
        path_params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """A signed API Gateway HTTP API (payload 2.0) event for `route`."""
        from localapi.events import http_api_event

        raw_path = path or route.path
        headers = self.headers(route.method, raw_path, query, body, scheme=scheme, now=now)
        if idempotency_key is not None:
            headers["idempotency-key"] = idempotency_key
        return http_api_event(
            method=route.method,
            raw_path=raw_path,
            raw_query=query,
            headers=headers,
            body=body,
            route_key=route.route_key,
            path_parameters=path_params,
            now=now,
        )


def new_private_key() -> Any:
    from partner_sdk import signing

    return signing.generate_private_key("ed25519")


def public_pem(private_key: Any) -> str:
    from partner_sdk import signing

    return signing.public_key_pem(private_key)


# -- quiet, controlled runs ------------------------------------------------------------


class NullSink(io.TextIOBase):
    """A text stream that discards what it is given (the log line is still formatted)."""

    def write(self, text: str) -> int:
        return len(text)

    def writable(self) -> bool:
        return True


@contextlib.contextmanager
def environ(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, remove) environment variables; restore them afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def quiet_powertools(*, metrics: bool) -> Iterator[None]:
    """Send the layer's log lines (Powertools Logger) and EMF metrics (printed to stdout)
    to a null sink, without touching the layer: the logger's handler gets a new stream,
    stdout is redirected. The log line stays at INFO so its formatting is still paid.
    `metrics=True` keeps EMF serialisation on (as on Lambda), False disables it."""
    from core.platform import observability

    handler = observability.logger.registered_handler
    level = observability.logger.log_level
    stream = handler.setStream(NullSink()) if isinstance(handler, logging.StreamHandler) else None
    observability.logger.setLevel(logging.INFO)
    try:
        with (
            environ({"POWERTOOLS_METRICS_DISABLED": "false" if metrics else "true", "POWERTOOLS_DEV": None}),
            contextlib.redirect_stdout(NullSink()),
        ):
            yield
    finally:
        observability.logger.setLevel(level)
        if stream is not None and isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)


# -- reporting ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryRow:
    """One line of the final summary: a figure, its target and whether it is met."""

    figure: str
    measured: str
    target: str
    met: bool | None  # None: informative, no target


def verdict(met: bool | None) -> str:
    if met is None:
        return "[dim]—[/dim]"
    return "[green]yes[/green]" if met else "[red]no[/red]"


def fmt(value: float, digits: int = 0) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"
