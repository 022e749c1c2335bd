"""Opaque, tamper-evident list cursors and the shared list query parameters."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from pydantic import Field

from core.platform.errors import ParameterInvalid
from core.platform.validation import RequestModel

# A cursor as `encode_cursor` spells it: the base64url (unpadded) position, a dot, and the
# base64url of its 32-byte HMAC-SHA256 (43 characters). Only the server can make one.
MAC_CHARS = 43
CURSOR_PATTERN = rf"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{{{MAC_CHARS}}}$"
CURSOR_MAX_LENGTH = 2048


class ListParams(RequestModel):
    limit: int = Field(default=20, ge=1, le=100, description="Items per page, 1 to 100.")
    cursor: str | None = Field(
        default=None,
        max_length=CURSOR_MAX_LENGTH,
        pattern=CURSOR_PATTERN,
        description="The `nextCursor` of the previous page, exactly as it was returned. Opaque "
        "and tamper-evident: it is signed for its tenant, its list (the same filters) and its "
        "position, so any other value, including a well-formed one the server did not issue for "
        "this list, is 400 `parameter_invalid`.",
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, tenant_id: str, collection: str, payload: bytes) -> bytes:
    # The tenant and the collection are inside the MAC: another tenant's (or another
    # list's) cursor fails verification exactly like a forged one.
    msg = tenant_id.encode() + b"\x00" + collection.encode() + b"\x00" + payload
    return hmac.new(secret.encode(), msg, hashlib.sha256).digest()


def encode_cursor(secret: str, tenant_id: str, collection: str, last_key: dict[str, Any]) -> str:
    payload = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(payload)}.{_b64(_mac(secret, tenant_id, collection, payload))}"


def decode_cursor(secret: str, tenant_id: str, collection: str, cursor: str) -> dict[str, Any]:
    invalid = ParameterInvalid("The cursor is not valid for this list.", param="cursor")
    try:
        payload_text, mac_text = cursor.split(".", 1)
        payload = _unb64(payload_text)
        mac = _unb64(mac_text)
    except (ValueError, TypeError):
        raise invalid from None
    # Only the spelling we issue: base64's spare bits cannot make a second valid cursor.
    if _b64(payload) != payload_text or _b64(mac) != mac_text:
        raise invalid
    if not hmac.compare_digest(mac, _mac(secret, tenant_id, collection, payload)):
        raise invalid
    try:
        key = json.loads(payload)
    except ValueError:
        raise invalid from None
    if not isinstance(key, dict):
        raise invalid
    return key
