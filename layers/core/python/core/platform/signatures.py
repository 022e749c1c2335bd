"""Request signature verification: API.md "Authentication and request integrity".

Two schemes, both on every endpoint:

1. Simple: `X-Timestamp`, `X-Signature` (base64), optional `X-Key-Id`. The signed
   bytes are `simple_signed_bytes(...)`; Ed25519 or RSASSA-PKCS1-v1_5 SHA-256 only.
2. RFC 9421 HTTP Message Signatures (`Signature-Input`, `Signature`, and for a request
   with a body `Content-Digest`, RFC 9530). Used whenever `Signature-Input` is present.

`verify_request` applies this API's policy (one signature, required parameters,
coverage, ±60 s window, digest) and returns the keyid that verified.
`verify_rfc9421_crypto` is only the cryptographic check of one RFC 9421 signature
with a given key, without any policy; the RFC's Appendix B vectors test it directly.

The RFC 9421 code path imports `http_message_signatures` (and its `http_sf`) and
`core.platform.signature_base` (its common case, without the libraries) lazily, so a cold start that only
sees the simple scheme never loads them.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from core.platform import snapstart
from core.platform.errors import DigestMismatch, SignatureInvalid, SignatureMissing, TimestampOutOfRange
from core.platform.public_keys import SIMPLE_SCHEME_ALGORITHMS, PublicKey

WINDOW_SECONDS = 60
# RFC 9530 algorithms a Content-Digest may use here; the deprecated ones (md5, sha, ...) are refused.
DIGEST_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {"sha-256": hashlib.sha256, "sha-512": hashlib.sha512}

_SIMPLE_HEADERS = ("x-signature", "x-timestamp", "x-key-id")
# Base64 of the largest signature we can meet (16384-bit RSA) is 2732 characters.
_MAX_SIGNATURE_CHARS = 4096
_MAX_DETAIL_CHARS = 200


@dataclass(frozen=True)
class SignedMessage:
    """What verification needs of a request, exactly as the client sent it."""

    method: str  # upper case
    scheme: str  # "https" on AWS, "http" locally (from x-forwarded-proto)
    host: str  # Host header value
    raw_path: str  # the path exactly as sent, e.g. "/v1/signing-keys"
    raw_query: str  # raw query string without "?", exactly as sent, "" if none
    headers: Mapping[str, str]  # lower-case names
    body: bytes


@dataclass(frozen=True)
class SignedResponse:
    """A response, for checking RFC 9421 response signatures (Appendix B.2.4) with
    `verify_rfc9421_crypto`; `request` is needed only for components marked `;req`."""

    status: int
    headers: Mapping[str, str]
    request: SignedMessage | None = None


@dataclass(frozen=True)
class Rfc9421Signature:
    """One RFC 9421 signature that verified cryptographically."""

    label: str
    keyid: str | None
    components: tuple[str, ...]  # covered component identifiers as serialized, e.g. '"@method"'
    params: Mapping[str, Any]  # signature parameters: created, keyid, alg, expires, nonce, tag


def verify_request(
    msg: SignedMessage, *, keys: Mapping[str, PublicKey], now: float, required: bool
) -> str | None:
    """Verify the request's signature against the caller's registered signing keys.

    Returns the keyid (`sig_...`) that verified, or None when the request carries no
    signature at all and `required` is False. Raises SignatureMissing, SignatureInvalid,
    DigestMismatch or TimestampOutOfRange. A signature that is present is checked (and
    rejected if invalid) whatever `required` says.
    """
    headers = _lower(msg.headers)
    if "signature-input" in headers:
        return _verify_rfc9421(msg, headers, keys, now)
    if any(name in headers for name in _SIMPLE_HEADERS):
        return _verify_simple(msg, headers, keys, now)
    if "signature" in headers:
        raise SignatureInvalid(
            "The request has a Signature header but no Signature-Input; an RFC 9421 signature needs both."
        )
    if required:
        raise SignatureMissing(
            "This API key requires signed requests: sign with X-Timestamp and X-Signature, "
            "or with RFC 9421 Signature-Input and Signature."
        )
    return None


# --- scheme 1: X-Signature ---------------------------------------------------------


def simple_signed_bytes(timestamp: str, method: str, raw_path: str, raw_query: str, body: bytes) -> bytes:
    """The bytes an X-Signature signs: timestamp, METHOD, path and raw query joined by
    newlines, a newline, then the raw body (so an empty body leaves a trailing newline)."""
    return ("\n".join([timestamp, method.upper(), raw_path, raw_query]) + "\n").encode("utf-8") + body


def _verify_simple(
    msg: SignedMessage, headers: dict[str, str], keys: Mapping[str, PublicKey], now: float
) -> str:
    raw_timestamp = headers.get("x-timestamp")
    raw_signature = headers.get("x-signature")
    if raw_timestamp is None or raw_signature is None:
        raise SignatureInvalid("X-Signature and X-Timestamp must be sent together.")
    timestamp = raw_timestamp.strip()
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise SignatureInvalid("X-Timestamp must be Unix time in whole seconds, e.g. 1700000000.")
    _check_window(int(timestamp), now, "X-Timestamp")
    signature = _decode_base64(raw_signature.strip())

    raw_key_id = headers.get("x-key-id")
    if raw_key_id is not None:
        key_id = raw_key_id.strip()
        key = keys.get(key_id)
        if key is None:
            raise SignatureInvalid(f"X-Key-Id {_quote(key_id)} is not a signing key of this API key.")
        if key.algorithm not in SIMPLE_SCHEME_ALGORITHMS:
            raise SignatureInvalid(
                f"Signing key {_quote(key_id)} uses {key.algorithm}, which X-Signature does not support "
                f"({' or '.join(SIMPLE_SCHEME_ALGORITHMS)} only); sign with RFC 9421 instead."
            )
        candidates = [(key_id, key)]
    else:
        candidates = [(kid, k) for kid, k in keys.items() if k.algorithm in SIMPLE_SCHEME_ALGORITHMS]
        if not candidates:
            raise SignatureInvalid(
                "No signing key of this API key can verify X-Signature "
                f"({' or '.join(SIMPLE_SCHEME_ALGORITHMS)} only)."
            )

    signed = simple_signed_bytes(timestamp, msg.method, msg.raw_path, msg.raw_query, msg.body)
    for key_id, key in candidates:
        if _verify_simple_signature(key, signature, signed):
            return key_id
    raise SignatureInvalid(
        "X-Signature does not verify: sign timestamp, method, path and query joined by newlines, "
        "a newline, then the body, with a registered key."
    )


def _decode_base64(text: str) -> bytes:
    if not text or len(text) > _MAX_SIGNATURE_CHARS:
        raise SignatureInvalid("X-Signature must be the base64 of the signature bytes.")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureInvalid("X-Signature must be the base64 of the signature bytes.") from None


def _verify_simple_signature(key: PublicKey, signature: bytes, data: bytes) -> bool:
    crypto_key = key.crypto_key()
    try:
        if key.algorithm == "ed25519" and isinstance(crypto_key, ed25519.Ed25519PublicKey):
            crypto_key.verify(signature, data)
            return True
        if key.algorithm == "rsa-v1_5-sha256" and isinstance(crypto_key, rsa.RSAPublicKey):
            crypto_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
            return True
    except (InvalidSignature, ValueError):
        return False
    return False


# --- scheme 2: RFC 9421 --------------------------------------------------------------


def _verify_rfc9421(
    msg: SignedMessage, headers: dict[str, str], keys: Mapping[str, PublicKey], now: float
) -> str:
    one = _single_signature(headers)
    components, params = one.components, one.params

    keyid = params.get("keyid")
    if not isinstance(keyid, str) or not keyid:
        raise SignatureInvalid('The signature has no "keyid" parameter; it is required.')
    created = params.get("created")
    if created is None:
        raise SignatureInvalid('The signature has no "created" parameter; it is required.')
    if type(created) is not int:
        raise SignatureInvalid('The "created" parameter must be an integer (Unix seconds).')
    key = keys.get(keyid)
    if key is None:
        raise SignatureInvalid(f"keyid {_quote(keyid)} is not a signing key of this API key.")
    alg = params.get("alg")
    if alg is not None and alg != key.algorithm:
        raise SignatureInvalid(
            f'The signature says "alg" {_quote(str(alg))}, but signing key {_quote(keyid)} '
            f"is registered for {key.algorithm}."
        )

    _check_window(created, now, 'The "created" parameter')
    expires = params.get("expires")
    if expires is not None:
        if type(expires) is not int:
            raise SignatureInvalid('The "expires" parameter must be an integer (Unix seconds).')
        if expires < now:
            raise TimestampOutOfRange('The signature has expired: its "expires" parameter is in the past.')

    missing = _missing_coverage(components, msg)
    if missing:
        raise SignatureInvalid(f"The signature covers too little: it must also cover {', '.join(missing)}.")
    if msg.body and "content-digest" not in headers:
        raise DigestMismatch(
            "A request with a body needs a Content-Digest header (RFC 9530, sha-256 or sha-512)."
        )

    from core.platform.signature_base import fast_signature_base  # the RFC 9421 path only

    base = fast_signature_base(msg.method, target_uri(msg), headers, one.member)
    if base is None:
        verify_rfc9421_crypto(msg, key)
    else:
        _verify_base(key, one.signature, base)

    if "content-digest" in headers:
        check_content_digest(headers["content-digest"], msg.body)
    return keyid


def _single_signature(headers: dict[str, str]) -> _OneSignature:
    """The covered components and parameters of the one signature the request carries."""
    if "signature" not in headers:
        raise SignatureInvalid("The request has a Signature-Input header but no Signature header.")
    inputs = _parse_signature_dictionary(headers["signature-input"], "Signature-Input")
    signatures = _parse_signature_dictionary(headers["signature"], "Signature")
    if not inputs:
        raise SignatureInvalid("Signature-Input names no signature.")
    if len(inputs) > 1 or len(signatures) > 1:
        count = max(len(inputs), len(signatures))
        raise SignatureInvalid(
            f"The request carries {count} signatures; exactly one signature label is accepted."
        )
    label = next(iter(inputs))
    if label not in signatures:
        raise SignatureInvalid("Signature-Input and Signature name different signature labels.")
    covered, params = inputs[label]
    if not isinstance(covered, list):
        raise SignatureInvalid("The Signature-Input member must be an inner list of covered components.")
    if not isinstance(signatures[label][0], bytes):
        raise SignatureInvalid("The Signature member must be a byte sequence (:base64:).")
    components: list[tuple[str, dict[str, Any]]] = []
    for name, component_params in covered:
        if not isinstance(name, str):
            raise SignatureInvalid('Covered components must be strings, e.g. "@method".')
        components.append((name, dict(component_params)))
    return _OneSignature(components, dict(params), inputs[label], signatures[label][0])


@dataclass(frozen=True)
class _OneSignature:
    components: list[tuple[str, dict[str, Any]]]
    params: dict[str, Any]
    member: Any  # the parsed Signature-Input member: (inner list, parameters)
    signature: bytes


def _parse_signature_dictionary(value: str, field: str) -> dict[str, Any]:
    from core.platform.signature_base import canonical_dictionary  # the RFC 9421 path only

    canonical = canonical_dictionary(value)
    if canonical is not None:
        return canonical
    import http_sf

    def reject_duplicate(key: str, context: str) -> None:
        if context == "dictionary":
            raise SignatureInvalid(f"{field} repeats the signature label {_quote(key)}.")

    try:
        parsed = http_sf.parse(value.encode("ascii"), tltype="dictionary", on_duplicate_key=reject_duplicate)
    except SignatureInvalid:
        raise
    except Exception:
        raise SignatureInvalid(f"{field} is not a valid Structured Field dictionary (RFC 9421).") from None
    if not isinstance(parsed, dict):  # pragma: no cover - tltype="dictionary" always gives a dict
        raise SignatureInvalid(f"{field} is not a valid Structured Field dictionary (RFC 9421).")
    return parsed


def _missing_coverage(components: list[tuple[str, dict[str, Any]]], msg: SignedMessage) -> list[str]:
    """The components this API requires that the signature does not cover."""
    plain = {name for name, params in components if not params}
    digest_covered = any(
        name == "content-digest" and set(params) <= {"sf"} and params.get("sf", True) is True
        for name, params in components
    )
    missing = []
    if "@method" not in plain:
        missing.append('"@method"')
    if "@target-uri" not in plain:
        if "@path" not in plain:
            missing.append('"@target-uri" (or "@path")')
        if msg.raw_query and "@query" not in plain:
            missing.append('"@query"')
    if msg.body and not digest_covered:
        missing.append('"content-digest"')
    return missing


def _verify_base(key: PublicKey, signature: bytes, base: str) -> None:
    algorithm = _library().algorithms[key.algorithm]
    try:
        algorithm(public_key=key.crypto_key()).verify(signature=signature, message=base.encode())
    except Exception:
        raise SignatureInvalid(
            "The RFC 9421 signature does not verify: the signature does not match the signature base "
            "under the registered key."
        ) from None


def target_uri(msg: SignedMessage) -> str:
    """The request's target URI as the client addressed it: scheme, Host, raw path and query."""
    query = f"?{msg.raw_query}" if msg.raw_query else ""
    return f"{msg.scheme}://{msg.host}{msg.raw_path}{query}"


