"""Every write re-reads its API key's record, strongly consistent and past the cache,
right before it commits (core.platform.auth.recheck): a key revoked, or a signing key
deleted, while another container still caches the record as it was writes nothing."""

from __future__ import annotations

import time
from typing import Any

from core.partners import onboarding as partners
from core.platform import auth, keys
from core.platform.store import Store
from tests.integration.test_signing_keys import create, delete, new_pem
from tests.support.harness import Partner, call


def write(partner: Partner, n: int, **kw: Any) -> Any:
    body = {"externalId": f"rechecked-{n}-{time.time_ns()}", "name": "Ada Lovelace", "country": "GB"}
    return call("customers/create", "POST", "/v1/customers", partner=partner, body=body, **kw)


def customers(partner: Partner) -> list[dict[str, Any]]:
    reply = call("customers/list", "GET", "/v1/customers", partner=partner, query="limit=100")
    assert reply.status == 200, reply.text
    return list(reply.json["data"])


def record(store: Store, partner: Partner) -> dict[str, Any]:
    item = store.get(keys.api_key_key(partner.tenant_id, auth.hash_key(partner.api_key)), consistent=True)
    assert item is not None
    return item


def test_a_key_revoked_while_a_container_still_caches_it_writes_nothing(
    store: Store, partner: Partner
) -> None:
    assert write(partner, 0).status == 201
    cached = record(store, partner)
    partners.revoke_api_key(store, partner.tenant_id, partner.api_key_id)
    key_hash = auth.hash_key(partner.api_key)
    replies = []
    for n in range(1, 6):
        # Another container still holds the record as it was (API_KEY_CACHE_SECONDS).
        auth.CACHE.put(key_hash, cached, time.time() + 60)
        replies.append(write(partner, n))
    assert {(r.status, r.code) for r in replies} == {(401, "api_key_revoked")}
    # The refusal dropped the stale copy: the next request reads the record itself.
    assert auth.CACHE.get(key_hash, time.time()) == (False, None)
    auth.CACHE.put(key_hash, cached, time.time() + 60)
    assert len(customers(partner)) == 1  # a read may trust the copy; nothing more was written
    auth.CACHE.invalidate(key_hash)


def test_a_write_signed_by_a_signing_key_deleted_meanwhile_writes_nothing(
    store: Store, partner: Partner
) -> None:
    private, pem = new_pem()
    added = create(partner, {"publicKey": pem, "algorithm": "ed25519"})
    assert added.status == 201, added.text
    second = added.json["id"]
    partner.extra_keys[second] = (private, "ed25519")
    assert write(partner, 0, key_id=second).status == 201
    cached = record(store, partner)
    assert delete(partner, second).status == 204
    auth.CACHE.put(auth.hash_key(partner.api_key), cached, time.time() + 60)
    reply = write(partner, 1, key_id=second)
    assert (reply.status, reply.code) == (401, "signature_invalid")
    assert write(partner, 2).status == 201  # the key that is still registered writes
    assert len(customers(partner)) == 2


def test_the_record_is_the_only_item_of_the_key(store: Store, partner: Partner) -> None:
    # No copies of the key to keep in step: revoking and changing signing keys write the
    # record alone, and every write reads it.
    assert write(partner, 0).status == 201
    items, _ = store.query_page(
        index=None,
        pk_name="PK",
        pk_value=keys.tenant_pk(partner.tenant_id),
        sk_name="SK",
        sk_prefix="APIKEY#",
        limit=1000,
    )
    of_key = [i for i in items if str(i["SK"]).startswith("APIKEY#")]
    assert [i["type"] for i in of_key] == ["api_key"]
