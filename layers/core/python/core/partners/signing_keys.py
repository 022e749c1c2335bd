"""Signing keys: the public keys that sign a partner's requests, several per API key so
a partner can rotate (add the new key, switch, delete the old one)."""

from __future__ import annotations

import base64
import hashlib
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, WithJsonSchema

from core.platform import auth, keys, listing
from core.platform.clock import rfc3339
from core.platform.errors import AlreadyExists, ApiError, LimitExceeded, ResourceMissing, StateConflict
from core.platform.ids import id_pattern, new_id
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.public_keys import (
    ALGORITHMS,
    PublicKey,
    algorithm_json_schema_rules,
    parse_public_key,
    public_key_json_schema,
)
from core.platform.representations import Representation, Timestamp
from core.platform.store import Condition, Tx
from core.platform.validation import RequestModel

MAX_PER_API_KEY = 10
Algorithm = Literal["ed25519", "rsa-v1_5-sha256", "rsa-pss-sha512", "ecdsa-p256-sha256", "ecdsa-p384-sha384"]
assert set(Algorithm.__args__) == set(ALGORITHMS)  # type: ignore[attr-defined]


class CreateSigningKey(RequestModel):
    # `parse_public_key`'s rules across the two fields, as far as JSON Schema can say them.
    model_config = ConfigDict(json_schema_extra={"allOf": algorithm_json_schema_rules()})

    publicKey: Annotated[str | dict[str, Any], WithJsonSchema(public_key_json_schema())]
    algorithm: Algorithm | None = Field(
        default=None,
        description="The algorithm signatures with this key use. Ed25519 keys: ed25519; RSA: "
        "rsa-v1_5-sha256 (the default) or rsa-pss-sha512; P-256: ecdsa-p256-sha256; P-384: "
        "ecdsa-p384-sha384. Defaults from the key type, or a JWK's own `alg` (which must agree).",
    )


class SigningKeyPath(RequestModel):
    keyId: str = Field(pattern=id_pattern("sig"), max_length=64)


class SigningKey(Representation):
    """A registered public key; its `id` is the `keyid` that signatures name."""

    id: str = Field(pattern=id_pattern("sig"))
    object: Literal["signing_key"]
    algorithm: Algorithm
    publicKey: str = Field(description="The key as PEM SubjectPublicKeyInfo, whatever form it was sent in.")
    fingerprint: str = Field(pattern=r"^sha256:[0-9a-f]{64}$", description="SHA-256 of the key's DER.")
    apiKeyId: str = Field(pattern=id_pattern("key"))
    createdAt: Timestamp


def collection(api_key_id: str) -> str:
    return f"signing_keys#{api_key_id}"


def fingerprint(key: PublicKey) -> str:
    der = base64.b64decode("".join(line for line in key.pem.splitlines() if "-----" not in line))
    return "sha256:" + hashlib.sha256(der).hexdigest()


def render(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "object": "signing_key",
        "algorithm": item["algorithm"],
        "publicKey": item["publicKey"],
        "fingerprint": item["fingerprint"],
        "apiKeyId": item["apiKeyId"],
        "createdAt": rfc3339(item["createdAt"]),
    }


