"""Integration harness: handlers called in-process with API Gateway 2.0 events, signed
by the partner SDK's own signing code, against a moto table built from template.yaml."""

from __future__ import annotations

import importlib.util
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

from partner_sdk import signing
from tests.support import conformance

ROOT = Path(__file__).resolve().parents[2]
_modules: dict[str, ModuleType] = {}

HOST = "api.test"


def handler_module(function_dir: str) -> ModuleType:
    """`functions/<resource>/<action>` imported once under a unique module name."""
    if function_dir not in _modules:
        path = ROOT / "functions" / function_dir / "app.py"
        spec = importlib.util.spec_from_file_location(f"fn_{function_dir.replace('/', '_')}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _modules[function_dir] = module
    return _modules[function_dir]


def make_event(
    method: str,
    path: str,
    *,
    query: str = "",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    path_params: dict[str, str] | None = None,
    route_key: str | None = None,
) -> dict[str, Any]:
    all_headers = {
        "host": HOST,
        "x-forwarded-proto": "https",
        **{k.lower(): v for k, v in (headers or {}).items()},
    }
    return {
        "version": "2.0",
        "routeKey": route_key or f"{method} {path}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": all_headers,
        "queryStringParameters": dict(parse_qsl(query)) or None,
        "pathParameters": path_params or None,
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": "127.0.0.1"},
            "requestId": "test",
            "domainName": HOST,
            "stage": "$default",
        },
        "body": body.decode("utf-8", "surrogateescape"),
        "isBase64Encoded": False,
    }


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text) if self.text else None

    @property
    def code(self) -> str | None:
        body = self.json
        return body["error"]["code"] if isinstance(body, dict) and "error" in body else None


@dataclass
class Partner:
    """A tenant with one API key and one signing key, able to sign as the SDK does."""

    tenant_id: str
    api_key: str
    api_key_id: str
    signing_key_id: str
    private_key: Any
    algorithm: str = "ed25519"
    scheme: str = "rfc9421"
    extra_keys: dict[str, tuple[Any, str]] = field(default_factory=dict)

    def headers(
        self,
        method: str,
        path: str,
        query: str,
        body: bytes,
        *,
        now: float | None = None,
        key_id: str | None = None,
        scheme: str | None = None,
    ) -> dict[str, str]:
        ts = int(now if now is not None else time.time())
        kid = key_id or self.signing_key_id
        private, algorithm = self.extra_keys.get(kid, (self.private_key, self.algorithm))
        out = {"Authorization": f"Bearer {self.api_key}"}
        if (scheme or self.scheme) == "simple":
            out.update(
                signing.simple_headers(
                    private_key=private,
                    key_id=kid,
                    method=method,
                    path=path,
                    query=query,
                    body=body,
                    timestamp=ts,
                )
            )
        else:
            url = f"https://{HOST}{path}" + (f"?{query}" if query else "")
            out.update(
                signing.rfc9421_headers(
                    private_key=private,
                    key_id=kid,
                    algorithm=algorithm,
                    method=method,
                    url=url,
                    body=body,
                    created=ts,
                )
            )
        return out


def call(
    function_dir: str,
    method: str,
    path: str,
    *,
    partner: Partner | None = None,
    body: Any = None,
    raw_body: bytes | None = None,
    query: str = "",
    headers: dict[str, str] | None = None,
    path_params: dict[str, str] | None = None,
    idempotency_key: str | None = None,
    sign: bool = True,
    now: float | None = None,
    key_id: str | None = None,
    scheme: str | None = None,
) -> Reply:
    data = raw_body if raw_body is not None else (b"" if body is None else json.dumps(body).encode())
    all_headers: dict[str, str] = {}
    if partner is not None and sign:
        all_headers.update(partner.headers(method, path, query, data, now=now, key_id=key_id, scheme=scheme))
    elif partner is not None:
        all_headers["Authorization"] = f"Bearer {partner.api_key}"
    if idempotency_key is not None:
        all_headers["Idempotency-Key"] = idempotency_key
    all_headers.update(headers or {})
    event = make_event(method, path, query=query, body=data, headers=all_headers, path_params=path_params)
    out = handler_module(function_dir).lambda_handler(event, None)
    conformance.check(function_dir, out["statusCode"], out["headers"], out["body"])
    return Reply(out["statusCode"], out["headers"], out["body"])
