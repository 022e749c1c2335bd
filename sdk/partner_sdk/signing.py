"""Request signing for the partner API: pure functions, no I/O.

Two schemes, as API.md "Authentication and request integrity" describes:

* simple (seed 001): `X-Timestamp`, `X-Signature` (base64) and optional `X-Key-Id` over
  `"\\n".join([timestamp, METHOD, path, query]) + "\\n" + body`, Ed25519 or RSA PKCS#1 v1.5
  with SHA-256;
* RFC 9421 HTTP Message Signatures (seed 004): `Signature-Input`, `Signature` and, for a
  non-empty body, an RFC 9530 `Content-Digest` (sha-256), built with
  `http_message_signatures.HTTPMessageSigner`.

Both take exactly the bytes that go on the wire: the raw (percent-encoded) path, the raw
query string without `?`, and the raw body bytes.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms
from http_message_signatures.exceptions import HTTPMessageSignaturesException

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey

#: RFC 9421 algorithm names the API accepts, mapped to their implementations.
RFC9421_ALGORITHMS: Final[dict[str, type[algorithms.HTTPSignatureAlgorithm]]] = {
    "ed25519": algorithms.ED25519,
    "rsa-v1_5-sha256": algorithms.RSA_V1_5_SHA256,
    "rsa-pss-sha512": algorithms.RSA_PSS_SHA512,
    "ecdsa-p256-sha256": algorithms.ECDSA_P256_SHA256,
    "ecdsa-p384-sha384": algorithms.ECDSA_P384_SHA384,
}
SIGNATURE_LABEL: Final = "sig1"
MIN_RSA_BITS: Final = 2048
_CURVES: Final = (ec.SECP256R1, ec.SECP384R1)


def load_private_key(pem: str | bytes, *, password: bytes | None = None) -> PrivateKey:
    """Load a PEM private key the API can verify: Ed25519, RSA (2048+), EC P-256 or P-384.

    Raises ValueError for anything else (malformed PEM, other key types or curves).
    """
    data = pem.encode() if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data.strip(), password=password)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"not a readable PEM private key: {exc}") from exc
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise ValueError(f"RSA keys must be at least {MIN_RSA_BITS} bits (got {key.key_size})")
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey):
        if not isinstance(key.curve, _CURVES):
            raise ValueError(f"unsupported elliptic curve {key.curve.name}; use P-256 or P-384")
        return key
    raise ValueError(f"unsupported private key type {type(key).__name__}")


def simple_signed_bytes(*, timestamp: int, method: str, path: str, query: str, body: bytes) -> bytes:
    """The exact bytes the simple scheme signs (an empty body leaves a trailing newline)."""
    head = "\n".join([str(timestamp), method.upper(), path, query])
    return head.encode("utf-8") + b"\n" + body


def simple_headers(
    *,
    private_key: PrivateKey,
    key_id: str | None,
    method: str,
    path: str,
    query: str,
    body: bytes,
    timestamp: int,
) -> dict[str, str]:
    """Headers of the simple scheme: `X-Timestamp`, `X-Signature` and, when given, `X-Key-Id`.

    `path` is the raw path as sent, `query` the raw query string without `?` ("" if none).
    Only Ed25519 and RSA (PKCS#1 v1.5, SHA-256) keys can sign this scheme (ValueError).
    """
    message = simple_signed_bytes(timestamp=timestamp, method=method, path=path, query=query, body=body)
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        signature = private_key.sign(message)
    elif isinstance(private_key, rsa.RSAPrivateKey):
        signature = private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise ValueError("the simple scheme signs with Ed25519 or RSA keys only; use rfc9421 for ECDSA")
    headers = {"X-Timestamp": str(timestamp), "X-Signature": base64.b64encode(signature).decode("ascii")}
    if key_id:
        headers["X-Key-Id"] = key_id
    return headers


@dataclass
class _Message:
    """The request view HTTPMessageSigner reads and writes."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


_SIGNATURE_FIELDS: Final = frozenset({"signature", "signature-input", "content-digest"})


def rfc9421_headers(
    *,
    private_key: PrivateKey,
    key_id: str,
    algorithm: str,
    method: str,
    url: str,
    body: bytes,
    created: int,
    headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """RFC 9421 headers: `Signature-Input` and `Signature` (label `sig1`), plus
    `Content-Digest` (sha-256) when the body is non-empty.

    Covered components: `@method`, `@target-uri` and, with a body, `content-digest`;
    parameters `created`, `keyid`, `alg`. `url` is the absolute, percent-encoded URL as
    sent. `headers` are the request's other fields (not covered; any existing signature
    or digest fields are replaced). Raises ValueError for an unknown algorithm or a key
    that does not match it.
    """
    try:
        algorithm_class = RFC9421_ALGORITHMS[algorithm]
    except KeyError:
        known = ", ".join(RFC9421_ALGORITHMS)
        raise ValueError(f"unknown RFC 9421 algorithm {algorithm!r}; expected one of {known}") from None
    message = _Message(
        method=method.upper(),
        url=url,
        headers={k: v for k, v in (headers or {}).items() if k.lower() not in _SIGNATURE_FIELDS},
    )
    signer = HTTPMessageSigner(
        signature_algorithm=algorithm_class,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={key_id: private_key}),
    )
    try:
        signer.sign(
            message,
            key_id=key_id,
            created=datetime.datetime.fromtimestamp(created, tz=datetime.UTC),
            label=SIGNATURE_LABEL,
            include_alg=True,
            covered_component_ids=("@method", "@target-uri"),
            body=body if body else None,
        )
    except HTTPMessageSignaturesException as exc:
        raise ValueError(f"cannot sign with {algorithm}: {exc}") from exc
    wanted = {
        "signature-input": "Signature-Input",
        "signature": "Signature",
        "content-digest": "Content-Digest",
    }
    return {wanted[k.lower()]: v for k, v in message.headers.items() if k.lower() in wanted}


# -- key material for rotation (`partner signing-keys generate`) --------------------------


def generate_private_key(algorithm: str = "ed25519") -> PrivateKey:
    """A new private key for an RFC 9421 algorithm name (RSA keys are 3072 bits)."""
    if algorithm == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if algorithm in ("rsa-v1_5-sha256", "rsa-pss-sha512"):
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    if algorithm == "ecdsa-p256-sha256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "ecdsa-p384-sha384":
        return ec.generate_private_key(ec.SECP384R1())
    known = ", ".join(RFC9421_ALGORITHMS)
    raise ValueError(f"unknown algorithm {algorithm!r}; expected one of {known}")


def private_key_pem(private_key: PrivateKey) -> str:
    """PKCS#8 PEM text, unencrypted."""
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def public_key_pem(private_key: PrivateKey) -> str:
    """SubjectPublicKeyInfo PEM text of the key's public half (what the API registers)."""
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