def stage_create(
    tx: Tx,
    *,
    tenant_id: str,
    api_key_id: str,
    key_hash: str,
    key: PublicKey,
    now: float,
) -> dict[str, Any]:
    """The writes that register a key: the entity, its uniqueness guard and its copy in
    the API key record (so authentication reads one item)."""
    key_id = new_id("sig")
    print_ = fingerprint(key)
    item = {
        "type": "signing_key",
        "id": key_id,
        "tenantId": tenant_id,
        "apiKeyId": api_key_id,
        "apiKeyHash": key_hash,
        "algorithm": key.algorithm,
        "publicKey": key.pem,
        "fingerprint": print_,
        "createdAt": int(now),
        **keys.list_attrs(tenant_id, collection(api_key_id), key_id),
    }
    tx.create(keys.entity_key(tenant_id, key_id), item, on_fail=AlreadyExists("Signing key id clash."))
    tx.create(
        keys.guard_key(tenant_id, "signing_key", f"{api_key_id}#{print_}"),
        {"type": "guard", "of": key_id},
        on_fail=AlreadyExists("This public key is already registered.", param="publicKey"),
    )

    def over_limit(old: dict[str, Any] | None) -> ApiError | None:
        if old is not None and len(old.get("signingKeys") or {}) >= MAX_PER_API_KEY:
            return LimitExceeded(
                f"An API key holds at most {MAX_PER_API_KEY} signing keys.", param="publicKey"
            )
        return None

    tx.update(
        keys.api_key_key(tenant_id, key_hash),
        "SET #sk.#kid = :entry",
        names={"#sk": "signingKeys", "#kid": key_id},
        values={":entry": {"algorithm": key.algorithm, "publicKey": key.pem, "createdAt": int(now)}},
        condition=Condition("attribute_exists(PK) AND size(#sk) < :max", values={":max": MAX_PER_API_KEY}),
        on_fail=over_limit,
    )
    auth.CACHE.invalidate(key_hash)
    return item


def create(call: Call[CreateSigningKey, None, None]) -> dict[str, Any]:
    key = parse_public_key(call.body.publicKey, call.body.algorithm)
    item = stage_create(
        call.tx,
        tenant_id=call.tenant_id,
        api_key_id=call.principal.api_key_id,
        key_hash=call.principal.key_hash,
        key=key,
        now=call.now,
    )
    return render(item)


# The list takes no filters: it is always the calling key's own signing keys.
ListSigningKeysQuery = ListParams


def list_(call: Call[None, ListSigningKeysQuery, None]) -> dict[str, Any]:
    return listing.page(
        call.store,
        secret=call.settings.cursor_secret,
        tenant_id=call.tenant_id,
        collection=collection(call.principal.api_key_id),
        params=call.query,
        render=render,
    )


def delete(call: Call[None, None, SigningKeyPath]) -> None:
    key_id = call.path.keyId
    principal = call.principal
    missing = ResourceMissing(f"No such signing key: {key_id}.", param="keyId")
    known = principal.signing_keys.get(key_id)
    if known is None:
        # Not in this container's copy of the API key record: it may be newer than the copy.
        item = call.store.get(keys.entity_key(call.tenant_id, key_id), consistent=True)
        if item is None or item.get("type") != "signing_key" or item["apiKeyId"] != principal.api_key_id:
            raise missing  # another API key's signing key answers like an unknown one
        known = PublicKey(algorithm=item["algorithm"], pem=item["publicKey"])
    # The entity's condition makes a stale copy harmless: the key must still exist and
    # belong to the calling API key, or nothing is written.
    call.tx.delete(
        keys.entity_key(call.tenant_id, key_id),
        condition=Condition("attribute_exists(PK) AND apiKeyId = :me", values={":me": principal.api_key_id}),
        on_fail=missing,
    )
    call.tx.delete(
        keys.guard_key(call.tenant_id, "signing_key", f"{principal.api_key_id}#{fingerprint(known)}")
    )

    def last_key(old: dict[str, Any] | None) -> ApiError | None:
        if old is None or key_id not in (old.get("signingKeys") or {}):
            return missing
        return StateConflict(
            "This is the last signing key of an API key whose signatures are required: "
            "register another key before deleting it."
        )

    call.tx.update(
        principal.record_key,
        "REMOVE #sk.#kid",
        names={"#sk": "signingKeys", "#kid": key_id, "#policy": "signaturePolicy"},
        condition=Condition(
            "attribute_exists(#sk.#kid) AND (#policy = :optional OR size(#sk) > :one)",
            values={":optional": "optional", ":one": 1},
        ),
        on_fail=last_key,
    )
    auth.CACHE.invalidate(principal.key_hash)
