"""The local HTTP API: a WSGI app that routes each request by template.yaml and calls
the handler it names with the API Gateway HTTP API (payload 2.0) event AWS would send.

Every function runs in this one process, each `app.py` imported once under its own
module name. The layer reads its environment at first use, so `prepare_environment`
sets the union of the functions' environments before any handler runs.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import secrets
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response as WsgiResponse

from localapi.dynamodb import DUMMY_CREDENTIALS, REGION
from localapi.events import http_api_event
from localapi.template import EventSource, Route, Template, function_environment, layer_paths, routes

Handler = Callable[[dict[str, Any], Any], Any]
HandlerLoader = Callable[[Route], Handler]

# Local-only settings: no EMF metrics on a terminal, and boto3 pointed at moto.
LOCAL_ENVIRONMENT = {
    "POWERTOOLS_METRICS_DISABLED": "true",
    # Webhooks to `http://127.0.0.1:...` (e.g. `partner webhooks listen`): the sandbox's
    # setting alone; template.yaml never sets it, so a deployment refuses loopback.
    "WEBHOOK_ALLOW_LOOPBACK_HTTP": "true",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    **DUMMY_CREDENTIALS,
}


# -- environment -----------------------------------------------------------------------


def local_overrides(
    table_name: str, cursor_secret: str, kyc_sandbox_secret: str | None = None
) -> dict[str, str]:
    """What template.yaml's `!Ref Table`, `!Ref CursorSecret` and `!Ref KycSandboxSecret`
    stand for locally. Without `kyc_sandbox_secret` a fresh one is made (fine for a caller
    that never needs to sign or check a sandbox KYC token or callback itself)."""
    from localapi import webhooks

    kyc_secret = kyc_sandbox_secret if kyc_sandbox_secret is not None else secrets.token_urlsafe(32)
    return {
        "Table": table_name,
        "CursorSecret": cursor_secret,
        "KycSandboxSecret": kyc_secret,
        **webhooks.overrides(),
    }


def functions_environment(template: Template, overrides: Mapping[str, Any]) -> dict[str, str]:
    """The union of every function's environment (they share one process locally).

    Raises ValueError if two functions need different values for one variable.
    """
    union: dict[str, str] = {}
    owners: dict[str, str] = {}
    for logical_id in template.functions():
        for name, value in function_environment(template, logical_id, overrides).items():
            if name in union and union[name] != value:
                raise ValueError(
                    f"{owners[name]} and {logical_id} set {name} differently; "
                    "the local API runs every function in one process"
                )
            union[name] = value
            owners.setdefault(name, logical_id)
    return union


def with_env_vars(template: Template, function_env: Mapping[str, str], document: Any) -> dict[str, str]:
    """`function_env` with the values of a `sam local start-api --env-vars` document:
    {"Parameters": {"NAME": "value"}} for every function, {"<FunctionLogicalId>": {...}}
    for one. Only variables the template declares can be set (a typo fails loudly), and,
    every function sharing this process, a variable takes one value. Raises ValueError."""
    if not isinstance(document, dict):
        raise ValueError("an --env-vars file holds a JSON object")
    out, set_by = dict(function_env), dict[str, str]()
    for section, values in document.items():
        if section != "Parameters" and section not in template.functions():
            raise ValueError(f"--env-vars: {section!r} is neither Parameters nor a function of the template")
        if not isinstance(values, dict):
            raise ValueError(f"--env-vars: {section} must map variable names to values")
        for name, value in values.items():
            if name not in function_env:
                raise ValueError(f"--env-vars: no function declares the variable {name}")
            if name in set_by and out[name] != str(value):
                raise ValueError(f"--env-vars: {set_by[name]} and {section} set {name} differently")
            out[name], set_by[name] = str(value), section
    return out


def prepare_environment(
    template: Template,
    *,
    dynamodb_endpoint: str,
    function_env: Mapping[str, str],
    environ: dict[str, str] | None = None,
) -> None:
    """Set the process environment every handler expects, and put the layers on sys.path."""
    target: Any = os.environ if environ is None else environ
    target.update(LOCAL_ENVIRONMENT)
    target["AWS_ENDPOINT_URL_DYNAMODB"] = dynamodb_endpoint
    # The webhook key and queues live in the same moto server as the table.
    target["AWS_ENDPOINT_URL_SQS"] = dynamodb_endpoint
    target["AWS_ENDPOINT_URL_KMS"] = dynamodb_endpoint
    target.update(function_env)
    for path in layer_paths(template):
        if str(path) not in sys.path:
            sys.path.append(str(path))


# -- handlers --------------------------------------------------------------------------

_import_lock = threading.Lock()
_modules: dict[Path, Any] = {}


def module_name(route: Route | EventSource) -> str:
    """A unique module name per handler file (every function's file is `app.py`), the same
    for every route the file serves (a function may have a second route)."""
    parts = route.handler_file.parent.parts
    where = parts[len(parts) - parts[::-1].index("functions") :] if "functions" in parts else parts[-2:]
    return f"localapi_fn_{'_'.join(where)}_{route.handler_file.stem}"


def load_module(route: Route | EventSource) -> ModuleType:
    """The route's handler module, imported once (cached by its file)."""
    path = route.handler_file
    with _import_lock:
        module = _modules.get(path)
        if module is None:
            spec = importlib.util.spec_from_file_location(module_name(route), path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot import {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(spec.name, None)
                raise
            _modules[path] = module
    return module


def load_handler(route: Route | EventSource) -> Handler:
    """Import the route's handler module once (cached) and return its handler function."""
    handler = getattr(load_module(route), route.handler_name, None)
    if not callable(handler):
        raise ImportError(f"{route.handler_file} has no function {route.handler_name}")
    return handler


@dataclass
class LambdaContext:
    """The parts of Lambda's context object handlers may read."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: float = 10.0
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    invoked_function_arn: str = ""
    _started: float = field(default_factory=time.monotonic, repr=False)

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"
        self.invoked_function_arn = (
            self.invoked_function_arn or f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}"
        )

    def get_remaining_time_in_millis(self) -> int:
        left = self.timeout_seconds - (time.monotonic() - self._started)
        return max(0, int(left * 1000))


def lambda_context(template: Template, route: Route) -> LambdaContext:
    props = template.functions().get(route.function, {})
    defaults = template.function_globals
    memory = props.get("MemorySize", defaults.get("MemorySize", 128))
    timeout = props.get("Timeout", defaults.get("Timeout", 3))
    memory = int(memory) if isinstance(memory, int | str) else 128
    timeout = float(timeout) if isinstance(timeout, int | float | str) else 3.0
    return LambdaContext(function_name=route.function, memory_limit_in_mb=memory, timeout_seconds=timeout)


def invoke(
    template: Template, route: Route, event: dict[str, Any], loader: HandlerLoader = load_handler
) -> Any:
    """Run the route's handler on `event` in this process and return what it returned."""
    return loader(route)(event, lambda_context(template, route))


# -- the WSGI app ----------------------------------------------------------------------


def _request_id() -> str:
    from core.platform.ids import new_id

    return new_id("req")


def error_response(error: Any, extra_headers: Mapping[str, str] | None = None) -> WsgiResponse:
    """An `ApiError` as the API's envelope, with its `Request-Id` header."""
    import json

    request_id = _request_id()
    response = WsgiResponse(
        json.dumps(error.envelope(request_id), separators=(",", ":")),
        status=error.status,
        content_type="application/json",
    )
    response.headers["Request-Id"] = request_id
    for name, value in (extra_headers or {}).items():
        response.headers[name] = value
    return response


def raw_target(environ: Mapping[str, Any]) -> tuple[str, str]:
    """(rawPath, rawQueryString) exactly as the client sent them."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        raw = str(raw).encode("latin-1").decode("utf-8", "surrogateescape")
        if "://" in raw.split("?", 1)[0]:  # absolute-form request target
            parts = urlsplit(raw)
            raw = parts.path + (f"?{parts.query}" if "?" in raw else "")
        path, _, query = raw.partition("?")
        return path or "/", query
    # A server that keeps no raw URI: rebuild it (already decoded, the best there is).
    from urllib.parse import quote

    path = str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", ""))
    path = path.encode("latin-1").decode("utf-8", "surrogateescape")
    return quote(path, safe="/:@!$&'()*+,;=-._~%") or "/", str(environ.get("QUERY_STRING", ""))


def request_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """Lower-case names, as API Gateway passes them; werkzeug already joined repeats with ","."""
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").lower()
        else:
            continue
        if value == "" and name in ("content-type", "content-length"):
            continue
        headers[name] = str(value).encode("latin-1").decode("utf-8", "replace")
    return headers


class LocalApi:
    """The WSGI app: template.yaml's routes -> handlers, payload 2.0 events in and out."""

    def __init__(
        self,
        template: Template,
        *,
        loader: HandlerLoader = load_handler,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.template = template
        self.routes = routes(template)
        self.loader = loader
        self.log = log or (lambda text: print(text, file=sys.stderr, flush=True))

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        response = self.dispatch(environ)
        return response(environ, start_response)

    def preload(self) -> list[tuple[Route, str]]:
        """Import every handler now (a fast first request, import errors shown at startup).
        Returns the routes whose handler cannot be imported, with the reason."""
        problems = []
        for route in self.routes:
            try:
                self.loader(route)
            except Exception as exc:
                problems.append((route, f"{type(exc).__name__}: {exc}"))
        return problems

    def find(self, method: str, raw_path: str) -> tuple[Route | None, dict[str, str], list[str]]:
        """(route, path parameters, methods allowed on the path)."""
        allowed: list[str] = []
        for route in self.routes:
            params = route.match(raw_path)
            if params is None:
                continue
            if route.allows(method):
                return route, params, allowed
            if route.method not in allowed:
                allowed.append(route.method)
        return None, {}, allowed

    def build_event(self, environ: dict[str, Any], route: Route, params: Mapping[str, str]) -> dict[str, Any]:
        raw_path, raw_query = raw_target(environ)
        headers = request_headers(environ)
        headers["x-forwarded-proto"] = str(environ.get("wsgi.url_scheme") or "http")
        headers["x-forwarded-for"] = str(environ.get("REMOTE_ADDR") or "127.0.0.1")
        headers["x-forwarded-port"] = str(environ.get("SERVER_PORT") or "")
        body = WsgiRequest(environ).get_data(cache=False)
        return http_api_event(
            method=str(environ.get("REQUEST_METHOD", "GET")),
            raw_path=raw_path,
            raw_query=raw_query,
            headers=headers,
            body=body,
            route_key=route.route_key,
            path_parameters=params,
            source_ip=str(environ.get("REMOTE_ADDR") or "127.0.0.1"),
            protocol=str(environ.get("SERVER_PROTOCOL") or "HTTP/1.1"),
        )

    def dispatch(self, environ: dict[str, Any]) -> WsgiResponse:
        from core.platform.errors import InternalError, ResourceMissing

        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        raw_path, _ = raw_target(environ)
        route, params, _ = self.find(method, raw_path)
        if route is None:
            # template.yaml's $default route (functions/service/not_found) answers 404 and
            # 405 as it does on AWS; this is only reached by a template without one.
            return error_response(ResourceMissing(f"Unrecognized request URL ({method} {raw_path})."))
        event = self.build_event(environ, route, params)
        try:
            result = invoke(self.template, route, event, self.loader)
        except Exception:
            # On AWS the function would fail and API Gateway answer 500: say why here.
            self.log(f"{route.function} raised:\n{traceback.format_exc()}")
            return error_response(InternalError("An internal error occurred."))
        return proxy_response(result)


def proxy_response(result: Any) -> WsgiResponse:
    """A handler's return value as HTTP, with API Gateway's payload 2.0 rules: a dict with
    `statusCode` is a proxy response, anything else is a 200 JSON body."""
    import json

    if not (isinstance(result, dict) and "statusCode" in result):
        result = {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(result),
        }
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    response = WsgiResponse(data, status=int(result["statusCode"]))
    headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
    if not any(k.lower() == "content-type" for k in headers):
        del response.headers["Content-Type"]
    for name, value in headers.items():
        response.headers[name] = value
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(str(name), str(value))
    for cookie in result.get("cookies") or []:
        response.headers.add("Set-Cookie", str(cookie))
    return response


# -- serving ---------------------------------------------------------------------------


class RequestLogHandler(WSGIRequestHandler):
    """One access-log line per request on stderr, independent of the `werkzeug` logger
    (which moto's server shares, and which `quiet_dynamodb_log` turns down)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        print(f'{self.address_string()} "{self.requestline}" {code}', file=sys.stderr, flush=True)


def quiet_dynamodb_log() -> None:
    """moto's server logs every DynamoDB call through the `werkzeug` logger: keep warnings only."""
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)


@dataclass
class HttpServer:
    """werkzeug's threaded server around a `LocalApi`, in a background thread."""

    app: LocalApi
    host: str = "127.0.0.1"
    port: int = 3000
    _server: BaseWSGIServer | None = None
    _thread: threading.Thread | None = None

    def bind(self) -> str:
        """Open the socket (port 0: any free port); returns the base URL."""
        self._server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=RequestLogHandler
        )
        self.port = self._server.server_address[1]
        return self.base_url

    @property
    def base_url(self) -> str:
        # A wildcard address is not one to call: clients use loopback.
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def start(self) -> str:
        if self._server is None:
            self.bind()
        assert self._server is not None
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="localapi-http",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
