"""partner_sdk.signing, checked against independent verifiers (cryptography and
http_message_signatures.HTTPMessageVerifier), never against the server's own code."""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from http_message_signatures import HTTPMessageVerifier, InvalidSignature, MappingKeyResolver, algorithms

from partner_sdk.signing import (
    generate_private_key,
    load_private_key,
    private_key_pem,
    public_key_pem,
    rfc9421_headers,
    simple_headers,
    simple_signed_bytes,
)

KEY_ID = "sig_01TESTKEY"
URL = "https://api.example.test/v1/customers?status=active&externalId=ext%201"


def _new_key(algorithm: str) -> Any:
    if algorithm == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm.startswith("rsa"):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == "ecdsa-p256-sha256":
        return ec.generate_private_key(ec.SECP256R1())
    return ec.generate_private_key(ec.SECP384R1())


ALGORITHMS = {
    "ed25519": algorithms.ED25519,
    "rsa-v1_5-sha256": algorithms.RSA_V1_5_SHA256,
    "rsa-pss-sha512": algorithms.RSA_PSS_SHA512,
    "ecdsa-p256-sha256": algorithms.ECDSA_P256_SHA256,
    "ecdsa-p384-sha384": algorithms.ECDSA_P384_SHA384,
}


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    rsa_key = _new_key("rsa")
    return {
        "ed25519": _new_key("ed25519"),
        "rsa-v1_5-sha256": rsa_key,
        "rsa-pss-sha512": rsa_key,
        "ecdsa-p256-sha256": _new_key("ecdsa-p256-sha256"),
        "ecdsa-p384-sha384": _new_key("ecdsa-p384-sha384"),
    }


@dataclass
class Message:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


def _verify_rfc9421(algorithm: str, public_key: Any, message: Message, body: bytes) -> Any:
    verifier = HTTPMessageVerifier(
        signature_algorithm=ALGORITHMS[algorithm],
        key_resolver=MappingKeyResolver(public_keys={KEY_ID: public_key}, private_keys={}),
    )
    required = ["@method", "@target-uri"] + (["content-digest"] if body else [])
    return verifier.verify(message, require_components=required, body=body)


# -- simple scheme ------------------------------------------------------------------------


def test_simple_signed_bytes_keep_the_trailing_newline_of_an_empty_body() -> None:
    # Given a GET with a raw query and no body
    signed = simple_signed_bytes(
        timestamp=1700000000, method="get", path="/v1/customers", query="limit=2&status=active", body=b""
    )
    # Then the bytes are exactly timestamp, METHOD, path, query, each ending in a newline
    assert signed == b"1700000000\nGET\n/v1/customers\nlimit=2&status=active\n"


def test_simple_signed_bytes_append_the_raw_body_and_keep_an_empty_query() -> None:
    signed = simple_signed_bytes(
        timestamp=1700000001, method="POST", path="/v1/bank-accounts", query="", body=b'{"a":"\xc3\xa9"}'
    )
    assert signed == b'1700000001\nPOST\n/v1/bank-accounts\n\n{"a":"\xc3\xa9"}'


@pytest.mark.parametrize("algorithm", ["ed25519", "rsa-v1_5-sha256"])
@pytest.mark.parametrize("body", [b"", b'{"name":"Ada"}'])
def test_simple_headers_verify_with_cryptography(keys: dict[str, Any], algorithm: str, body: bytes) -> None:
    # Given a key the simple scheme accepts
    key = keys[algorithm]
    # When the SDK signs a request with a percent-encoded path and raw query
    headers = simple_headers(
        private_key=key,
        key_id=KEY_ID,
        method="post",
        path="/v1/customers/cus_1/challenge%2Fx",
        query="a=1&b=%20x",
        body=body,
        timestamp=1700000000,
    )
    # Then the headers carry the timestamp and key id, and the signature verifies over
    # the bytes spelled out here, independently of the SDK
    assert headers["X-Timestamp"] == "1700000000"
    assert headers["X-Key-Id"] == KEY_ID
    expected = b"1700000000\nPOST\n/v1/customers/cus_1/challenge%2Fx\na=1&b=%20x\n" + body
    signature = base64.b64decode(headers["X-Signature"], validate=True)
    public = key.public_key()
    if algorithm == "ed25519":
        public.verify(signature, expected)
    else:
        public.verify(signature, expected, padding.PKCS1v15(), hashes.SHA256())
    # And the same signature does not verify for another query string
    tampered = expected.replace(b"a=1", b"a=2")
    with pytest.raises(CryptoInvalidSignature):
        if algorithm == "ed25519":
            public.verify(signature, tampered)
        else:
            public.verify(signature, tampered, padding.PKCS1v15(), hashes.SHA256())


