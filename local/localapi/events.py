"""API Gateway HTTP API (payload format 2.0) events: the sample files in events/ and the
builder the local router uses for every request.

The builder keeps what the handlers depend on byte for byte: `rawPath` and
`rawQueryString` exactly as the client sent them (signatures cover them), lower-case
header names with repeated headers joined by ",", and a body that is text when it is
valid UTF-8, else base64 with `isBase64Encoded: true`.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from localapi.template import find_template

EVENTS_DIR_NAME = "events"


def events_dir() -> Path:
    """The repository's events/ directory (next to template.yaml)."""
    return find_template().parent / EVENTS_DIR_NAME


def event_path(name: str | Path) -> Path:
    """A path to an existing file, or a sample's name (`signing_keys_create`, with or without .json)."""
    candidate = Path(name)
    if candidate.suffix == ".json" and candidate.is_file():
        return candidate
    stem = candidate.name.removesuffix(".json")
    return events_dir() / f"{stem}.json"


def load_event(name: str | Path) -> dict[str, Any]:
    """The event in events/<name>.json (or at the path `name`), as a fresh dict."""
    path = event_path(name)
    try:
        event = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"no event file {path}") from None
    if not isinstance(event, dict):
        raise ValueError(f"{path} is not a JSON object")
    return event


def event_names() -> list[str]:
    return sorted(p.stem for p in events_dir().glob("*.json"))


def event_body_bytes(event: Mapping[str, Any]) -> bytes:
    """The raw body an event carries (what a signature's digest covers)."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return str(body).encode("utf-8")


def set_event_body(event: dict[str, Any], body: bytes) -> None:
    if not body:
        event.pop("body", None)
        event["isBase64Encoded"] = False
        return
    try:
        event["body"] = body.decode("utf-8")
        event["isBase64Encoded"] = False
    except UnicodeDecodeError:
        event["body"] = base64.b64encode(body).decode("ascii")
        event["isBase64Encoded"] = True


def join_headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-case names; a repeated header's values joined by "," (as API Gateway does)."""
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def query_parameters(raw_query: str) -> dict[str, str] | None:
    """`queryStringParameters`: decoded, repeated names joined by ","; None when there are none."""
    if not raw_query:
        return None
    params: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        params[name] = f"{params[name]},{value}" if name in params else value
    return params or None


def request_context_id() -> str:
    """An id shaped like API Gateway's own (`requestContext.requestId`)."""
    return base64.b64encode(secrets.token_bytes(12)).decode("ascii").rstrip("=")


def http_api_event(
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
    route_key: str,
    path_parameters: Mapping[str, str] | None = None,
    source_ip: str = "127.0.0.1",
    protocol: str = "HTTP/1.1",
    stage: str = "$default",
    now: float | None = None,
) -> dict[str, Any]:
    """A payload 2.0 event as API Gateway builds it for `route_key`.

    `headers` are already lower-case (see `join_headers`); cookies move to `cookies`, as
    on AWS. `raw_path` and `raw_query` are used exactly as given.
    """
    now = time.time() if now is None else now
    headers = dict(headers)
    cookie_header = headers.pop("cookie", None)
    domain = headers.get("host", "localhost")
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
    }
    if cookie_header:
        event["cookies"] = [c.strip() for c in cookie_header.split(";") if c.strip()]
    event["headers"] = headers
    query = query_parameters(raw_query)
    if query is not None:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {
            "method": method.upper(),
            "path": raw_path,
            "protocol": protocol,
            "sourceIp": source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_context_id(),
        "routeKey": route_key,
        "stage": stage,
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    set_event_body(event, body)
    return event


# -- re-signing a sample event (`localapi invoke`) -------------------------------------

# Headers that carry a caller's identity or a signature: replaced whenever an event is re-signed.
AUTH_HEADERS = frozenset(
    {
        "authorization",
        "partnerapikey",
        "signature",
        "signature-input",
        "content-digest",
        "x-signature",
        "x-timestamp",
        "x-key-id",
    }
)


def target_url(event: Mapping[str, Any]) -> str:
    """The URL a handler reconstructs from an event (what RFC 9421's `@target-uri` covers):
    `x-forwarded-proto` (default https), the Host header (else `domainName`), rawPath and
    rawQueryString."""
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    context = event.get("requestContext") or {}
    scheme = headers.get("x-forwarded-proto", "https")
    host = headers.get("host") or str(context.get("domainName") or "")
    raw_path = str(event.get("rawPath") or (context.get("http") or {}).get("path") or "/")
    raw_query = str(event.get("rawQueryString") or "")
    return f"{scheme}://{host}{raw_path}" + (f"?{raw_query}" if raw_query else "")


def sign_event(
    event: Mapping[str, Any],
    *,
    api_key: str,
    signing_key_id: str,
    private_key_pem: str,
    algorithm: str = "ed25519",
    now: float | None = None,
) -> dict[str, Any]:
    """A copy of `event` carrying `Authorization: Bearer <api_key>` and fresh RFC 9421
    headers (`created` = now) over its method, rawPath, rawQueryString and body. Any auth
    or signature headers the event had are dropped first."""
    from partner_sdk.signing import load_private_key, rfc9421_headers

    signed: dict[str, Any] = json.loads(json.dumps(event))
    headers = {
        str(k).lower(): str(v)
        for k, v in (signed.get("headers") or {}).items()
        if k.lower() not in AUTH_HEADERS
    }
    headers["authorization"] = f"Bearer {api_key}"
    signed["headers"] = headers
    context = signed.setdefault("requestContext", {})
    http = context.setdefault("http", {})
    method = str(http.get("method") or str(signed.get("routeKey") or "GET").split(" ", 1)[0]).upper()
    created = int(time.time() if now is None else now)
    signature = rfc9421_headers(
        private_key=load_private_key(private_key_pem),
        key_id=signing_key_id,
        algorithm=algorithm,
        method=method,
        url=target_url(signed),
        body=event_body_bytes(signed),
        created=created,
    )
    headers.update({name.lower(): value for name, value in signature.items()})
    context["requestId"] = request_context_id()
    context["timeEpoch"] = created * 1000
    context["time"] = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(created))
    return signed
