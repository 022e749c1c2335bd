"""API keys: the format, hashing, lookup with a short per-container cache, and the
condition that re-checks a key inside every write transaction."""

from __future__ import annotations

import hashlib
import random
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
from core.platform.store import Condition, Store, Tx

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
    write_guards: int = 0

    @property
    def record_key(self) -> dict[str, str]:
        return keys.api_key_key(self.tenant_id, self.key_hash)

    def write_guard_key(self) -> dict[str, str]:
        """The item a write checks the key on: one of its write guards, at random (the
        record itself for a key issued before guards)."""
        if not self.write_guards:
            return self.record_key
        return keys.api_key_guard_key(self.tenant_id, self.key_hash, random.randrange(self.write_guards))

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
        write_guards=int(item.get("writeGuards", 0)),
    )


# Every write re-checks its API key inside its own transaction (`guard_write`). Checked on
# one item, that key would be the partner's hottest item: DynamoDB cancels concurrent
# transactions that name one item, even for a ConditionCheck, so all of a key's writes
# would conflict with each other. The facts the check needs (status, signing key ids) are
# copied to WRITE_GUARDS items; a write checks one at random; issuing, revoking and
# changing signing keys update the record and every guard in one transaction.
WRITE_GUARDS = 16


def write_guard_items(
    tenant_id: str, key_hash: str, record: dict[str, Any]
) -> list[tuple[dict[str, str], dict[str, Any]]]:
    """The write guards of a new API key record: its status and signing key ids, each."""
    facts = {
        "type": "api_key_guard",
        "tenantId": tenant_id,
        "keyId": record["keyId"],
        "status": record["status"],
        "signingKeys": {kid: True for kid in record.get("signingKeys") or {}},
    }
    count = int(record.get("writeGuards", 0))
    return [(keys.api_key_guard_key(tenant_id, key_hash, i), dict(facts)) for i in range(count)]


def stage_on_guards(
    tx: Tx, tenant_id: str, key_hash: str, count: int, expression: str, **options: Any
) -> None:
    """The same change on every write guard of a key, in `tx` (beside the record's)."""
    for index in range(count):
        tx.update(keys.api_key_guard_key(tenant_id, key_hash, index), expression, **options)


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


def guard_write(tx: Tx, principal: Principal, signing_key_id: str | None) -> None:
    """Re-check, inside the write's own transaction, that the key is still active and the
    signing key that signed the request is still registered: a cached record can be up
    to `API_KEY_CACHE_SECONDS` old, but a revoked key or deleted signing key never writes."""
    expression = "#akStatus = :akActive"
    names = {"#akStatus": "status"}
    if signing_key_id is not None:
        expression += " AND attribute_exists(#akSigning.#akKid)"
        names.update({"#akSigning": "signingKeys", "#akKid": signing_key_id})

    def explain(old: dict[str, Any] | None) -> ApiError | None:
        CACHE.invalidate(principal.key_hash)
        if old is None or old.get("status") != "active":
            return ApiKeyRevoked("The API key has been revoked.")
        if signing_key_id is not None and signing_key_id not in (old.get("signingKeys") or {}):
            return SignatureInvalid("The signing key that signed this request is no longer registered.")
        return None

    condition = Condition(expression, names, {":akActive": "active"})
    tx.check(principal.write_guard_key(), condition, on_fail=explain)
