"""Typed errors for the API's one error envelope.

`{"error": {"type", "code", "message", "param"?, "requestId"}}` becomes one exception
class per `type` (API.md "Conventions"); look at `.code` for the precise reason. A type
this SDK does not know, and a body that is not the envelope, raise the base class.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx


class PartnerApiError(Exception):
    """An error answer from the API (4xx/5xx), after any retries."""

    def __init__(
        self,
        status: int,
        type: str | None = None,
        code: str | None = None,
        message: str | None = None,
        param: str | None = None,
        request_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> None:
        self.status = status
        self.type = type
        self.code = code
        self.message = message or f"HTTP {status}"
        self.param = param
        self.request_id = request_id
        self.headers = httpx.Headers(list(headers.items()) if headers else [])
        self.body = body
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [f"{self.status}"]
        if self.type:
            parts.append(self.type)
        if self.code:
            parts.append(self.code)
        text = " ".join(parts) + f": {self.message}"
        if self.param:
            text += f" (param: {self.param})"
        if self.request_id:
            text += f" [request {self.request_id}]"
        return text

    def json(self) -> Any:
        """The parsed error body, or None when it is not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class InvalidRequestError(PartnerApiError):
    """`invalid_request_error`: 400, 404, 405, 409 (conflicts), 413, 422."""


class AuthenticationError(PartnerApiError):
    """`authentication_error` (401): API key or signature problems."""


class PermissionDeniedError(PartnerApiError):
    """`permission_error` (403): the API key lacks a scope."""


class IdempotencyError(PartnerApiError):
    """`idempotency_error` (409): key reused for another request, or still in flight."""


class RateLimitError(PartnerApiError):
    """`rate_limit_error` (429)."""


class ApiError(PartnerApiError):
    """`api_error` (500): the server failed."""


ERROR_TYPES: dict[str, type[PartnerApiError]] = {
    "invalid_request_error": InvalidRequestError,
    "authentication_error": AuthenticationError,
    "permission_error": PermissionDeniedError,
    "idempotency_error": IdempotencyError,
    "rate_limit_error": RateLimitError,
    "api_error": ApiError,
}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> PartnerApiError:
    """Build the typed error for an error response; never raises itself."""
    request_id = headers.get("Request-Id") or headers.get("request-id")
    envelope: Any = None
    try:
        envelope = json.loads(body) if body else None
    except ValueError:
        envelope = None
    error = envelope.get("error") if isinstance(envelope, dict) else None
    if not isinstance(error, dict):
        return PartnerApiError(status, request_id=request_id, headers=headers, body=body)
    error_type = _text(error.get("type"))
    cls = ERROR_TYPES.get(error_type or "", PartnerApiError)
    return cls(
        status,
        type=error_type,
        code=_text(error.get("code")),
        message=_text(error.get("message")),
        param=_text(error.get("param")),
        request_id=_text(error.get("requestId")) or request_id,
        headers=headers,
        body=body,
    )
