"""The simple X-Signature scheme of core.platform.signatures.verify_request (API.md, scheme 1)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from core.platform.errors import ApiError
from core.platform.public_keys import PublicKey, parse_public_key
from core.platform.signatures import WINDOW_SECONDS, SignedMessage, simple_signed_bytes, verify_request

NOW = 1_760_000_000
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ed_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def registered(private_key: Any, algorithm: str | None = None) -> PublicKey:
    pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return parse_public_key(pem, algorithm)


def raw_sign(private_key: Any, data: bytes) -> bytes:
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return private_key.sign(data)
    return private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def request(
    private_key: Any,
    *,
    key_id: str | None = "sig_a",
    method: str = "POST",
    path: str = "/v1/customers",
    query: str = "",
    body: bytes = b'{"email":"ada@example.com"}',
    timestamp: int | str = NOW,
    signed_timestamp: int | str | None = None,
    signature: bytes | None = None,
) -> SignedMessage:
    """A request signed the way API.md describes, the signed bytes spelled out here."""
    ts = str(timestamp)
    signed = f"{signed_timestamp if signed_timestamp is not None else ts}\n{method}\n{path}\n{query}\n"
    headers = {
        "host": "api.example.com",
        "x-timestamp": ts,
        "x-signature": base64.b64encode(
            signature if signature is not None else raw_sign(private_key, signed.encode() + body)
        ).decode(),
    }
    if key_id is not None:
        headers["x-key-id"] = key_id
    return SignedMessage(
        method=method,
        scheme="https",
        host="api.example.com",
        raw_path=path,
        raw_query=query,
        headers=headers,
        body=body,
    )


def verify(
    msg: SignedMessage, keys: dict[str, PublicKey], *, now: float = NOW, required: bool = True
) -> str | None:
    return verify_request(msg, keys=keys, now=now, required=required)


def rejected(
    msg: SignedMessage, keys: dict[str, PublicKey], *, now: float = NOW, required: bool = True
) -> ApiError:
    with pytest.raises(ApiError) as exc:
        verify(msg, keys, now=now, required=required)
    return exc.value


def with_headers(msg: SignedMessage, **headers: str) -> SignedMessage:
    return dataclasses.replace(msg, headers={**msg.headers, **headers})


def without_header(msg: SignedMessage, name: str) -> SignedMessage:
    return dataclasses.replace(msg, headers={k: v for k, v in msg.headers.items() if k != name})


# --- the signed bytes -----------------------------------------------------------------------


def test_signed_bytes_layout() -> None:
    assert simple_signed_bytes("1700000000", "POST", "/v1/customers", "a=1&b=2", b'{"x":1}') == (
        b'1700000000\nPOST\n/v1/customers\na=1&b=2\n{"x":1}'
    )


def test_signed_bytes_of_an_empty_body_end_with_a_newline() -> None:
    assert (
        simple_signed_bytes("1700000000", "GET", "/v1/customers", "", b"")
        == b"1700000000\nGET\n/v1/customers\n\n"
    )


def test_signed_bytes_keep_the_raw_body_bytes() -> None:
    body = b"\xff\x00binary"
    assert simple_signed_bytes("1", "PUT", "/p", "", body).endswith(b"\n" + body)


# --- good signatures --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ed25519", "rsa-v1_5-sha256"])
def test_good_signature(ed_key: Any, rsa_key: Any, kind: str) -> None:
    private_key = ed_key if kind == "ed25519" else rsa_key
    keys = {"sig_a": registered(private_key, kind)}
    assert verify(request(private_key), keys) == "sig_a"


@pytest.mark.parametrize("kind", ["ed25519", "rsa-v1_5-sha256"])
def test_without_key_id_every_simple_key_is_tried(ed_key: Any, rsa_key: Any, ec_key: Any, kind: str) -> None:
    private_key = ed_key if kind == "ed25519" else rsa_key
    keys = {
        "sig_ec": registered(ec_key),
        "sig_ed": registered(ed_key),
        "sig_rsa": registered(rsa_key),
    }
    expected = "sig_ed" if kind == "ed25519" else "sig_rsa"
    assert verify(request(private_key, key_id=None), keys) == expected


def test_get_with_query_and_empty_body(ed_key: Any) -> None:
    msg = request(ed_key, method="GET", query="limit=10&starting_after=cus_1", body=b"")
    assert verify(msg, {"sig_a": registered(ed_key)}) == "sig_a"


def test_header_names_in_any_case(ed_key: Any) -> None:
    msg = request(ed_key)
    shouted = dataclasses.replace(msg, headers={name.title(): value for name, value in msg.headers.items()})
    assert verify(shouted, {"sig_a": registered(ed_key)}) == "sig_a"


@pytest.mark.parametrize("offset", [-WINDOW_SECONDS, 0, WINDOW_SECONDS])
def test_timestamp_inside_the_window(ed_key: Any, offset: int) -> None:
    assert verify(request(ed_key, timestamp=NOW + offset), {"sig_a": registered(ed_key)}) == "sig_a"


# --- unsigned requests ---------------------------------------------------------------------------


def test_unsigned_request_when_optional() -> None:
    msg = SignedMessage(
        "GET", "https", "api.example.com", "/v1/customers", "", {"host": "api.example.com"}, b""
    )
    assert verify(msg, {}, required=False) is None


def test_unsigned_request_when_required() -> None:
    msg = SignedMessage(
        "GET", "https", "api.example.com", "/v1/customers", "", {"host": "api.example.com"}, b""
    )
    err = rejected(msg, {}, required=True)
    assert err.code == "signature_missing"
    assert err.status == 401


def test_invalid_signature_is_rejected_even_when_optional(ed_key: Any) -> None:
    msg = dataclasses.replace(request(ed_key), body=b"{}")
    assert rejected(msg, {"sig_a": registered(ed_key)}, required=False).code == "signature_invalid"


# --- rejections: the request changed ---------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"body": b'{"email":"eve@example.com"}'},
        {"body": b""},
        {"raw_path": "/v1/accounts"},
        {"raw_query": "a=1"},
        {"method": "PUT"},
    ],
)
@pytest.mark.parametrize("kind", ["ed25519", "rsa-v1_5-sha256"])
def test_changed_request_is_rejected(ed_key: Any, rsa_key: Any, kind: str, change: dict[str, Any]) -> None:
    private_key = ed_key if kind == "ed25519" else rsa_key
    msg = request(private_key)
    keys = {"sig_a": registered(private_key, kind)}
    assert verify(msg, keys) == "sig_a"
    assert rejected(dataclasses.replace(msg, **change), keys).code == "signature_invalid"


def test_changed_timestamp_is_rejected(ed_key: Any) -> None:
    msg = request(ed_key, timestamp=NOW + 5, signed_timestamp=NOW)
    assert rejected(msg, {"sig_a": registered(ed_key)}).code == "signature_invalid"


def test_query_order_is_significant(ed_key: Any) -> None:
    msg = request(ed_key, query="a=1&b=2")
    keys = {"sig_a": registered(ed_key)}
    assert verify(msg, keys) == "sig_a"
    assert rejected(dataclasses.replace(msg, raw_query="b=2&a=1"), keys).code == "signature_invalid"


# --- rejections: keys -------------------------------------------------------------------------------


def test_unknown_or_deleted_key_id(ed_key: Any) -> None:
    msg = request(ed_key, key_id="sig_deleted")
    assert rejected(msg, {"sig_a": registered(ed_key)}).code == "signature_invalid"
    assert rejected(request(ed_key), {}).code == "signature_invalid"


def test_key_id_of_a_key_the_scheme_does_not_support(ec_key: Any) -> None:
    digest_signature = ec_key.sign(b"anything", ec.ECDSA(hashes.SHA256()))
    msg = request(ec_key, signature=digest_signature)
    err = rejected(msg, {"sig_a": registered(ec_key)})
    assert err.code == "signature_invalid"
    assert "ecdsa-p256-sha256" in err.message


def test_no_simple_key_registered(ed_key: Any, ec_key: Any) -> None:
    msg = request(ed_key, key_id=None)
    assert rejected(msg, {"sig_ec": registered(ec_key)}).code == "signature_invalid"


def test_signature_by_another_key(ed_key: Any) -> None:
    other = ed25519.Ed25519PrivateKey.generate()
    assert rejected(request(other), {"sig_a": registered(ed_key)}).code == "signature_invalid"
    assert rejected(request(other, key_id=None), {"sig_a": registered(ed_key)}).code == "signature_invalid"


def test_key_id_names_the_key_that_must_verify(ed_key: Any) -> None:
    other = ed25519.Ed25519PrivateKey.generate()
    keys = {"sig_a": registered(ed_key), "sig_b": registered(other)}
    assert rejected(request(other, key_id="sig_a"), keys).code == "signature_invalid"
    assert verify(request(other, key_id="sig_b"), keys) == "sig_b"


def test_pss_signature_where_pkcs1_was_registered(rsa_key: Any) -> None:
    msg = request(rsa_key)
    data = simple_signed_bytes(str(NOW), msg.method, msg.raw_path, msg.raw_query, msg.body)
    pss = rsa_key.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    assert (
        rejected(request(rsa_key, signature=pss), {"sig_a": registered(rsa_key)}).code == "signature_invalid"
    )


def test_rsa_pss_key_cannot_be_used_with_the_simple_scheme(rsa_key: Any) -> None:
    err = rejected(request(rsa_key), {"sig_a": registered(rsa_key, "rsa-pss-sha512")})
    assert err.code == "signature_invalid"
    assert "rsa-pss-sha512" in err.message


@pytest.mark.parametrize("kind", ["ed25519", "rsa-v1_5-sha256"])
def test_hmac_made_with_the_public_key_bytes(ed_key: Any, rsa_key: Any, kind: str) -> None:
    private_key = ed_key if kind == "ed25519" else rsa_key
    key = registered(private_key, kind)
    msg = request(private_key)
    data = simple_signed_bytes(str(NOW), msg.method, msg.raw_path, msg.raw_query, msg.body)
    forged = hmac.new(key.pem.encode(), data, hashlib.sha256).digest()
    assert rejected(request(private_key, signature=forged), {"sig_a": key}).code == "signature_invalid"
    assert (
        rejected(request(private_key, key_id=None, signature=forged), {"sig_a": key}).code
        == "signature_invalid"
    )


# --- rejections: time ------------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-(WINDOW_SECONDS + 1), WINDOW_SECONDS + 1, -86400, 86400])
def test_timestamp_outside_the_window(ed_key: Any, offset: int) -> None:
    err = rejected(request(ed_key, timestamp=NOW + offset), {"sig_a": registered(ed_key)})
    assert err.code == "timestamp_out_of_range"


def test_timestamp_is_checked_before_the_crypto(ed_key: Any) -> None:
    msg = dataclasses.replace(request(ed_key, timestamp=NOW - 3600), body=b"tampered")
    assert rejected(msg, {"sig_a": registered(ed_key)}).code == "timestamp_out_of_range"


def test_window_uses_the_injected_clock(ed_key: Any) -> None:
    msg = request(ed_key, timestamp=NOW)
    keys = {"sig_a": registered(ed_key)}
    assert verify(msg, keys, now=NOW + 60.0) == "sig_a"
    assert rejected(msg, keys, now=NOW + 60.5).code == "timestamp_out_of_range"


@pytest.mark.parametrize(
    "timestamp",
    [
        "1760000000.0",
        "1760000000.5",
        "abc",
        "",
        " ",
        "-1760000000",
        "+1760000000",
        "1e9",
        "\uff11\uff17\uff16",  # fullwidth digits: str.isdigit() says yes, int() would too
    ],
)
def test_non_integer_timestamp(ed_key: Any, timestamp: str) -> None:
    msg = request(ed_key, timestamp=timestamp)
    assert rejected(msg, {"sig_a": registered(ed_key)}).code == "signature_invalid"


def test_absurdly_long_timestamp(ed_key: Any) -> None:
    assert (
        rejected(request(ed_key, timestamp="9" * 5000), {"sig_a": registered(ed_key)}).code
        == "signature_invalid"
    )


# --- malformed headers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["!!!", "", "not base64 at all", "YWJj=ZGVm", "A" * 5000])
def test_malformed_x_signature(ed_key: Any, value: str) -> None:
    msg = with_headers(request(ed_key), **{"x-signature": value})
    err = rejected(msg, {"sig_a": registered(ed_key)})
    assert err.code == "signature_invalid"


@pytest.mark.parametrize("missing", ["x-signature", "x-timestamp"])
def test_half_a_signature(ed_key: Any, missing: str) -> None:
    msg = without_header(request(ed_key), missing)
    assert rejected(msg, {"sig_a": registered(ed_key)}).code == "signature_invalid"
    assert rejected(msg, {"sig_a": registered(ed_key)}, required=False).code == "signature_invalid"


def test_key_id_alone_is_an_incomplete_signature(ed_key: Any) -> None:
    msg = SignedMessage("GET", "https", "api.example.com", "/v1/customers", "", {"x-key-id": "sig_a"}, b"")
    assert rejected(msg, {"sig_a": registered(ed_key)}, required=False).code == "signature_invalid"


def test_rfc9421_headers_take_precedence(ed_key: Any) -> None:
    """Both schemes present: Signature-Input decides, so a broken one fails a good X-Signature."""
    msg = with_headers(request(ed_key), **{"signature-input": "(((", "signature": "sig=:AAAA:"})
    assert rejected(msg, {"sig_a": registered(ed_key)}).code == "signature_invalid"


# --- cold start -------------------------------------------------------------------------------------------


def test_simple_path_does_not_import_the_rfc9421_library() -> None:
    script = """
import base64, sys
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives import serialization
from core.platform.public_keys import parse_public_key
from core.platform.signatures import SignedMessage, simple_signed_bytes, verify_request
key = ed25519.Ed25519PrivateKey.generate()
pem = key.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
data = simple_signed_bytes("100", "GET", "/v1/x", "", b"")
headers = {"x-timestamp": "100", "x-signature": base64.b64encode(key.sign(data)).decode()}
msg = SignedMessage("GET", "https", "h", "/v1/x", "", headers, b"")
assert verify_request(msg, keys={"sig_a": parse_public_key(pem)}, now=100, required=True) == "sig_a"
loaded = sorted(m for m in sys.modules if m.startswith(("http_message_signatures", "http_sf")))
print(",".join(loaded) or "none")
"""
    env = {**os.environ, "PYTHONPATH": str(REPO / "layers" / "core" / "python")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "none"