@dataclass
class _LibraryRequest:
    """The request view http_message_signatures resolves components from."""

    method: str
    url: str
    headers: dict[str, str]


@dataclass
class _LibraryResponse:
    status_code: int
    headers: dict[str, str]
    request: _LibraryRequest | None


def verify_rfc9421_crypto(
    msg: SignedMessage | SignedResponse, key: PublicKey, *, label: str | None = None
) -> Rfc9421Signature:
    """The cryptographic check of one RFC 9421 signature with `key`, and nothing else.

    Builds the signature base with `http_message_signatures` and verifies it with the
    algorithm `key` is registered for (never the one the message names; a differing
    "alg" fails). No policy: no clock, coverage, keyid or digest checks; `verify_request`
    does those. `label` picks one signature when the message carries several.
    Raises SignatureInvalid for anything that does not verify, malformed input included.
    """
    library = _library()
    headers = _lower(msg.headers)
    if label is not None:
        headers = _only_label(headers, label)
    message: _LibraryRequest | _LibraryResponse
    if isinstance(msg, SignedResponse):
        request = None if msg.request is None else _library_request(msg.request)
        message = _LibraryResponse(status_code=msg.status, headers=headers, request=request)
    else:
        message = _LibraryRequest(method=msg.method.upper(), url=target_uri(msg), headers=headers)
    verifier = library.verifier_class(
        signature_algorithm=library.algorithms[key.algorithm],
        key_resolver=library.resolver_class(key.crypto_key()),
    )
    try:
        (result,) = verifier.verify(message, max_age=None)
    except Exception as exc:
        raise SignatureInvalid(f"The RFC 9421 signature does not verify: {_describe(exc)}") from None
    keyid = result.parameters.get("keyid")
    return Rfc9421Signature(
        label=result.label,
        keyid=keyid if isinstance(keyid, str) else None,
        components=tuple(name for name in result.covered_components if name != '"@signature-params"'),
        params=dict(result.parameters),
    )


