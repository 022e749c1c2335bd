"""Signature attacks (RFC 9421 section 7; issue 6, item 4), through the real handlers.

One partner registers a key of every algorithm API.md lists through `POST
/v1/signing-keys` (its first key came from the operator code). Each attack is a request
to a write route (a body to digest and something to create) or a list route (a query to
cover), signed by hand over a signature base written out here (RFC 9421 section 2.5), so
an attack can cover, name and digest exactly what it wants. Every attack is 401 with
API.md's code and leaves the table exactly as it was; the same hand signer, used
honestly, is accepted for every algorithm (the control that makes the attacks mean
something).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from core.platform import clock
from core.platform.errors import ERROR_TABLE
from partner_sdk import signing
from tests.support.harness import HOST, Partner, Reply
from tests.support.hostile_world import deliver, issue_key, moto_table, new_partner, table_items
from tests.support.route_targets import PARTNER, Target, of_kind, targets

ALGORITHMS = list(signing.RFC9421_ALGORITHMS)
WRITE = next(t for t in targets() if t.is_create and t.has_sample() and t.sample_json())
READ = next(t for t in of_kind(PARTNER) if t.is_list and t.has_sample() and t.sample_query())
REGISTER = next(t for t in targets() if t.route_key == "POST /v1/signing-keys")
DELETE = next(t for t in targets() if t.route_key == "DELETE /v1/signing-keys/{keyId}")
FULL = ("@method", "@target-uri")


def _private_key(algorithm: str) -> Any:
    if algorithm.startswith("rsa"):  # 2048 bits: API.md's minimum, and quick to make
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return signing.generate_private_key(algorithm)


@dataclass
class Keys:
    partner: Partner  # the API key every attack is sent with, and its operator-registered key
    by_algorithm: dict[str, tuple[str, Any]] = field(default_factory=dict)  # alg -> (keyid, private)
    deleted: tuple[str, Any] = ("", None)
    other_api_key: Partner | None = None  # the same tenant's second API key
    other_tenant: Partner | None = None

    def key(self, algorithm: str) -> tuple[str, Any]:
        return self.by_algorithm[algorithm]


def _register(partner: Partner, private: Any, algorithm: str) -> str:
    body = json.dumps({"publicKey": signing.public_key_pem(private), "algorithm": algorithm}).encode()
    headers = partner.headers("POST", REGISTER.path, "", body)
    headers["Idempotency-Key"] = str(uuid.uuid4())
    reply = deliver(REGISTER, REGISTER.path, "", {"host": HOST, **headers}, body)
    assert reply.status == 201, reply.text
    key_id: str = reply.json["id"]
    return key_id


@pytest.fixture(scope="module")
def keys() -> Iterator[Keys]:
    with moto_table():
        from core.platform import pipeline

        store = pipeline.runtime()[1]
        found = Keys(new_partner(store, "Signer"))
        for algorithm in ALGORITHMS:
            private = _private_key(algorithm)
            found.by_algorithm[algorithm] = (_register(found.partner, private, algorithm), private)
        doomed = signing.generate_private_key("ed25519")
        doomed_id = _register(found.partner, doomed, "ed25519")
        path = DELETE.path.replace("{keyId}", doomed_id)
        headers = {"host": HOST, **found.partner.headers("DELETE", path, "", b"")}
        reply = deliver(DELETE, path, "", headers, b"", {"keyId": doomed_id})
        assert reply.status == 204, reply.text
        found.deleted = (doomed_id, doomed)
        found.other_api_key = issue_key(store, found.partner.tenant_id)
        found.other_tenant = new_partner(store, "Someone else")
        yield found


# -- a signer that writes the signature base out ---------------------------------------------


def digest_of(body: bytes, algorithm: str = "sha-256") -> str:
    hasher = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512, "md5": hashlib.md5, "sha": hashlib.sha1}
    return f"{algorithm}=:{base64.b64encode(hasher[algorithm](body).digest()).decode()}:"


def with_private_key(private: Any, algorithm: str) -> Callable[[bytes], bytes]:
    """The algorithm's own signing operation (the library's implementation of it)."""
    sign: Callable[[bytes], bytes] = signing.RFC9421_ALGORITHMS[algorithm](private_key=private).sign
    return sign


def hmac_keyed_with(secret: bytes) -> Callable[[bytes], bytes]:
    return lambda base: hmac.new(secret, base, hashlib.sha256).digest()


@dataclass
class Request:
    target: Target
    query: str
    body: bytes

    @property
    def path(self) -> str:
        return self.target.path

    @property
    def url(self) -> str:
        return f"https://{HOST}{self.path}" + (f"?{self.query}" if self.query else "")


def write_request() -> Request:
    return Request(WRITE, WRITE.sample_query(), json.dumps(WRITE.sample_json()).encode())


def read_request() -> Request:
    return Request(READ, READ.sample_query(), b"")


def signed_headers(
    request: Request,
    *,
    keyid: str,
    sign: Callable[[bytes], bytes],
    alg: str | None,
    covered: tuple[str, ...] = FULL,
    cover_digest: bool = True,
    digest: str | None = None,
    created: float | None = None,
    expires: int | None = None,
) -> dict[str, str]:
    """Signature-Input, Signature and (with a body) Content-Digest, the base built here."""
    headers: dict[str, str] = {}
    if request.body or digest is not None:
        headers["content-digest"] = digest or digest_of(request.body)
    if request.body and cover_digest:
        covered = (*covered, "content-digest")
    values = {
        "@method": request.target.method,
        "@target-uri": request.url,
        "@path": request.path,
        "@query": f"?{request.query}",
        "@authority": HOST,
        "content-digest": headers.get("content-digest", ""),
    }
    params = f';created={int(time.time() if created is None else created)};keyid="{keyid}"'
    if alg is not None:
        params += f';alg="{alg}"'
    if expires is not None:
        params += f";expires={expires}"
    inner = "(" + " ".join(f'"{name}"' for name in covered) + ")" + params
    base = "\n".join([*(f'"{name}": {values[name]}' for name in covered), f'"@signature-params": {inner}'])
    signature = base64.b64encode(sign(base.encode())).decode()
    headers.update({"signature-input": f"sig1={inner}", "signature": f"sig1=:{signature}:"})
    return headers


def honest(keys: Keys, algorithm: str, request: Request, **changes: Any) -> dict[str, str]:
    keyid, private = keys.key(algorithm)
    options: dict[str, Any] = {"keyid": keyid, "sign": with_private_key(private, algorithm), "alg": algorithm}
    return signed_headers(request, **{**options, **changes})


def send(request: Request, headers: dict[str, str], *, api_key: str, body: bytes | None = None) -> Reply:
    all_headers = {
        "host": HOST,
        "x-forwarded-proto": "https",
        "content-type": "application/json",
        "authorization": f"Bearer {api_key}",
        **headers,
    }
    if request.target.is_write:
        all_headers.setdefault("idempotency-key", str(uuid.uuid4()))
    sent = request.body if body is None else body
    return deliver(request.target, request.path, request.query, all_headers, sent)


def refused(keys: Keys, request: Request, headers: dict[str, str], code: str, **kw: Any) -> None:
    """The attack is 401 `code` in the envelope, and the table is exactly as it was."""
    before = table_items()
    reply = send(request, headers, api_key=keys.partner.api_key, **kw)
    assert table_items() == before
    assert reply.status == ERROR_TABLE[code][0] == 401, reply.text
    assert set(reply.json) == {"error"}, reply.text
    assert reply.json["error"]["code"] == code, reply.text
    assert reply.json["error"]["type"] == "authentication_error"


# -- the control ----------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_an_honest_hand_made_signature_is_accepted(keys: Keys, algorithm: str) -> None:
    read = read_request()
    reply = send(read, honest(keys, algorithm, read), api_key=keys.partner.api_key)
    assert reply.status == 200, reply.text
    write = write_request()
    reply = send(write, honest(keys, algorithm, write), api_key=keys.partner.api_key)
    assert reply.status != 401, reply.text  # signed well: the write gets past authentication


def test_sha_512_content_digest_and_path_coverage_are_accepted(keys: Keys) -> None:
    write = write_request()
    headers = honest(keys, "ed25519", write, digest=digest_of(write.body, "sha-512"))
    assert send(write, headers, api_key=keys.partner.api_key).status != 401
    read = read_request()
    headers = honest(keys, "ed25519", read, covered=("@method", "@path", "@query"))
    assert send(read, headers, api_key=keys.partner.api_key).status == 200


# -- a signature that covers too little -------------------------------------------------------


@pytest.mark.parametrize(
    ("request_of", "changes"),
    [
        pytest.param(write_request, {"covered": ("@target-uri",)}, id="no-method"),
        pytest.param(read_request, {"covered": ("@method",)}, id="no-target-uri-or-path"),
        pytest.param(read_request, {"covered": ("@method", "@path")}, id="path-without-its-query"),
        pytest.param(read_request, {"covered": ("@method", "@authority")}, id="authority-only"),
        pytest.param(write_request, {"cover_digest": False}, id="body-digest-not-covered"),
    ],
)
@pytest.mark.parametrize("algorithm", ["ed25519", "rsa-pss-sha512"])
def test_a_signature_that_covers_too_little(
    keys: Keys, algorithm: str, request_of: Callable[[], Request], changes: dict[str, Any]
) -> None:
    request = request_of()
    refused(keys, request, honest(keys, algorithm, request, **changes), "signature_invalid")


def test_a_body_sent_with_no_digest_at_all(keys: Keys) -> None:
    write = write_request()
    headers = honest(keys, "ed25519", Request(WRITE, write.query, b""))  # signed as if bodiless
    refused(keys, write, headers, "signature_invalid")


# -- alg downgrade and confusion ------------------------------------------------------------------


@pytest.mark.parametrize("claimed", ["hmac-sha256", None])
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_an_hmac_keyed_with_the_public_key(keys: Keys, algorithm: str, claimed: str | None) -> None:
    """Algorithm confusion: the registered public key (PEM, as GET /v1/signing-keys shows it)
    used as an HMAC secret, saying `alg="hmac-sha256"` or saying nothing."""
    keyid, private = keys.key(algorithm)
    public_pem = signing.public_key_pem(private).encode()
    request = write_request()
    headers = signed_headers(request, keyid=keyid, sign=hmac_keyed_with(public_pem), alg=claimed)
    refused(keys, request, headers, "signature_invalid")


@pytest.mark.parametrize(
    ("registered", "signed_as", "claimed"),
    [
        pytest.param("rsa-pss-sha512", "rsa-v1_5-sha256", None, id="pkcs1-where-pss-registered"),
        pytest.param("rsa-pss-sha512", "rsa-v1_5-sha256", "rsa-v1_5-sha256", id="pkcs1-saying-so"),
        pytest.param("rsa-pss-sha512", "rsa-v1_5-sha256", "rsa-pss-sha512", id="pkcs1-claiming-pss"),
        pytest.param("rsa-v1_5-sha256", "rsa-pss-sha512", None, id="pss-where-pkcs1-registered"),
        pytest.param("ecdsa-p384-sha384", "ecdsa-p256-sha256", None, id="p256-for-a-p384-key"),
        pytest.param("ed25519", "ed25519", "none", id="alg-none"),
    ],
)
def test_a_downgraded_or_confused_algorithm(
    keys: Keys, registered: str, signed_as: str, claimed: str | None
) -> None:
    keyid, private = keys.key(registered)
    if signed_as == "ecdsa-p256-sha256":
        private = ec.generate_private_key(ec.SECP256R1())  # a P-256 key cannot be the P-384 one
    request = write_request()
    headers = signed_headers(request, keyid=keyid, sign=with_private_key(private, signed_as), alg=claimed)
    refused(keys, request, headers, "signature_invalid")


@pytest.mark.parametrize("algorithm", ["rsa-pss-sha512", "ecdsa-p256-sha256"])
def test_the_simple_scheme_with_a_key_registered_for_another_algorithm(keys: Keys, algorithm: str) -> None:
    """X-Signature knows Ed25519 and PKCS#1 v1.5 only: a PSS or ECDSA key cannot be used
    through it, even with a signature the key really made."""
    keyid, private = keys.key(algorithm)
    request = write_request()
    ts = str(int(time.time()))
    data = signing.simple_signed_bytes(
        timestamp=int(ts), method="POST", path=request.path, query=request.query, body=request.body
    )
    if isinstance(private, rsa.RSAPrivateKey):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        raw = private.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        raw = with_private_key(private, algorithm)(data)
    headers = {"x-timestamp": ts, "x-key-id": keyid, "x-signature": base64.b64encode(raw).decode()}
    refused(keys, request, headers, "signature_invalid")


def test_the_simple_scheme_with_an_hmac_of_the_public_key(keys: Keys) -> None:
    keyid, private = keys.key("rsa-v1_5-sha256")
    request = write_request()
    ts = int(time.time())
    data = signing.simple_signed_bytes(
        timestamp=ts, method="POST", path=request.path, query=request.query, body=request.body
    )
    forged = hmac_keyed_with(signing.public_key_pem(private).encode())(data)
    headers = {"x-timestamp": str(ts), "x-key-id": keyid, "x-signature": base64.b64encode(forged).decode()}
    refused(keys, request, headers, "signature_invalid")


# -- an unknown keyid ------------------------------------------------------------------------------


@pytest.mark.parametrize("whose", ["never-registered", "deleted", "another-api-key", "another-tenant"])
def test_a_keyid_this_api_key_does_not_hold(keys: Keys, whose: str) -> None:
    assert keys.other_api_key is not None and keys.other_tenant is not None
    if whose == "never-registered":
        keyid, private = "sig_" + "0" * 26, signing.generate_private_key("ed25519")
    elif whose == "deleted":
        keyid, private = keys.deleted
    elif whose == "another-api-key":
        keyid, private = keys.other_api_key.signing_key_id, keys.other_api_key.private_key
    else:
        keyid, private = keys.other_tenant.signing_key_id, keys.other_tenant.private_key
    request = write_request()
    headers = signed_headers(request, keyid=keyid, sign=with_private_key(private, "ed25519"), alg="ed25519")
    refused(keys, request, headers, "signature_invalid")
    simple = signing.simple_headers(
        private_key=private,
        key_id=keyid,
        method="POST",
        path=request.path,
        query=request.query,
        body=request.body,
        timestamp=int(time.time()),
    )
    refused(keys, request, {k.lower(): v for k, v in simple.items()}, "signature_invalid")


# -- a replay outside the window -------------------------------------------------------------------


@pytest.fixture
def server_clock() -> Iterator[Callable[[float], None]]:
    def set_to(at: float) -> None:
        clock.set_source(lambda: at)

    yield set_to
    clock.reset()


@pytest.mark.parametrize("scheme", ["rfc9421", "simple"])
@pytest.mark.parametrize("offset", [61, 3600, -61])
def test_a_request_replayed_outside_the_window(
    keys: Keys, server_clock: Callable[[float], None], scheme: str, offset: int
) -> None:
    """Captured when signed, sent again `offset` seconds later (negative: signed ahead of
    the server, to be replayed later)."""
    request = write_request()
    signed_at = float(int(time.time()))
    if scheme == "rfc9421":
        headers = honest(keys, "ecdsa-p256-sha256", request, created=signed_at)
    else:
        headers = keys.partner.headers(
            "POST", request.path, request.query, request.body, now=signed_at, scheme="simple"
        )
        headers = {k.lower(): v for k, v in headers.items() if k != "Authorization"}
    server_clock(signed_at + offset)
    refused(keys, request, headers, "timestamp_out_of_range")


def test_a_signature_past_its_expires(keys: Keys) -> None:
    request = write_request()
    now = int(time.time())
    headers = honest(keys, "ed25519", request, created=now - 10, expires=now - 1)
    refused(keys, request, headers, "timestamp_out_of_range")


def test_a_write_replayed_inside_the_window_is_answered_from_its_record(keys: Keys) -> None:
    """Inside the window a captured write is still a valid request; its Idempotency-Key
    (the SDK always sends one) makes the replay change nothing and answer what the first did."""
    request = write_request()
    headers = {**honest(keys, "rsa-v1_5-sha256", request), "idempotency-key": str(uuid.uuid4())}
    first = send(request, headers, api_key=keys.partner.api_key)
    assert first.status != 401, first.text
    before = table_items()
    again = send(request, headers, api_key=keys.partner.api_key)
    assert table_items() == before
    assert (again.status, again.text) == (first.status, first.text)
    assert again.headers["Idempotency-Replayed"] == "true"


# -- a digest with a deprecated algorithm ------------------------------------------------------------


@pytest.mark.parametrize("digests", [["md5"], ["sha"], ["sha-256", "md5"]], ids=lambda d: "+".join(d))
def test_a_content_digest_with_a_deprecated_algorithm(keys: Keys, digests: list[str]) -> None:
    """Correct digests, covered by a correct signature, in algorithms RFC 9530 deprecates."""
    request = write_request()
    value = ", ".join(digest_of(request.body, name) for name in digests)
    headers = honest(keys, "ed25519", request, digest=value)
    refused(keys, request, headers, "digest_mismatch")


# -- a body changed after signing ----------------------------------------------------------------------


def _changed(body: bytes) -> bytes:
    document = json.loads(body)
    document[next(iter(document))] = "changed-after-signing"
    return json.dumps(document).encode()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_body_changed_after_signing_keeps_a_stale_digest(keys: Keys, algorithm: str) -> None:
    request = write_request()
    headers = honest(keys, algorithm, request)
    refused(keys, request, headers, "digest_mismatch", body=_changed(request.body))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_body_changed_after_signing_with_a_fresh_digest(keys: Keys, algorithm: str) -> None:
    request = write_request()
    headers = honest(keys, algorithm, request)
    changed = _changed(request.body)
    headers["content-digest"] = digest_of(changed)  # honest about the body, not what was signed
    refused(keys, request, headers, "signature_invalid", body=changed)


def test_a_body_changed_after_signing_with_the_simple_scheme(keys: Keys) -> None:
    request = write_request()
    headers = keys.partner.headers("POST", request.path, request.query, request.body, scheme="simple")
    headers = {k.lower(): v for k, v in headers.items() if k != "Authorization"}
    refused(keys, request, headers, "signature_invalid", body=_changed(request.body))


def test_every_algorithm_was_registered_through_the_api(keys: Keys) -> None:
    listing = next(t for t in targets() if t.route_key == "GET /v1/signing-keys")
    headers = {"host": HOST, **keys.partner.headers("GET", listing.path, "", b"")}
    reply = deliver(listing, listing.path, "", headers, b"")
    assert reply.status == 200, reply.text
    listed = {item["id"]: item["algorithm"] for item in reply.json["data"]}
    registered = {keyid: algorithm for algorithm, (keyid, _) in keys.by_algorithm.items()}
    assert registered.items() <= listed.items()
    assert keys.partner.signing_key_id in listed  # the operator's
    assert keys.deleted[0] not in listed
