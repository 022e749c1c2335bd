"""An API key's write guards (core.platform.auth.WRITE_GUARDS): every write re-checks its
key inside its own transaction on one guard at random, so a key's writes do not all name
one item (DynamoDB cancels concurrent transactions on one item, ConditionChecks
included); the guards follow the record exactly: issued with it, revoked with it in one
transaction, and holding the ids of the key's signing keys as they come and go."""

from __future__ import annotations

import time
from typing import Any

from core.partners import onboarding as partners
from core.platform import auth, keys
from core.platform.store import Store
from tests.integration.test_signing_keys import create, delete, new_pem
from tests.support.harness import Partner, call


def guards(store: Store, partner: Partner) -> list[dict[str, Any]]:
    record = store.get(keys.api_key_key(partner.tenant_id, auth.hash_key(partner.api_key)), consistent=True)
    assert record is not None
    key_hash = auth.hash_key(partner.api_key)
    found = [
        store.get(keys.api_key_guard_key(partner.tenant_id, key_hash, i), consistent=True)
        for i in range(record["writeGuards"])
    ]
    assert all(g is not None for g in found)
    return [g for g in found if g is not None]


def write(partner: Partner, n: int) -> Any:
    body = {"externalId": f"guarded-{n}-{time.time_ns()}", "name": "Ada Lovelace", "country": "GB"}
    return call("customers/create", "POST", "/v1/customers", partner=partner, body=body)


def test_a_new_key_holds_its_status_and_signing_keys_in_every_guard(store: Store, partner: Partner) -> None:
    held = guards(store, partner)
    assert len(held) == auth.WRITE_GUARDS
    assert {g["status"] for g in held} == {"active"}
    assert all(set(g["signingKeys"]) == {partner.signing_key_id} for g in held)


def test_writes_of_one_key_check_guards_spread_at_random(partner: Partner) -> None:
    principal, _ = _principal(partner)
    used = {principal.write_guard_key()["SK"] for _ in range(200)}
    assert len(used) > auth.WRITE_GUARDS // 2


def test_a_key_revoked_while_a_container_still_caches_it_writes_nothing(
    store: Store, partner: Partner
) -> None:
    assert write(partner, 0).status == 201
    principal, record = _principal(partner)
    partners.revoke_api_key(store, partner.tenant_id, partner.api_key_id)
    assert {g["status"] for g in guards(store, partner)} == {"revoked"}
    # Another container still holds the record as it was (API_KEY_CACHE_SECONDS).
    auth.CACHE.put(principal.key_hash, record, time.time() + 60)
    replies = [write(partner, n) for n in range(1, 21)]  # 20 writes: on guards at random
    assert {(r.status, r.code) for r in replies} == {(401, "api_key_revoked")}
    auth.CACHE.invalidate(principal.key_hash)


def test_the_guards_follow_the_signing_keys_as_they_come_and_go(store: Store, partner: Partner) -> None:
    _, pem = new_pem()
    added = create(partner, {"publicKey": pem, "algorithm": "ed25519"})
    assert added.status == 201, added.text
    new_id = added.json["id"]
    assert all(set(g["signingKeys"]) == {partner.signing_key_id, new_id} for g in guards(store, partner))
    assert delete(partner, new_id).status == 204
    assert all(set(g["signingKeys"]) == {partner.signing_key_id} for g in guards(store, partner))


def _principal(partner: Partner) -> tuple[auth.Principal, dict[str, Any]]:
    from core.platform import pipeline

    store = pipeline.runtime()[1]
    key_hash = auth.hash_key(partner.api_key)
    record = store.get(keys.api_key_key(partner.tenant_id, key_hash), consistent=True)
    assert record is not None
    return auth.principal_from_item(record), record