def _library_request(msg: SignedMessage) -> _LibraryRequest:
    return _LibraryRequest(method=msg.method.upper(), url=target_uri(msg), headers=_lower(msg.headers))


def _only_label(headers: dict[str, str], label: str) -> dict[str, str]:
    """`headers` with Signature-Input and Signature reduced to the member `label`."""
    import http_sf  # the RFC 9421 path only

    kept = dict(headers)
    for name, field in (("signature-input", "Signature-Input"), ("signature", "Signature")):
        if name not in headers:
            raise SignatureInvalid(f"The message has no {field} header.")
        members = _parse_signature_dictionary(headers[name], field)
        if label not in members:
            raise SignatureInvalid(f"{field} has no signature labelled {_quote(label)}.")
        kept[name] = http_sf.ser({label: members[label]})
    return kept


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if not text:
        return "the signature does not match the signature base under the registered key."
    return text[:_MAX_DETAIL_CHARS]


@dataclass(frozen=True)
class _Library:
    verifier_class: Any
    resolver_class: Any
    algorithms: Mapping[str, Any]


@functools.cache
def _library() -> _Library:
    """http_message_signatures, imported the first time an RFC 9421 signature is seen."""
    import http_message_signatures as hms
    from http_message_signatures import algorithms

    class ClockFreeVerifier(hms.HTTPMessageVerifier):
        """The library checks created/expires against datetime.now(); verify_request
        checks them against its injected `now` instead, so the library's check is off."""

        def validate_created_and_expires(self, sig_input: Any, max_age: Any = None) -> None:
            return None

    class OneKeyResolver(hms.HTTPSignatureKeyResolver):
        """Resolves every keyid to the one key the caller chose (policy picked it)."""

        def __init__(self, key: Any) -> None:
            self._key = key

        def resolve_public_key(self, key_id: str) -> Any:
            return self._key

        def resolve_private_key(self, key_id: str) -> Any:
            raise KeyError(key_id)

    return _Library(
        verifier_class=ClockFreeVerifier,
        resolver_class=OneKeyResolver,
        algorithms={
            "ed25519": algorithms.ED25519,
            "rsa-v1_5-sha256": algorithms.RSA_V1_5_SHA256,
            "rsa-pss-sha512": algorithms.RSA_PSS_SHA512,
            "ecdsa-p256-sha256": algorithms.ECDSA_P256_SHA256,
            "ecdsa-p384-sha384": algorithms.ECDSA_P384_SHA384,
        },
    )


