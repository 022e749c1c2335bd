"""API Gateway HTTP API (payload 2.0) events in, proxy responses out."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from core.platform.ids import new_id

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass
class Request:
    method: str
    raw_path: str
    raw_query: str
    headers: dict[str, str]
    body: bytes
    path_params: dict[str, str]
    route_key: str
    request_id: str
    scheme: str = "https"
    host: str = ""
    source_ip: str = ""

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Request:
        ctx = event.get("requestContext") or {}
        http = ctx.get("http") or {}
        headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        raw_body = event.get("body") or ""
        if event.get("isBase64Encoded"):
            body = base64.b64decode(raw_body)
        else:
            body = raw_body.encode("utf-8", "surrogateescape")
        return cls(
            method=str(http.get("method", "GET")).upper(),
            raw_path=str(event.get("rawPath") or http.get("path") or "/"),
            raw_query=str(event.get("rawQueryString") or ""),
            headers=headers,
            body=body,
            path_params=dict(event.get("pathParameters") or {}),
            route_key=str(event.get("routeKey") or ""),
            request_id=new_id("req"),
            scheme=headers.get("x-forwarded-proto", "https"),
            host=headers.get("host") or str(ctx.get("domainName") or ""),
            source_ip=str(http.get("sourceIp") or ""),
        )

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

    def query_pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.raw_query, keep_blank_values=True)


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # The body already serialised (an idempotent replay sends the stored bytes as they were).
    text: str | None = None
    # What an idempotent replay answers instead of the body, when the body holds something
    # shown once (a webhook secret) that must not be kept in the table in clear.
    replay_body: Any = None

    def body_text(self) -> str:
        if self.text is not None:
            return self.text
        if self.body is None:
            return ""
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False)

    def to_event(self, request_id: str) -> dict[str, Any]:
        headers = {"Request-Id": request_id, **self.headers}
        text = self.body_text()
        if text:
            headers.setdefault("Content-Type", "application/json")
        return {"statusCode": self.status, "headers": headers, "body": text, "isBase64Encoded": False}
