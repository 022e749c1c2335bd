"""core.platform.public_keys: registering a partner's signing key from a PEM or a JWK."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa, x25519

from core.platform.errors import ParameterInvalid
from core.platform.public_keys import ALGORITHMS, SIMPLE_SCHEME_ALGORITHMS, PublicKey, parse_public_key

RFC_DATA = Path(__file__).parent / "data" / "rfc9421"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def spki_pem(private_key: Any) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def jwk_of(private_key: Any) -> dict[str, str]:
    public = private_key.public_key()
    if isinstance(public, ed25519.Ed25519PublicKey):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw)}
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        return {
            "kty": "RSA",
            "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
            "e": b64url(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
        }
    assert isinstance(public, ec.EllipticCurvePublicKey)
    size = (public.curve.key_size + 7) // 8
    numbers = public.public_numbers()
    return {
        "kty": "EC",
        "crv": {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}[public.curve.name],
        "x": b64url(numbers.x.to_bytes(size, "big")),
        "y": b64url(numbers.y.to_bytes(size, "big")),
    }


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    return {
        "Ed25519": ed25519.Ed25519PrivateKey.generate(),
        "RSA": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "P-256": ec.generate_private_key(ec.SECP256R1()),
        "P-384": ec.generate_private_key(ec.SECP384R1()),
    }


def invalid(public_key: Any, algorithm: Any = None) -> ParameterInvalid:
    with pytest.raises(ParameterInvalid) as exc:
        parse_public_key(public_key, algorithm)
    err = exc.value
    assert err.code == "parameter_invalid"
    assert err.status == 400
    assert "Traceback" not in err.message
    assert len(err.message) < 300
    return err


DEFAULTS = {
    "Ed25519": "ed25519",
    "RSA": "rsa-v1_5-sha256",
    "P-256": "ecdsa-p256-sha256",
    "P-384": "ecdsa-p384-sha384",
}


def test_algorithm_lists() -> None:
    assert ALGORITHMS == (
        "ed25519",
        "rsa-v1_5-sha256",
        "rsa-pss-sha512",
        "ecdsa-p256-sha256",
        "ecdsa-p384-sha384",
    )
    assert SIMPLE_SCHEME_ALGORITHMS == ("ed25519", "rsa-v1_5-sha256")


# --- accepted keys --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(DEFAULTS))
def test_pem_of_each_type(keys: dict[str, Any], kind: str) -> None:
    key = parse_public_key(spki_pem(keys[kind]))
    assert key.algorithm == DEFAULTS[kind]
    assert key.pem == spki_pem(keys[kind])
    reparsed = key.crypto_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert reparsed.decode() == spki_pem(keys[kind])


@pytest.mark.parametrize("kind", list(DEFAULTS))
def test_jwk_of_each_type_matches_its_pem(keys: dict[str, Any], kind: str) -> None:
    from_jwk = parse_public_key(jwk_of(keys[kind]))
    assert from_jwk == PublicKey(algorithm=DEFAULTS[kind], pem=spki_pem(keys[kind]))


def test_rsa_pkcs1_pem_is_normalised_to_spki(keys: dict[str, Any]) -> None:
    pkcs1 = (
        keys["RSA"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
        .decode()
    )
    assert pkcs1.startswith("-----BEGIN RSA PUBLIC KEY-----")
    key = parse_public_key(pkcs1)
    assert key.pem == spki_pem(keys["RSA"])
    assert key.pem.startswith("-----BEGIN PUBLIC KEY-----")


def test_pem_with_surrounding_whitespace(keys: dict[str, Any]) -> None:
    assert parse_public_key("\n  " + spki_pem(keys["Ed25519"]) + "\n\n").pem == spki_pem(keys["Ed25519"])


def test_rsa_accepts_both_rsa_algorithms(keys: dict[str, Any]) -> None:
    pem = spki_pem(keys["RSA"])
    assert parse_public_key(pem, "rsa-pss-sha512").algorithm == "rsa-pss-sha512"
    assert parse_public_key(pem, "rsa-v1_5-sha256").algorithm == "rsa-v1_5-sha256"


@pytest.mark.parametrize(
    ("kind", "alg", "expected"),
    [
        ("Ed25519", "EdDSA", "ed25519"),
        ("Ed25519", "ed25519", "ed25519"),
        ("RSA", "RS256", "rsa-v1_5-sha256"),
        ("RSA", "PS512", "rsa-pss-sha512"),
        ("RSA", "rsa-pss-sha512", "rsa-pss-sha512"),
        ("P-256", "ES256", "ecdsa-p256-sha256"),
        ("P-384", "ES384", "ecdsa-p384-sha384"),
    ],
)
def test_jwk_alg_decides_when_algorithm_is_not_given(
    keys: dict[str, Any], kind: str, alg: str, expected: str
) -> None:
    assert parse_public_key({**jwk_of(keys[kind]), "alg": alg}).algorithm == expected
    assert parse_public_key({**jwk_of(keys[kind]), "alg": alg}, expected).algorithm == expected


def test_jwk_with_use_sig_and_kid(keys: dict[str, Any]) -> None:
    jwk = {**jwk_of(keys["P-256"]), "use": "sig", "kid": "partner-2025", "key_ops": ["verify"]}
    assert parse_public_key(jwk).algorithm == "ecdsa-p256-sha256"


@pytest.mark.parametrize(
    "name", ["test-key-rsa", "test-key-rsa-pss", "test-key-ecc-p256", "test-key-ed25519"]
)
def test_rfc9421_example_keys_parse_alike_from_pem_and_jwk(name: str) -> None:
    entry = json.loads((RFC_DATA / "vectors.json").read_text())["keys"][name]
    from_pem = parse_public_key((RFC_DATA / entry["pem_file"]).read_text(), entry["algorithm"])
    from_jwk = parse_public_key({**entry["jwk"]}, entry["algorithm"])
    assert from_pem == from_jwk
    assert from_pem.algorithm == entry["algorithm"]


def test_crypto_key_is_parsed_once_per_pem(keys: dict[str, Any]) -> None:
    key = parse_public_key(spki_pem(keys["P-384"]))
    again = PublicKey(algorithm=key.algorithm, pem=key.pem)
    assert key.crypto_key() is key.crypto_key()
    assert again.crypto_key() is key.crypto_key()


# --- rejected keys: param="publicKey" --------------------------------------------------------------


@pytest.mark.parametrize("kind", list(DEFAULTS))
@pytest.mark.parametrize(
    "fmt", [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL]
)
def test_private_key_pem_is_rejected(keys: dict[str, Any], kind: str, fmt: Any) -> None:
    if kind == "Ed25519" and fmt is serialization.PrivateFormat.TraditionalOpenSSL:
        fmt = serialization.PrivateFormat.OpenSSH
    pem = keys[kind].private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()
    err = invalid(pem)
    assert err.param == "publicKey"
    assert "private key" in err.message


def test_private_key_after_a_public_key_is_rejected(keys: dict[str, Any]) -> None:
    private = (
        keys["Ed25519"]
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    assert invalid(spki_pem(keys["Ed25519"]) + private).param == "publicKey"


@pytest.mark.parametrize("member", ["d", "p", "q", "dp", "dq", "qi"])
def test_private_jwk_is_rejected(keys: dict[str, Any], member: str) -> None:
    kind = "Ed25519" if member == "d" else "RSA"
    err = invalid({**jwk_of(keys[kind]), member: "AQAB"})
    assert err.param == "publicKey"
    assert "private" in err.message


def test_private_ec_jwk_is_rejected(keys: dict[str, Any]) -> None:
    d = keys["P-256"].private_numbers().private_value.to_bytes(32, "big")
    assert invalid({**jwk_of(keys["P-256"]), "d": b64url(d)}).param == "publicKey"


def test_rsa_1024_is_rejected() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (must be refused)
    for form in (spki_pem(small), jwk_of(small)):
        err = invalid(form)
        assert err.param == "publicKey"
        assert "2048" in err.message
    assert invalid(spki_pem(small), "rsa-pss-sha512").param == "publicKey"


def test_rsa_2047_is_rejected_and_2048_accepted(keys: dict[str, Any]) -> None:
    numbers = keys["RSA"].public_key().public_numbers()
    assert parse_public_key(jwk_of(keys["RSA"])).algorithm == "rsa-v1_5-sha256"
    short_n = (numbers.n >> 1) | 1  # an odd 2047-bit modulus
    assert short_n.bit_length() == 2047
    jwk = {"kty": "RSA", "n": b64url(short_n.to_bytes(256, "big").lstrip(b"\0")), "e": "AQAB"}
    err = invalid(jwk)
    assert err.param == "publicKey"
    assert "2047-bit" in err.message


@pytest.mark.parametrize(
    "make",
    [
        lambda: ec.generate_private_key(ec.SECP521R1()),
        lambda: ec.generate_private_key(ec.SECP256K1()),
        lambda: ed448.Ed448PrivateKey.generate(),
        lambda: x25519.X25519PrivateKey.generate(),
        lambda: dsa.generate_private_key(key_size=2048),
    ],
    ids=["P-521", "secp256k1", "Ed448", "X25519", "DSA"],
)
def test_unsupported_key_types(make: Any) -> None:
    err = invalid(spki_pem(make()))
    assert err.param == "publicKey"


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "OKP", "crv": "X25519", "x": b64url(b"\x09" * 32)},
        {"kty": "OKP", "crv": "Ed448", "x": b64url(b"\x01" * 57)},
        {"kty": "EC", "crv": "P-521", "x": "AA", "y": "AA"},
        {"kty": "EC", "crv": "secp256k1", "x": "AA", "y": "AA"},
        {"kty": "DSA"},
        {},
        {"kty": 7},
    ],
)
def test_unsupported_jwks(jwk: dict[str, Any]) -> None:
    assert invalid(jwk).param == "publicKey"


def test_malformed_jwk_members(keys: dict[str, Any]) -> None:
    ed = jwk_of(keys["Ed25519"])
    p256 = jwk_of(keys["P-256"])
    cases: list[dict[str, Any]] = [
        {**ed, "x": ed["x"][:-2]},  # 31 bytes
        {**ed, "x": ed["x"] + "AA"},  # 33 bytes
        {**ed, "x": ed["x"].replace(ed["x"][0], "+", 1)},  # not base64url
        {**ed, "x": 42},
        {k: v for k, v in ed.items() if k != "x"},
        {k: v for k, v in jwk_of(keys["RSA"]).items() if k != "n"},
        {**jwk_of(keys["RSA"]), "e": ""},
        {
            **p256,
            "y": b64url(
                (int.from_bytes(base64.urlsafe_b64decode(p256["y"] + "=="), "big") ^ 1).to_bytes(32, "big")
            ),
        },
        {**p256, "x": p256["x"][:-1]},
        {**p256, "crv": "P-384"},  # 32-byte coordinates for a 48-byte curve
        {**ed, "use": "enc"},
    ]
    for jwk in cases:
        assert invalid(jwk).param == "publicKey", jwk


@pytest.mark.parametrize(
    "value",
    [
        "",
        "hello",
        "-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n",
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        "-----BEGIN PUBLIC KEY-----\n" + "A" * 10000 + "\n-----END PUBLIC KEY-----\n",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ partner@laptop",
        "-----BEGIN PUBLIC KEY-----\néé\n-----END PUBLIC KEY-----\n",
    ],
)
def test_not_a_pem_public_key(value: str) -> None:
    assert invalid(value).param == "publicKey"


def test_two_public_keys_in_one_pem(keys: dict[str, Any]) -> None:
    assert invalid(spki_pem(keys["Ed25519"]) + spki_pem(keys["P-256"])).param == "publicKey"


@pytest.mark.parametrize("value", [None, 42, ["-----BEGIN PUBLIC KEY-----"], b"-----BEGIN PUBLIC KEY-----"])
def test_neither_string_nor_object(value: Any) -> None:
    assert invalid(value).param == "publicKey"


# --- rejected algorithms: param="algorithm" ----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "algorithm"),
    [
        ("Ed25519", "rsa-v1_5-sha256"),
        ("Ed25519", "ecdsa-p256-sha256"),
        ("RSA", "ed25519"),
        ("RSA", "ecdsa-p256-sha256"),
        ("P-256", "ecdsa-p384-sha384"),
        ("P-256", "ed25519"),
        ("P-256", "rsa-pss-sha512"),
        ("P-384", "ecdsa-p256-sha256"),
    ],
)
def test_algorithm_that_does_not_fit_the_key(keys: dict[str, Any], kind: str, algorithm: str) -> None:
    for form in (spki_pem(keys[kind]), jwk_of(keys[kind])):
        err = invalid(form, algorithm)
        assert err.param == "algorithm"
        assert algorithm in err.message


@pytest.mark.parametrize(
    "algorithm", ["hmac-sha256", "RS256", "ED25519", "ecdsa-p521-sha512", "", 1, ["ed25519"]]
)
def test_unknown_algorithm(keys: dict[str, Any], algorithm: Any) -> None:
    assert invalid(spki_pem(keys["Ed25519"]), algorithm).param == "algorithm"


@pytest.mark.parametrize(
    ("kind", "alg", "algorithm"),
    [
        ("RSA", "RS256", "rsa-pss-sha512"),
        ("RSA", "PS512", "rsa-v1_5-sha256"),
        ("Ed25519", "EdDSA", "rsa-v1_5-sha256"),
        ("P-256", "ES256", "ecdsa-p384-sha384"),
    ],
)
def test_jwk_alg_disagreeing_with_algorithm(
    keys: dict[str, Any], kind: str, alg: str, algorithm: str
) -> None:
    assert invalid({**jwk_of(keys[kind]), "alg": alg}, algorithm).param == "algorithm"


@pytest.mark.parametrize(
    ("kind", "alg"),
    [
        ("P-256", "ES384"),
        ("P-384", "ES256"),
        ("Ed25519", "RS256"),
        ("RSA", "ES256"),
        ("RSA", "HS256"),
        ("RSA", "RS512"),
    ],
)
def test_jwk_alg_that_does_not_fit_or_is_unknown(keys: dict[str, Any], kind: str, alg: str) -> None:
    assert invalid({**jwk_of(keys[kind]), "alg": alg}).param == "algorithm"


def test_key_problem_is_reported_before_algorithm_problem() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (must be refused)
    assert invalid(spki_pem(small), "ed25519").param == "publicKey"