# --- RFC 9530 Content-Digest ---------------------------------------------------------


def check_content_digest(value: str, body: bytes) -> None:
    """Check a Content-Digest field (RFC 9530) against the raw body.

    Every member must be sha-256 or sha-512 and match; raises DigestMismatch otherwise.
    """
    from core.platform.signature_base import canonical_dictionary  # the RFC 9421 path only

    members: Any = canonical_dictionary(value)
    if members is None:
        import http_sf  # the RFC 9421 path only

        def reject_duplicate(key: str, context: str) -> None:
            if context == "dictionary":
                raise DigestMismatch(f"Content-Digest repeats the algorithm {_quote(key)}.")

        try:
            members = http_sf.parse(
                value.encode("ascii"), tltype="dictionary", on_duplicate_key=reject_duplicate
            )
        except DigestMismatch:
            raise
        except Exception:
            raise DigestMismatch(
                "Content-Digest is malformed; expected e.g. sha-256=:<base64 digest>: (RFC 9530)."
            ) from None
    if not isinstance(members, dict) or not members:
        raise DigestMismatch("Content-Digest has no digest.")
    for algorithm, (digest, _params) in members.items():
        if algorithm not in DIGEST_ALGORITHMS:
            raise DigestMismatch(
                f"Content-Digest algorithm {_quote(algorithm)} is not accepted; use sha-256 or sha-512."
            )
        if not isinstance(digest, bytes):
            raise DigestMismatch(f"Content-Digest {algorithm} must be a byte sequence (:base64:).")
    for algorithm, (digest, _params) in members.items():
        if not hmac.compare_digest(digest, DIGEST_ALGORITHMS[algorithm](body).digest()):
            raise DigestMismatch(f"Content-Digest {algorithm} does not match the request body.")


# --- shared ----------------------------------------------------------------------------


def _check_window(timestamp: int, now: float, what: str) -> None:
    skew = timestamp - now
    if abs(skew) > WINDOW_SECONDS:
        raise TimestampOutOfRange(
            f"{what} is {abs(skew):.0f} s {'ahead of' if skew > 0 else 'behind'} server time; "
            f"it must be within {WINDOW_SECONDS} s. Check the client's clock."
        )


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _quote(value: str) -> str:
    """A client-supplied value, shortened, for an error message."""
    return repr(value[:64])


@snapstart.warm
def _load_rfc9421() -> None:
    """The RFC 9421 path's lazy imports and first calls (http_sf, the library and its URL
    parser, which loads the IDNA codec), before a SnapStart snapshot."""
    import http_sf
    from http_message_signatures._url import parse_url

    from core.platform import signature_base  # noqa: F401

    http_sf.parse(b"sig1=:AA==:", tltype="dictionary")
    parse_url("https://warm.invalid/v1/warm?x=1")
    "warm.invalid".encode("idna")  # the codec a request's host goes through
    _library()
