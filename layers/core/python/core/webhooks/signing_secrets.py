"""Endpoint signing secrets: made here, kept sealed with KMS, opened only by the delivery
worker (the one function whose role may call kms:Decrypt).

A secret is `whsec_` + base64 of 32 random bytes, as Standard Webhooks spells it. Each is
encrypted under the encryption context {tenantId, endpointId}, so a ciphertext copied onto
another endpoint's item does not decrypt there.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from core.platform import aws, snapstart

PREFIX = "whsec_"
# Opened secrets, by ciphertext: a warm worker decrypts each secret once.
_OPENED: dict[str, str] = {}
_OPENED_MAX = 1024


def generate() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _context(tenant_id: str, endpoint_id: str) -> dict[str, str]:
    return {"tenantId": tenant_id, "endpointId": endpoint_id}


def seal(secret: str, *, key_id: str, tenant_id: str, endpoint_id: str) -> str:
    """The KMS ciphertext of `secret`, as base64 text (what the endpoint item keeps)."""
    out: dict[str, Any] = aws.client("kms").encrypt(
        KeyId=key_id, Plaintext=secret.encode(), EncryptionContext=_context(tenant_id, endpoint_id)
    )
    return base64.b64encode(out["CiphertextBlob"]).decode()


def open_(sealed: str, *, tenant_id: str, endpoint_id: str) -> str:
    known = _OPENED.get(sealed)
    if known is not None:
        return known
    out: dict[str, Any] = aws.client("kms").decrypt(
        CiphertextBlob=base64.b64decode(sealed), EncryptionContext=_context(tenant_id, endpoint_id)
    )
    if len(_OPENED) >= _OPENED_MAX:
        _OPENED.clear()
    secret = _OPENED[sealed] = bytes(out["Plaintext"]).decode()
    return secret


# Before a SnapStart snapshot: the KMS client (creating one costs ~30-60 ms).
snapstart.warm(lambda: aws.client("kms"))
