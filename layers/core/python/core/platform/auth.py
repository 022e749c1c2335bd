"""API keys: the format, hashing, lookup with a short per-container cache, and the
re-check of the key's record right before every write commits."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from core.platform import keys
from core.platform.errors import (
    ApiError,
    ApiKeyInvalid,
    ApiKeyMissing,
    ApiKeyRevoked,
    ScopeMissing,
    SignatureInvalid,
)
from core.platform.public_keys import PublicKey
from core.platform.store import Store

# sk_<mode>_<tenant ULID>_<43 base64url chars = 256 random bits>. The tenant is in the
# key so its record is found with one GetItem under the tenant's own partition.
API_KEY_RE = re.compile(r"^sk_(live|test)_([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$")


def new_api_key(tenant_id: str, mode: str) -> str:
    return f"sk_{mode}_{tenant_id.removeprefix('ptn_')}_{secrets.token_urlsafe(32)}"


def hash_key(api_key: str) -> str:
    # The key carries 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(api_key.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: one API key of one tenant."""

    tenant_id: str
    api_key_id: str
    key_hash: str
    mode: str
    scopes: frozenset[str]
    signature_policy: str
    signing_keys: dict[str, PublicKey] = field(default_factory=dict)

    @property
    def record_key(self) -> dict[str, str]:
        return keys.api_key_key(self.tenant_id, self.key_hash)

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise ScopeMissing(f"This API key lacks the {scope} scope.")


def principal_from_item(item: dict[str, Any]) -> Principal:
    return Principal(
        tenant_id=item["tenantId"],
        api_key_id=item["keyId"],
        key_hash=item["SK"].removeprefix("APIKEY#"),
        mode=item["mode"],
        scopes=frozenset(item.get("scopes") or ()),
        signature_policy=item.get("signaturePolicy", "required"),
        signing_keys={
            kid: PublicKey(algorithm=v["algorithm"], pem=v["publicKey"])
            for kid, v in (item.get("signingKeys") or {}).items()
        },
    )


def extract_api_key(headers: dict[str, str]) -> str:
    auth = headers.get("authorization")
    if auth is not None:
        scheme, _, token = auth.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiKeyInvalid("Authorization must be `Bearer <api-key>`.")
        return token.strip()
    partner = headers.get("partnerapikey")
    if partner is not None and partner.strip():
        return partner.strip()
    raise ApiKeyMissing("No API key: send `Authorization: Bearer <api-key>`.")


class KeyCache:
    """API key records by hash, kept for `ttl` seconds in a warm container, with the
    Principal built from each (built once, not on every request)."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, dict[str, Any] | None, Principal | None]] = {}

    def get(self, key_hash: str, now: float) -> tuple[bool, dict[str, Any] | None]:
        hit = self._items.get(key_hash)
        if hit is None or hit[0] <= now:
            return False, None
        return True, hit[1]

    def principal(self, key_hash: str) -> Principal | None:
        hit = self._items.get(key_hash)
        return None if hit is None else hit[2]

    def put(self, key_hash: str, item: dict[str, Any] | None, until: float) -> None:
        if len(self._items) > 1000:
            self._items.clear()
        self._items[key_hash] = (until, item, None if item is None else principal_from_item(item))

    def invalidate(self, key_hash: str) -> None:
        self._items.pop(key_hash, None)


CACHE = KeyCache()


def authenticate(store: Store, headers: dict[str, str], *, now: float, cache_seconds: float) -> Principal:
    api_key = extract_api_key(headers)
    match = API_KEY_RE.match(api_key)
    if match is None:
        raise ApiKeyInvalid("The API key is not valid.")
    key_hash = hash_key(api_key)
    found, item = CACHE.get(key_hash, now)
    if not found:
        item = store.get(keys.api_key_key(f"ptn_{match.group(2)}", key_hash))
        CACHE.put(key_hash, item, now + cache_seconds)
    if item is None:
        raise ApiKeyInvalid("The API key is not valid.")
    if item.get("status") != "active":
        raise ApiKeyRevoked("The API key has been revoked.")
    return CACHE.principal(key_hash) or principal_from_item(item)


def recheck(store: Store, principal: Principal, signing_key_id: str | None) -> None:
    """Right before a write commits: the key's record read again, strongly consistent and
    past the cache (which may be `API_KEY_CACHE_SECONDS` old), so a revoked key or a
    deleted signing key writes nothing once the change has committed. A plain read, not a
    ConditionCheck in the write's transaction: a ConditionCheck costs two write units per
    write (a read costs one eighth of that) and makes the record an item that every write
    of the key names, so that concurrent writes cancel each other; a read conflicts with
    nothing. What it leaves: a revocation that commits in the milliseconds between this
    read and the write's transaction does not stop that one write."""
    item = store.get(principal.record_key, consistent=True)
    refusal: ApiError | None = None
    if item is None or item.get("status") != "active":
        refusal = ApiKeyRevoked("The API key has been revoked.")
    elif signing_key_id is not None and signing_key_id not in (item.get("signingKeys") or {}):
        refusal = SignatureInvalid("The signing key that signed this request is no longer registered.")
    if refusal is not None:
        CACHE.invalidate(principal.key_hash)
        raise refusal
