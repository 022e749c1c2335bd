"""Partner onboarding, operator side: tenants, API keys, scopes, signature policy.

Used by the operator CLI and the local API's sandbox seeding; talks to the table
directly, never through the public API.
"""

from __future__ import annotations

import time
from typing import Any

from core.partners import signing_keys
from core.platform import auth, keys, scopes
from core.platform.clock import rfc3339
from core.platform.errors import ParameterInvalid, ResourceMissing, StateConflict
from core.platform.ids import new_id
from core.platform.public_keys import parse_public_key
from core.platform.store import Condition, Store, Tx

MODES = ("test", "live")
POLICIES = ("required", "optional")


def create_partner(store: Store, name: str, *, mode: str = "test") -> dict[str, Any]:
    if mode not in MODES:
        raise ParameterInvalid(f"mode must be one of {MODES}.", param="mode")
    tenant_id = new_id("ptn")
    item = {"type": "tenant", "id": tenant_id, "name": name, "mode": mode, "createdAt": int(time.time())}
    store.put(keys.tenant_key(tenant_id), item, condition=Condition("attribute_not_exists(PK)"))
    return item


def get_partner(store: Store, tenant_id: str) -> dict[str, Any]:
    item = store.get(keys.tenant_key(tenant_id), consistent=True)
    if item is None:
        raise ResourceMissing(f"No such partner: {tenant_id}.")
    return item


def issue_api_key(
    store: Store, tenant_id: str, *, scope_list: list[str] | None = None, signature_policy: str = "required"
) -> tuple[dict[str, Any], str]:
    """A new API key; the secret is returned once and only its hash is stored."""
    partner = get_partner(store, tenant_id)
    check_policy(partner["mode"], signature_policy)
    granted = scopes.check_known(scope_list) if scope_list else list(scopes.SCOPES)
    secret = auth.new_api_key(tenant_id, partner["mode"])
    key_id = new_id("key")
    key_hash = auth.hash_key(secret)
    item = {
        "type": "api_key",
        "keyId": key_id,
        "tenantId": tenant_id,
        "mode": partner["mode"],
        "status": "active",
        "scopes": granted,
        "signaturePolicy": signature_policy,
        "signingKeys": {},
        "createdAt": int(time.time()),
        "prefix": secret[:16],
        **keys.list_attrs(tenant_id, "api_keys", key_id),
    }
    tx = Tx()
    tx.create(keys.api_key_key(tenant_id, key_hash), item, on_fail=StateConflict("API key hash clash."))
    store.transact(tx.writes)
    return item, secret


def list_api_keys(store: Store, tenant_id: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    start = None
    while True:
        items, start = store.query_page(
            index=keys.GSI1,
            pk_name="GSI1PK",
            pk_value=keys.list_pk(tenant_id, "api_keys"),
            limit=100,
            start_key=start,
        )
        out.extend(items)
        if start is None:
            return out


def _find(store: Store, tenant_id: str, key_id: str) -> dict[str, Any]:
    for item in list_api_keys(store, tenant_id):
        if item["keyId"] == key_id:
            return (
                store.get(keys.api_key_key(tenant_id, item["SK"].removeprefix("APIKEY#")), consistent=True)
                or item
            )
    raise ResourceMissing(f"No such API key: {key_id}.")


def _set(store: Store, tenant_id: str, key_id: str, field: str, value: Any) -> dict[str, Any]:
    item = _find(store, tenant_id, key_id)
    store.update(
        keys.api_key_key(tenant_id, item["SK"].removeprefix("APIKEY#")),
        "SET #f = :v",
        names={"#f": field},
        values={":v": value},
    )
    auth.CACHE.invalidate(item["SK"].removeprefix("APIKEY#"))
    item[field] = value
    return item


def revoke_api_key(store: Store, tenant_id: str, key_id: str) -> dict[str, Any]:
    """From then on no write of the key commits (each re-reads the record before it does)."""
    item = _find(store, tenant_id, key_id)
    key_hash = item["SK"].removeprefix("APIKEY#")
    now = int(time.time())
    store.update(
        keys.api_key_key(tenant_id, key_hash),
        "SET #status = :revoked, revokedAt = :now",
        names={"#status": "status"},
        values={":revoked": "revoked", ":now": now},
    )
    auth.CACHE.invalidate(key_hash)
    return {**item, "status": "revoked", "revokedAt": now}


def set_scopes(store: Store, tenant_id: str, key_id: str, scope_list: list[str]) -> dict[str, Any]:
    return _set(store, tenant_id, key_id, "scopes", scopes.check_known(scope_list))


def set_signature_policy(store: Store, tenant_id: str, key_id: str, policy: str) -> dict[str, Any]:
    check_policy(get_partner(store, tenant_id)["mode"], policy)
    return _set(store, tenant_id, key_id, "signaturePolicy", policy)


def check_policy(mode: str, policy: str) -> None:
    if policy not in POLICIES:
        raise ParameterInvalid(f"signature policy must be one of {POLICIES}.", param="signaturePolicy")
    if policy == "optional" and mode != "test":
        raise ParameterInvalid(
            "Unsigned requests are allowed in the sandbox (test mode) only.", param="signaturePolicy"
        )


def add_signing_key(
    store: Store, tenant_id: str, key_id: str, public_key: str | dict[str, Any], algorithm: str | None = None
) -> dict[str, Any]:
    item = _find(store, tenant_id, key_id)
    tx = Tx()
    created = signing_keys.stage_create(
        tx,
        tenant_id=tenant_id,
        api_key_id=key_id,
        key_hash=item["SK"].removeprefix("APIKEY#"),
        key=parse_public_key(public_key, algorithm),
        now=time.time(),
    )
    store.transact(tx.writes)
    return signing_keys.render(created)


def describe_key(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["keyId"],
        "tenantId": item["tenantId"],
        "mode": item["mode"],
        "status": item["status"],
        "scopes": item.get("scopes", []),
        "signaturePolicy": item.get("signaturePolicy"),
        "signingKeys": sorted((item.get("signingKeys") or {}).keys()),
        "prefix": item.get("prefix"),
        "createdAt": rfc3339(item["createdAt"]),
    }
