"""Partner signing keys: parse a PEM or JWK public key, check it fits an algorithm.

API.md "Authentication and request integrity": a partner registers public keys
(Ed25519, RSA 2048+, ECDSA P-256 and P-384) as a PEM string or a JWK object, each
used with one algorithm. `parse_public_key` is the only way a key gets in, so every
`PublicKey` the verifier sees is a public key of a supported type and size, stored
as a normalised SubjectPublicKeyInfo PEM.

Failures are `ParameterInvalid` with `param="publicKey"` (the key itself is not
acceptable) or `param="algorithm"` (the key is fine, the algorithm is not, or a
JWK's own "alg" disagrees).
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from core.platform import snapstart
from core.platform.errors import ParameterInvalid

ALGORITHMS: tuple[str, ...] = (
    "ed25519",
    "rsa-v1_5-sha256",
    "rsa-pss-sha512",
    "ecdsa-p256-sha256",
    "ecdsa-p384-sha384",
)
# The X-Signature scheme (API.md, scheme 1) allows only these.
SIMPLE_SCHEME_ALGORITHMS: tuple[str, ...] = ("ed25519", "rsa-v1_5-sha256")

MIN_RSA_BITS = 2048
# Far above anything real; keeps a hostile key from making every verification slow.
MAX_RSA_BITS = 16384
# A PEM of the largest RSA key we accept is about 3 KB; anything much bigger is not a key.
MAX_PEM_CHARS = 8192

CryptoPublicKey = ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey

# Algorithm names a JWK may carry in "alg": the RFC 9421 names themselves and the
# JOSE names (RFC 7518, RFC 8037) of the same algorithms.
_JWK_ALG_NAMES: dict[str, str] = {
    **{name: name for name in ALGORITHMS},
    "EdDSA": "ed25519",
    "Ed25519": "ed25519",
    "RS256": "rsa-v1_5-sha256",
    "PS512": "rsa-pss-sha512",
    "ES256": "ecdsa-p256-sha256",
    "ES384": "ecdsa-p384-sha384",
}
# Members that only a private JWK has (RFC 7518 sections 6.2.2, 6.3.2, 6.4; RFC 8037).
_JWK_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
_EC_CURVES: dict[str, tuple[type[ec.EllipticCurve], int]] = {
    "P-256": (ec.SECP256R1, 32),
    "P-384": (ec.SECP384R1, 48),
}
_PEM_PUBLIC_HEADERS = ("-----BEGIN PUBLIC KEY-----", "-----BEGIN RSA PUBLIC KEY-----")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


@dataclass(frozen=True)
class PublicKey:
    """A registered signing key: its algorithm and its SubjectPublicKeyInfo PEM."""

    algorithm: str
    pem: str

    def crypto_key(self) -> CryptoPublicKey:
        """The `cryptography` key object, parsed once per PEM per warm container."""
        return _load_pem(self.pem)


# RFC 8410 section 4: an Ed25519 SubjectPublicKeyInfo is this DER prefix and the 32-byte key.
_ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


@functools.lru_cache(maxsize=512)
def _load_pem(pem: str) -> CryptoPublicKey:
    # Ed25519, the usual case, is read without `cryptography...serialization`: its import
    # (ssh, pkcs12 and 29 more modules) would cost every function's cold start ~20 ms
    # (`python -X importtime`), and the stored PEM is one that parse_public_key wrote.
    der = _spki_der(pem)
    if der is not None and len(der) == 44 and der.startswith(_ED25519_SPKI_PREFIX):
        return ed25519.Ed25519PublicKey.from_public_bytes(der[12:])
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_public_key(pem.encode("ascii"))
    if not isinstance(key, ed25519.Ed25519PublicKey | rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise ValueError("stored key is not of a supported type")  # parse_public_key never stores one
    return key


def _spki_der(pem: str) -> bytes | None:
    """The DER inside a `BEGIN PUBLIC KEY` PEM, or None if it is not one."""
    lines = pem.strip().splitlines()
    if len(lines) < 3 or lines[0] != "-----BEGIN PUBLIC KEY-----" or lines[-1] != "-----END PUBLIC KEY-----":
        return None
    try:
        return base64.b64decode("".join(lines[1:-1]), validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_public_key(public_key: str | dict[str, Any], algorithm: str | None = None) -> PublicKey:
    """Check a partner-supplied public key (PEM string or JWK object) and its algorithm.

    `algorithm` None picks the key type's default: ed25519 for Ed25519, rsa-v1_5-sha256
    for RSA, ecdsa-p256-sha256 for P-256, ecdsa-p384-sha384 for P-384 (or the JWK's own
    "alg" when it has one).
    """
    if algorithm is not None and (not isinstance(algorithm, str) or algorithm not in ALGORITHMS):
        raise ParameterInvalid(
            f"algorithm must be one of {', '.join(ALGORITHMS)}.",
            param="algorithm",
        )
    if isinstance(public_key, str):
        key = _key_from_pem(public_key)
    elif isinstance(public_key, dict):
        key, jwk_algorithm = _key_from_jwk(public_key)
        if jwk_algorithm is not None:
            if algorithm is not None and algorithm != jwk_algorithm:
                raise ParameterInvalid(
                    f'The JWK says "alg" {public_key.get("alg")!r} but algorithm is {algorithm!r}; '
                    "they must agree.",
                    param="algorithm",
                )
            algorithm = jwk_algorithm
    else:
        raise ParameterInvalid(
            "publicKey must be a PEM string (BEGIN PUBLIC KEY) or a JWK object.", param="publicKey"
        )
    _check_key_strength(key)
    chosen = _default_algorithm(key) if algorithm is None else algorithm
    _check_algorithm_fits(key, chosen)
    from cryptography.hazmat.primitives import serialization  # registration only (see _load_pem)

    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
    return PublicKey(algorithm=chosen, pem=pem)


def _key_from_pem(text: str) -> CryptoPublicKey:
    stripped = text.strip()
    if "PRIVATE KEY-----" in stripped:
        raise ParameterInvalid(
            "publicKey is a private key. Send only the public key (BEGIN PUBLIC KEY), "
            "and treat this private key as exposed.",
            param="publicKey",
        )
    if len(stripped) > MAX_PEM_CHARS:
        raise ParameterInvalid("publicKey is too long to be a public key PEM.", param="publicKey")
    if not stripped.startswith(_PEM_PUBLIC_HEADERS) or stripped.count("-----BEGIN") != 1:
        raise ParameterInvalid(
            "publicKey must be a single PEM public key (BEGIN PUBLIC KEY or BEGIN RSA PUBLIC KEY).",
            param="publicKey",
        )
    from cryptography.hazmat.primitives import serialization  # registration only (see _load_pem)

    try:
        key = serialization.load_pem_public_key(stripped.encode("ascii"))
    except UnsupportedAlgorithm:
        raise ParameterInvalid(
            "publicKey uses an unsupported key type; use Ed25519, RSA (2048 bits or more), "
            "or ECDSA P-256 / P-384.",
            param="publicKey",
        ) from None
    except (ValueError, UnicodeEncodeError):
        raise ParameterInvalid("publicKey is not a valid PEM public key.", param="publicKey") from None
    return _supported(key)


def _key_from_jwk(jwk: dict[str, Any]) -> tuple[CryptoPublicKey, str | None]:
    """The key a JWK describes and the algorithm its "alg" names (None if it has none)."""
    if jwk.get("kty") == "oct":
        raise ParameterInvalid(
            'publicKey JWK has kty "oct": symmetric (HMAC) secrets are not accepted, only public keys.',
            param="publicKey",
        )
    if any(member in jwk for member in _JWK_PRIVATE_MEMBERS):
        raise ParameterInvalid(
            'publicKey is a private JWK (it has private members such as "d"). Send only the '
            "public members, and treat this private key as exposed.",
            param="publicKey",
        )
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise ParameterInvalid('publicKey JWK "use" must be "sig".', param="publicKey")
    kty = jwk.get("kty")
    key: CryptoPublicKey
    try:
        if kty == "OKP":
            if jwk.get("crv") != "Ed25519":
                raise ParameterInvalid(
                    'publicKey JWK with kty "OKP" must have crv "Ed25519".', param="publicKey"
                )
            key = ed25519.Ed25519PublicKey.from_public_bytes(_jwk_bytes(jwk, "x", size=32))
        elif kty == "RSA":
            n = int.from_bytes(_jwk_bytes(jwk, "n"), "big")
            e = int.from_bytes(_jwk_bytes(jwk, "e"), "big")
            key = rsa.RSAPublicNumbers(e, n).public_key()
        elif kty == "EC":
            crv = jwk.get("crv")
            if not isinstance(crv, str) or crv not in _EC_CURVES:
                raise ParameterInvalid(
                    'publicKey JWK with kty "EC" must have crv "P-256" or "P-384".', param="publicKey"
                )
            curve, size = _EC_CURVES[crv]
            x = int.from_bytes(_jwk_bytes(jwk, "x", size=size), "big")
            y = int.from_bytes(_jwk_bytes(jwk, "y", size=size), "big")
            key = ec.EllipticCurvePublicNumbers(x, y, curve()).public_key()
        else:
            raise ParameterInvalid(
                'publicKey JWK "kty" must be "OKP" (Ed25519), "RSA" or "EC" (P-256, P-384).',
                param="publicKey",
            )
    except ValueError:
        raise ParameterInvalid(
            "publicKey JWK does not describe a valid public key.", param="publicKey"
        ) from None
    alg = jwk.get("alg")
    if alg is None:
        return key, None
    if not isinstance(alg, str) or alg not in _JWK_ALG_NAMES:
        raise ParameterInvalid(
            f'The JWK "alg" {alg!r} is not supported; use one of {", ".join(ALGORITHMS)}.',
            param="algorithm",
        )
    return key, _JWK_ALG_NAMES[alg]


def _jwk_bytes(jwk: dict[str, Any], member: str, *, size: int | None = None) -> bytes:
    value = jwk.get(member)
    if not isinstance(value, str) or not value or _BASE64URL.fullmatch(value) is None:
        raise ParameterInvalid(f'publicKey JWK member "{member}" must be base64url text.', param="publicKey")
    unpadded = value.rstrip("=")
    try:
        raw = base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
    except (binascii.Error, ValueError):
        raise ParameterInvalid(
            f'publicKey JWK member "{member}" is not valid base64url.', param="publicKey"
        ) from None
    if size is not None and len(raw) != size:
        raise ParameterInvalid(
            f'publicKey JWK member "{member}" must be {size} bytes, not {len(raw)}.', param="publicKey"
        )
    return raw


def _supported(key: object) -> CryptoPublicKey:
    if isinstance(key, ed25519.Ed25519PublicKey | rsa.RSAPublicKey):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey):
        if isinstance(key.curve, ec.SECP256R1 | ec.SECP384R1):
            return key
        raise ParameterInvalid(
            f"publicKey is on curve {key.curve.name}; only P-256 and P-384 are supported.",
            param="publicKey",
        )
    raise ParameterInvalid(
        "publicKey uses an unsupported key type; use Ed25519, RSA (2048 bits or more), "
        "or ECDSA P-256 / P-384.",
        param="publicKey",
    )


def _check_key_strength(key: CryptoPublicKey) -> None:
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise ParameterInvalid(
                f"publicKey is a {key.key_size}-bit RSA key; RSA keys must have at least "
                f"{MIN_RSA_BITS} bits.",
                param="publicKey",
            )
        if key.key_size > MAX_RSA_BITS:
            raise ParameterInvalid(
                f"publicKey is a {key.key_size}-bit RSA key; at most {MAX_RSA_BITS} bits are accepted.",
                param="publicKey",
            )


def _key_type(key: CryptoPublicKey) -> str:
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA"
    return "P-256" if isinstance(key.curve, ec.SECP256R1) else "P-384"


def _default_algorithm(key: CryptoPublicKey) -> str:
    return {
        "Ed25519": "ed25519",
        "RSA": "rsa-v1_5-sha256",
        "P-256": "ecdsa-p256-sha256",
        "P-384": "ecdsa-p384-sha384",
    }[_key_type(key)]


# Which algorithms each key type can be used with.
_FITS: dict[str, tuple[str, ...]] = {
    "Ed25519": ("ed25519",),
    "RSA": ("rsa-v1_5-sha256", "rsa-pss-sha512"),
    "P-256": ("ecdsa-p256-sha256",),
    "P-384": ("ecdsa-p384-sha384",),
}


def _check_algorithm_fits(key: CryptoPublicKey, algorithm: str) -> None:
    key_type = _key_type(key)
    allowed = _FITS[key_type]
    if algorithm not in allowed:
        raise ParameterInvalid(
            f"algorithm {algorithm!r} cannot be used with an {key_type} key; use {' or '.join(allowed)}.",
            param="algorithm",
        )


# -- the rules above in JSON Schema (the OpenAPI document's) -------------------------------
# What a schema can say: the PEM's frame, a JWK's members and their lengths, and which
# algorithms fit which key type. What it cannot: that the bytes are a key (a point on the
# curve, an RSA modulus of 2048 to 16384 bits), nor, for a PEM, which type of key it holds.

_PEM_SPACE = "[\\t\\n\\r ]*"
PEM_PATTERN = (
    f"^{_PEM_SPACE}-----BEGIN (?:RSA )?PUBLIC KEY-----[A-Za-z0-9+/=\\t\\n\\r ]+"
    f"-----END (?:RSA )?PUBLIC KEY-----{_PEM_SPACE}$"
)
_JWK_KEY_TYPES = {"OKP": ("Ed25519",), "RSA": ("RSA",), "EC": ("P-256", "P-384")}


def _base64url_schema(size: int | None) -> dict[str, Any]:
    """What `_jwk_bytes` takes: base64url (up to two `=`) of `size` bytes, or of any length."""
    if size is None:
        body = "(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{4}|[A-Za-z0-9_-]{2,3})"
    else:
        body = f"[A-Za-z0-9_-]{{{-(-size * 4 // 3)}}}"
    return {"type": "string", "pattern": f"^{body}={{0,2}}$"}


def _jwk_schema() -> dict[str, Any]:
    def when(kty: str, crv: str | None = None) -> dict[str, Any]:
        properties: dict[str, Any] = {"kty": {"const": kty}}
        if crv is not None:
            properties["crv"] = {"const": crv}
        return {"properties": properties, "required": list(properties)}

    rules: list[dict[str, Any]] = [
        {
            "if": when("OKP"),
            "then": {
                "required": ["crv", "x"],
                "properties": {"crv": {"const": "Ed25519"}, "x": _base64url_schema(32)},
            },
        },
        {
            "if": when("RSA"),
            "then": {
                "required": ["n", "e"],
                "properties": {"n": _base64url_schema(None), "e": _base64url_schema(None)},
            },
        },
        {
            "if": when("EC"),
            "then": {"required": ["crv", "x", "y"], "properties": {"crv": {"enum": list(_EC_CURVES)}}},
        },
    ]
    for crv, (_, size) in _EC_CURVES.items():
        coordinate = _base64url_schema(size)
        rules.append({"if": when("EC", crv), "then": {"properties": {"x": coordinate, "y": coordinate}}})
    return {
        "type": "object",
        "description": "A public JWK (RFC 7517): `kty` OKP (`crv` Ed25519, `x`), RSA (`n`, `e`) or EC "
        "(`crv` P-256 or P-384, `x`, `y`), members base64url; optionally `use` (`sig`) and `alg` "
        "(this API's algorithm names or the JOSE ones: EdDSA, RS256, PS512, ES256, ES384). No "
        "private members. The members must make a real key (RSA of 2048 to 16384 bits, a point "
        "on the curve).",
        "required": ["kty"],
        "properties": {
            "kty": {"enum": list(_JWK_KEY_TYPES)},
            # null is taken as absent (`_key_from_jwk` reads them with `.get`).
            "use": {"enum": ["sig", None]},
            "alg": {"enum": [*_JWK_ALG_NAMES, None]},
            **{member: False for member in _JWK_PRIVATE_MEMBERS},
        },
        "allOf": rules,
    }


def public_key_json_schema() -> dict[str, Any]:
    """`publicKey` of `POST /v1/signing-keys`: a PEM string or a JWK object."""
    return {
        "anyOf": [
            {
                "type": "string",
                "pattern": PEM_PATTERN,
                "description": "PEM: SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`) or, for RSA, PKCS#1 "
                f"(`BEGIN RSA PUBLIC KEY`), one key, at most {MAX_PEM_CHARS} characters without the "
                "surrounding whitespace. It must hold an Ed25519 key, an RSA key of "
                f"{MIN_RSA_BITS} to {MAX_RSA_BITS} bits, or an ECDSA P-256 or P-384 key.",
            },
            _jwk_schema(),
        ],
        "description": "The public key, as PEM or as a JWK. Never a private key (400: treat it as exposed).",
    }


def algorithm_json_schema_rules() -> list[Any]:
    """Conditions (`allOf` members) of a body with `publicKey` and `algorithm`: a JWK's key
    type limits `algorithm` and its own `alg`, and both must agree (`parse_public_key`)."""
    rules: list[dict[str, Any]] = []
    for kty, key_types in _JWK_KEY_TYPES.items():
        for key_type in key_types:
            fits = _FITS[key_type]
            jwk: dict[str, Any] = {"kty": {"const": kty}}
            if kty == "EC":
                jwk["crv"] = {"const": key_type}
            rules.append(
                {
                    "if": {
                        "required": ["publicKey"],
                        "properties": {
                            "publicKey": {"type": "object", "required": list(jwk), "properties": jwk}
                        },
                    },
                    "then": {
                        "properties": {
                            "algorithm": {"enum": [*fits, None]},
                            "publicKey": {
                                "properties": {
                                    "alg": {
                                        "enum": [
                                            *(name for name, alg in _JWK_ALG_NAMES.items() if alg in fits),
                                            None,
                                        ]
                                    }
                                }
                            },
                        }
                    },
                }
            )
    for algorithm in ALGORITHMS:
        rules.append(
            {
                "if": {"required": ["algorithm"], "properties": {"algorithm": {"const": algorithm}}},
                "then": {
                    "properties": {
                        "publicKey": {
                            "properties": {
                                "alg": {
                                    "enum": [
                                        *(name for name, alg in _JWK_ALG_NAMES.items() if alg == algorithm),
                                        None,
                                    ]
                                }
                            }
                        }
                    }
                },
            }
        )
    return rules


snapstart.preload("cryptography.hazmat.primitives.serialization")
