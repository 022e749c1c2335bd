"""Receiving webhooks: check that a delivery comes from the API, unchanged and recent.

Each delivery is a POST whose body is the event (as `GET /v1/events/{id}` returns it),
signed per Standard Webhooks (the `standardwebhooks` library does the HMAC): headers
`webhook-id` (the event id, the receiver's dedupe key), `webhook-timestamp` (Unix
seconds) and `webhook-signature` (`v1,<base64>`, several separated by spaces while an
endpoint's secret is being rotated: the old and the new secret both sign for 24 h).

```python
from partner_sdk import webhooks

def handle(request):  # any web framework: the raw body bytes and the headers
    try:
        event = webhooks.verify(request.body, request.headers, os.environ["WEBHOOK_SECRET"])
    except webhooks.WebhookVerificationError as exc:
        return 401, str(exc)
    ...  # event["type"], event["data"]["object"]; dedupe on event["id"]
```

Pass the body exactly as received (bytes), before any JSON parsing. The timestamp must be
within 5 minutes of the receiver's clock (the library's fixed tolerance). `secret` may be
several secrets (a receiver mid-rotation): the request verifies if any of them signed it.

`save_request` / `load_request` keep a received request as JSON, `{"headers": {...},
"body": "<raw body text>"}` (`partner webhooks listen --save`, `partner webhooks verify`).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import standardwebhooks

__all__ = [
    "HEADERS",
    "TOLERANCE_SECONDS",
    "ReceivedRequest",
    "WebhookVerificationError",
    "load_request",
    "save_request",
    "verify",
]

HEADERS: Final = ("webhook-id", "webhook-timestamp", "webhook-signature")
"""The three headers a delivery carries (lower case; header names are case-insensitive)."""
TOLERANCE_SECONDS: Final = 300
"""How far `webhook-timestamp` may be from now, either way (fixed by `standardwebhooks`)."""
_WHSEC_PREFIX: Final = "whsec_"


class WebhookVerificationError(Exception):
    """The request is not a verified delivery: a header is missing, the timestamp is out of
    tolerance, no signature matches any secret, or the body is not a JSON event. The
    message says which (`str(exc)`); answer such a request with a 4xx and ignore it."""


def verify(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str | Sequence[str],
) -> dict[str, Any]:
    """The event a delivery carries, once its signature and timestamp check out.

    `payload` is the raw body (a str is taken as its UTF-8 bytes); `headers` any mapping of
    the request's headers, names in any case. `secret` is a `whsec_...` secret, or several
    (any of them may have signed). Raises `WebhookVerificationError` saying why a request
    does not verify, and `ValueError` for a secret that is not a `whsec_` base64 secret (a
    configuration error, not a bad request)."""
    hooks = [_webhook(s) for s in _secrets(secret)]
    found = _webhook_headers(headers)
    _check_timestamp(found["webhook-timestamp"])
    signatures = [s for s in found["webhook-signature"].split(" ") if s]
    if not any(s.startswith("v1,") for s in signatures):
        raise WebhookVerificationError("webhook-signature carries no v1 signature")
    body = _payload(payload)
    for hook in hooks:
        try:
            hook.verify(body, found, json_parse=False)
        except standardwebhooks.WebhookVerificationError as exc:
            if str(exc) == "No matching signature found":
                continue
            raise WebhookVerificationError(f"not verified: {exc}") from exc
        break
    else:
        tried = "the secret" if len(hooks) == 1 else f"any of the {len(hooks)} secrets"
        raise WebhookVerificationError(
            f"no signature matches {tried} ({len(signatures)} signature(s) in webhook-signature): "
            "the body or headers were changed, or it was signed with another secret"
        )
    try:
        event = json.loads(body)
    except ValueError as exc:
        raise WebhookVerificationError(f"the signed body is not JSON: {exc}") from exc
    if not isinstance(event, dict):
        raise WebhookVerificationError("the signed body is not a JSON object (an event)")
    return event


@dataclass(frozen=True)
class ReceivedRequest:
    """A received request as `save_request` keeps it: its headers and its raw body."""

    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def verify(self, secret: str | Sequence[str]) -> dict[str, Any]:
        """`verify(self.body, self.headers, secret)`."""
        return verify(self.body, self.headers, secret)

    def to_json(self) -> str:
        """`{"headers": {...}, "body": "<raw body text>"}`. A body that is not UTF-8 keeps
        its bytes as escaped surrogates (`\\udcXX`), which `from_json` turns back."""
        try:
            text, ascii_only = self.body.decode("utf-8"), False
        except UnicodeDecodeError:
            text, ascii_only = self.body.decode("utf-8", errors="surrogateescape"), True
        document = {"headers": dict(self.headers), "body": text}
        return json.dumps(document, indent=2, ensure_ascii=ascii_only) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> ReceivedRequest:
        """The request `to_json` wrote; ValueError when the text is not that shape."""
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not JSON: {exc}") from exc
        if not isinstance(document, dict):
            raise ValueError('expected an object {"headers": {...}, "body": "..."}')
        headers, body = document.get("headers"), document.get("body")
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise ValueError('"headers" must be an object of text values')
        if not isinstance(body, str):
            raise ValueError('"body" must be the raw body as text')
        return cls(headers=dict(headers), body=body.encode("utf-8", errors="surrogateescape"))


def save_request(path: str | Path, headers: Mapping[str, str], body: bytes | str) -> Path:
    """Write a received request to `path` as `{"headers": {...}, "body": "..."}`."""
    target = Path(path)
    request = ReceivedRequest(headers=dict(headers.items()), body=_payload(body))
    target.write_text(request.to_json(), encoding="utf-8")
    return target


def load_request(path: str | Path) -> ReceivedRequest:
    """A request `save_request` wrote; OSError when unreadable, ValueError when malformed."""
    target = Path(path)
    try:
        return ReceivedRequest.from_json(target.read_bytes())
    except ValueError as exc:
        raise ValueError(f"{target} is not a saved request: {exc}") from exc


# -- internals --------------------------------------------------------------------------


def _secrets(secret: str | Sequence[str]) -> list[str]:
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets:
        raise ValueError("no webhook secret given")
    return secrets


def _webhook(secret: str) -> standardwebhooks.Webhook:
    """The library's verifier for one secret, refusing what is not a `whsec_` base64 secret
    (the library would silently drop characters that are not base64)."""
    if not isinstance(secret, str):
        raise ValueError("a webhook secret is text (whsec_...)")
    raw = secret.strip()
    raw = raw[len(_WHSEC_PREFIX) :] if raw.startswith(_WHSEC_PREFIX) else raw
    try:
        key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not a webhook secret: expected whsec_ followed by base64") from exc
    if not key:
        raise ValueError("the webhook secret is empty")
    return standardwebhooks.Webhook(key)


def _webhook_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The three webhook headers, looked up whatever the case of their names."""
    found: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if lower not in HEADERS:
            continue
        if lower in found and found[lower] != value:
            raise WebhookVerificationError(f"the request carries {lower} twice, with different values")
        found[lower] = value
    missing = [name for name in HEADERS if not found.get(name)]
    if missing:
        raise WebhookVerificationError(f"missing header(s): {', '.join(missing)}")
    return found


def _check_timestamp(value: str) -> None:
    """`webhook-timestamp` within the tolerance of now, with a message saying by how much."""
    try:
        timestamp = float(value)
    except ValueError:
        timestamp = math.nan
    if not math.isfinite(timestamp):
        raise WebhookVerificationError(f"webhook-timestamp is not Unix seconds: {value!r}")
    now = datetime.datetime.now(datetime.UTC).timestamp()
    skew = now - timestamp
    if skew > TOLERANCE_SECONDS:
        raise WebhookVerificationError(
            f"webhook-timestamp {value} is too old: {round(skew)} s before now "
            f"(the tolerance is {TOLERANCE_SECONDS} s; a saved request must be verified soon after it came)"
        )
    if skew < -TOLERANCE_SECONDS:
        raise WebhookVerificationError(
            f"webhook-timestamp {value} is too new: {round(-skew)} s after now "
            f"(the tolerance is {TOLERANCE_SECONDS} s; check this machine's clock)"
        )


def _payload(payload: bytes | str) -> bytes:
    if isinstance(payload, str):
        return payload.encode("utf-8")
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    raise TypeError("the payload is the raw body: bytes or str")
