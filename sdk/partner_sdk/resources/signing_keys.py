"""`client.signing_keys`: the public keys that verify the calling API key's signatures
(`/v1/signing-keys`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from partner_sdk.resources._base import Resource


class SigningKeys(Resource):
    path = "/v1/signing-keys"

    def create(
        self,
        public_key: str | Mapping[str, Any],
        algorithm: str | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Any:
        """Register a public key (PEM text or a JWK object); returns the key (`id` is its keyid)."""
        body: dict[str, Any] = {"publicKey": public_key if isinstance(public_key, str) else dict(public_key)}
        if algorithm is not None:
            body["algorithm"] = algorithm
        return self._client.post(self.path, body, idempotency_key=idempotency_key).json()

    def list(self, limit: int | None = None, cursor: str | None = None) -> Any:
        """One page: `{"data": [...], "nextCursor": ...}`."""
        return self._page({"limit": limit, "cursor": cursor})

    def iterate(self, limit: int | None = None) -> Iterator[Any]:
        """Every signing key, page after page (`limit` is the page size)."""
        return self._every({"limit": limit})

    def delete(self, key_id: str, *, idempotency_key: str | None = None) -> None:
        self._client.delete(self._item_path(key_id), idempotency_key=idempotency_key)