def test_simple_headers_omit_the_key_id_when_none(keys: dict[str, Any]) -> None:
    headers = simple_headers(
        private_key=keys["ed25519"], key_id=None, method="GET", path="/v1/x", query="", body=b"", timestamp=1
    )
    assert set(headers) == {"X-Timestamp", "X-Signature"}


def test_simple_headers_refuse_ecdsa_keys(keys: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="Ed25519 or RSA"):
        simple_headers(
            private_key=keys["ecdsa-p256-sha256"],
            key_id=KEY_ID,
            method="GET",
            path="/v1/x",
            query="",
            body=b"",
            timestamp=1,
        )


# -- RFC 9421 -------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_rfc9421_with_body_verifies_with_http_message_verifier(keys: dict[str, Any], algorithm: str) -> None:
    # Given a POST with a JSON body
    key = keys[algorithm]
    body = b'{"type":"individual","name":"Ada"}'
    created = int(time.time())
    # When the SDK signs it
    headers = rfc9421_headers(
        private_key=key,
        key_id=KEY_ID,
        algorithm=algorithm,
        method="POST",
        url=URL,
        body=body,
        created=created,
        headers={"Content-Type": "application/json"},
    )
    # Then it adds the digest and the sig1 signature with the required parameters
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert headers["Content-Digest"] == f"sha-256=:{digest}:"
    components = '("@method" "@target-uri" "content-digest")'
    assert (
        headers["Signature-Input"]
        == f'sig1={components};created={created};keyid="{KEY_ID}";alg="{algorithm}"'
    )
    assert headers["Signature"].startswith("sig1=:")
    # And an independent verifier accepts it, body digest included
    message = Message("POST", URL, {"Content-Type": "application/json", **headers})
    (result,) = _verify_rfc9421(algorithm, key.public_key(), message, body)
    assert result.label == "sig1"
    assert result.parameters["keyid"] == KEY_ID


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_rfc9421_fails_verification_for_another_target(keys: dict[str, Any], algorithm: str) -> None:
    key = keys[algorithm]
    headers = rfc9421_headers(
        private_key=key,
        key_id=KEY_ID,
        algorithm=algorithm,
        method="GET",
        url=URL,
        body=b"",
        created=int(time.time()),
    )
    message = Message("GET", URL.replace("status=active", "status=inactive"), dict(headers))
    with pytest.raises(InvalidSignature):
        _verify_rfc9421(algorithm, key.public_key(), message, b"")


def test_rfc9421_without_body_covers_no_digest(keys: dict[str, Any]) -> None:
    created = int(time.time())
    headers = rfc9421_headers(
        private_key=keys["ed25519"],
        key_id=KEY_ID,
        algorithm="ed25519",
        method="get",
        url=URL,
        body=b"",
        created=created,
    )
    assert "Content-Digest" not in headers
    assert headers["Signature-Input"] == (
        f'sig1=("@method" "@target-uri");created={created};keyid="{KEY_ID}";alg="ed25519"'
    )
    message = Message("GET", URL, dict(headers))
    _verify_rfc9421("ed25519", keys["ed25519"].public_key(), message, b"")


