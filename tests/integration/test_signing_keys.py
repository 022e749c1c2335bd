"""Signing keys: register, list, delete, rotation, and the never-lock-yourself-out rule."""

from __future__ import annotations

from typing import Any

from core.partners import onboarding as partners
from partner_sdk import signing
from tests.support.harness import Partner, call

CREATE = "signing_keys/create"
LIST = "signing_keys/list"
DELETE = "signing_keys/delete"


def create(partner: Partner, body: dict[str, Any], **kw: Any):
    return call(CREATE, "POST", "/v1/signing-keys", partner=partner, body=body, **kw)


def delete(partner: Partner, key_id: str, **kw: Any):
    return call(
        DELETE, "DELETE", f"/v1/signing-keys/{key_id}", partner=partner, path_params={"keyId": key_id}, **kw
    )


def listing(partner: Partner, query: str = "", **kw: Any):
    return call(LIST, "GET", "/v1/signing-keys", partner=partner, query=query, **kw)


def new_pem(algorithm: str = "ed25519") -> tuple[Any, str]:
    private = signing.generate_private_key(algorithm)
    return private, signing.public_key_pem(private)


def test_create_answers_201_with_the_key(partner: Partner) -> None:
    _, pem = new_pem("ecdsa-p256-sha256")
    reply = create(partner, {"publicKey": pem})
    assert reply.status == 201, reply.text
    body = reply.json
    assert body["id"].startswith("sig_")
    assert body["algorithm"] == "ecdsa-p256-sha256"
    assert body["apiKeyId"] == partner.api_key_id
    assert body["fingerprint"].startswith("sha256:")
    assert body["createdAt"].endswith("Z")
    assert reply.headers["Request-Id"].startswith("req_")


def test_list_shows_the_callers_keys_newest_first(partner: Partner) -> None:
    _, pem = new_pem()
    created = create(partner, {"publicKey": pem}).json
    reply = listing(partner)
    assert reply.status == 200
    ids = [k["id"] for k in reply.json["data"]]
    assert ids == [created["id"], partner.signing_key_id]
    assert reply.json["nextCursor"] is None


def test_a_jwk_is_accepted(partner: Partner) -> None:
    private = signing.generate_private_key("ed25519")
    import base64

    raw = private.public_key().public_bytes_raw()
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}
    reply = create(partner, {"publicKey": jwk})
    assert reply.status == 201, reply.text
    assert reply.json["algorithm"] == "ed25519"


def test_bad_keys_and_mismatched_algorithms_are_400_with_param(partner: Partner) -> None:
    assert create(partner, {"publicKey": "not a key"}).json["error"]["param"] == "publicKey"
    _, pem = new_pem("ed25519")
    reply = create(partner, {"publicKey": pem, "algorithm": "rsa-pss-sha512"})
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (400, "parameter_invalid", "algorithm")
    reply = create(partner, {"publicKey": pem, "algorithm": "hmac-sha256"})
    assert (reply.status, reply.json["error"]["param"]) == (400, "algorithm")


def test_unknown_and_server_owned_fields_are_rejected(partner: Partner) -> None:
    _, pem = new_pem()
    reply = create(partner, {"publicKey": pem, "colour": "red"})
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (400, "parameter_unknown", "colour")
    reply = create(partner, {"publicKey": pem, "id": "sig_mine"})
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (400, "parameter_unknown", "id")
    reply = create(partner, {})
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (400, "parameter_missing", "publicKey")


def test_the_same_public_key_twice_is_409(partner: Partner) -> None:
    _, pem = new_pem()
    assert create(partner, {"publicKey": pem}).status == 201
    reply = create(partner, {"publicKey": pem})
    assert (reply.status, reply.code) == (409, "resource_already_exists")


def test_an_api_key_holds_at_most_ten_signing_keys(partner: Partner) -> None:
    for _ in range(9):
        assert create(partner, {"publicKey": new_pem()[1]}).status == 201
    reply = create(partner, {"publicKey": new_pem()[1]})
    assert (reply.status, reply.code) == (422, "limit_exceeded")
    assert len(listing(partner, "limit=100").json["data"]) == 10


def test_rotation_add_switch_delete_old(partner: Partner) -> None:
    private, pem = new_pem()
    new_id = create(partner, {"publicKey": pem}).json["id"]
    partner.extra_keys[new_id] = (private, "ed25519")
    old_id = partner.signing_key_id
    partner.signing_key_id = new_id
    assert delete(partner, old_id).status == 204
    assert [k["id"] for k in listing(partner).json["data"]] == [new_id]
    # A request signed by the deleted key is refused.
    reply = listing(partner, key_id=old_id)
    assert (reply.status, reply.code) == (401, "signature_invalid")


def test_deleting_the_last_key_while_signatures_are_required_is_409(partner: Partner) -> None:
    reply = delete(partner, partner.signing_key_id)
    assert (reply.status, reply.code) == (409, "state_conflict")
    assert listing(partner).status == 200


def test_the_last_key_can_go_when_signatures_are_optional(make_partner: Any) -> None:
    partner = make_partner(policy="optional")
    assert delete(partner, partner.signing_key_id).status == 204
    reply = call(LIST, "GET", "/v1/signing-keys", partner=partner, sign=False)
    assert reply.status == 200 and reply.json["data"] == []


def test_another_tenants_or_unknown_key_is_404(make_partner: Any) -> None:
    a, b = make_partner(), make_partner()
    reply = delete(a, b.signing_key_id)
    assert (reply.status, reply.code) == (404, "resource_missing")
    reply = delete(a, "sig_01JUNKNOWNKEY000000000000")
    assert (reply.status, reply.code) == (404, "resource_missing")
    assert listing(b).status == 200


def test_a_malformed_key_id_is_400(partner: Partner) -> None:
    reply = delete(partner, "nope")
    assert (reply.status, reply.code, reply.json["error"]["param"]) == (400, "parameter_invalid", "keyId")


def test_operator_registered_keys_sign_too(store: Any, partner: Partner) -> None:
    private, pem = new_pem("rsa-pss-sha512")
    created = partners.add_signing_key(store, partner.tenant_id, partner.api_key_id, pem, "rsa-pss-sha512")
    partner.extra_keys[created["id"]] = (private, "rsa-pss-sha512")
    assert listing(partner, key_id=created["id"]).status == 200
