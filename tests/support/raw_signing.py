"""Headers for a raw HTTP request (curl-style, without the SDK's client) signed with the
sandbox credentials file's API key and signing key, RFC 9421, as the SDK signs."""

from __future__ import annotations

import time
from typing import Any

from partner_sdk import signing


def signed_headers(credentials: dict[str, Any], method: str, url: str, body: bytes = b"") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {credentials['apiKey']}"}
    headers.update(
        signing.rfc9421_headers(
            private_key=signing.load_private_key(credentials["privateKeyPem"]),
            key_id=credentials["signingKeyId"],
            algorithm=credentials["algorithm"],
            method=method,
            url=url,
            body=body,
            created=int(time.time()),
        )
    )
    return headers