def test_rfc9421_signature_base_matches_the_rfc_by_hand(keys: dict[str, Any]) -> None:
    # Given the signature base written out as RFC 9421 section 2.5 defines it
    key = keys["ed25519"]
    body = b'{"a":1}'
    headers = rfc9421_headers(
        private_key=key,
        key_id=KEY_ID,
        algorithm="ed25519",
        method="PATCH",
        url=URL,
        body=body,
        created=1700000000,
    )
    params = f'("@method" "@target-uri" "content-digest");created=1700000000;keyid="{KEY_ID}";alg="ed25519"'
    base = "\n".join(
        [
            '"@method": PATCH',
            f'"@target-uri": {URL}',
            f'"content-digest": {headers["Content-Digest"]}',
            f'"@signature-params": {params}',
        ]
    ).encode()
    # Then the Signature header holds an Ed25519 signature over exactly that base
    signature = base64.b64decode(headers["Signature"].removeprefix("sig1=:").removesuffix(":"))
    key.public_key().verify(signature, base)


def test_rfc9421_replaces_a_stale_digest_from_the_given_headers(keys: dict[str, Any]) -> None:
    body = b"{}"
    headers = rfc9421_headers(
        private_key=keys["ed25519"],
        key_id=KEY_ID,
        algorithm="ed25519",
        method="POST",
        url=URL,
        body=body,
        created=int(time.time()),
        headers={"content-digest": "sha-256=:AAAA:", "Signature": "old=:AAAA:"},
    )
    message = Message("POST", URL, dict(headers))
    _verify_rfc9421("ed25519", keys["ed25519"].public_key(), message, body)


@pytest.mark.parametrize(
    ("key_name", "algorithm"),
    [
        ("ed25519", "rsa-v1_5-sha256"),
        ("ecdsa-p256-sha256", "ecdsa-p384-sha384"),
        ("rsa-pss-sha512", "ed25519"),
    ],
)
def test_rfc9421_rejects_a_key_that_does_not_match_the_algorithm(
    keys: dict[str, Any], key_name: str, algorithm: str
) -> None:
    with pytest.raises(ValueError, match="cannot sign"):
        rfc9421_headers(
            private_key=keys[key_name],
            key_id=KEY_ID,
            algorithm=algorithm,
            method="GET",
            url=URL,
            body=b"",
            created=1,
        )


def test_rfc9421_rejects_an_unknown_algorithm(keys: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="unknown RFC 9421 algorithm"):
        rfc9421_headers(
            private_key=keys["ed25519"],
            key_id=KEY_ID,
            algorithm="hmac-sha256",
            method="GET",
            url=URL,
            body=b"",
            created=1,
        )


# -- keys -----------------------------------------------------------------------------------


def _pem(key: Any) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_load_private_key_reads_str_and_bytes(keys: dict[str, Any], algorithm: str) -> None:
    pem = _pem(keys[algorithm])
    from_bytes = load_private_key(pem)
    from_text = load_private_key("\n" + pem.decode() + "\n")
    assert _pem(from_bytes) == pem
    assert _pem(from_text) == pem


def test_load_private_key_rejects_short_rsa_keys() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    with pytest.raises(ValueError, match="at least 2048"):
        load_private_key(_pem(key))


def test_load_private_key_rejects_other_curves() -> None:
    with pytest.raises(ValueError, match="P-256 or P-384"):
        load_private_key(_pem(ec.generate_private_key(ec.SECP521R1())))


def test_load_private_key_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="PEM"):
        load_private_key("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")


@pytest.mark.parametrize("algorithm", list(ALGORITHMS))
def test_generated_key_pairs_round_trip(algorithm: str) -> None:
    key = generate_private_key(algorithm)
    loaded = load_private_key(private_key_pem(key))
    public = serialization.load_pem_public_key(public_key_pem(loaded).encode())
    headers = rfc9421_headers(
        private_key=loaded,
        key_id=KEY_ID,
        algorithm=algorithm,
        method="GET",
        url=URL,
        body=b"",
        created=int(time.time()),
    )
    _verify_rfc9421(algorithm, public, Message("GET", URL, dict(headers)), b"")
