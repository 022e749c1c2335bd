"""RFC 9421 Appendix B (and Section 4.3) vectors against core.platform.signatures.

First the pure cryptographic check (`verify_rfc9421_crypto`) with each vector's key;
then what this API's policy (`verify_request`) says about each vector, with the
vector's `created` as "now". The vector bytes live in data/rfc9421 (see its README).
"""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from core.platform.errors import ApiError, ParameterInvalid
from core.platform.public_keys import PublicKey, parse_public_key
from core.platform.signatures import (
    SignedMessage,
    SignedResponse,
    check_content_digest,
    verify_request,
    verify_rfc9421_crypto,
)

DATA = Path(__file__).parent / "data" / "rfc9421"
VECTORS: dict[str, Any] = json.loads((DATA / "vectors.json").read_text(encoding="utf-8"))
ASYMMETRIC = [name for name, sig in VECTORS["signatures"].items() if sig["key"] in VECTORS["keys"]]


def rfc_key(name: str, *, jwk: bool = False, algorithm: str | None = None) -> PublicKey:
    entry = VECTORS["keys"][name]
    source = entry["jwk"] if jwk else (DATA / entry["pem_file"]).read_text(encoding="ascii")
    return parse_public_key(source, algorithm or entry["algorithm"])


def vector_message(name: str, **changes: Any) -> SignedMessage | SignedResponse:
    """The vector's message carrying its Signature-Input and Signature headers."""
    sig = VECTORS["signatures"][name]
    message = VECTORS["messages"][sig["message"]]
    headers = {field.lower(): value for field, value in message["headers"]}
    headers["signature-input"] = sig["signature_input"]
    headers["signature"] = sig["signature"]
    if "status" in message:
        return SignedResponse(status=message["status"], headers=headers)
    msg = SignedMessage(
        method=message["method"],
        scheme=message["scheme"],
        host=message["host"],
        raw_path=message["path"],
        raw_query=message["query"],
        headers=headers,
        body=message["body"].encode("utf-8"),
    )
    return dataclasses.replace(msg, **changes)


def vector_request(name: str, **changes: Any) -> SignedMessage:
    msg = vector_message(name, **changes)
    assert isinstance(msg, SignedMessage)
    return msg


def with_headers(msg: SignedMessage, **headers: str) -> SignedMessage:
    return dataclasses.replace(msg, headers={**msg.headers, **headers})


def covered_in_input(signature_input: str, label: str) -> tuple[str, ...]:
    """The covered component identifiers as the Signature-Input member lists them."""
    member = signature_input.split(f"{label}=(", 1)[1].split(")", 1)[0]
    return tuple(member.split(" ")) if member else ()


# --- cryptographic check -------------------------------------------------------------


@pytest.mark.parametrize("name", ASYMMETRIC)
@pytest.mark.parametrize("key_form", ["pem", "jwk"])
def test_vector_verifies_cryptographically(name: str, key_form: str) -> None:
    sig = VECTORS["signatures"][name]
    key = rfc_key(sig["key"], jwk=key_form == "jwk")
    result = verify_rfc9421_crypto(vector_message(name), key, label=sig.get("label"))
    label = sig.get("label") or sig["signature_input"].split("=", 1)[0]
    assert result.label == label
    assert result.keyid == sig["key"]
    assert result.params["created"] == sig["created"]
    assert result.components == covered_in_input(sig["signature_input"], label)


def test_the_vector_set_is_complete() -> None:
    assert set(VECTORS["signatures"]) == {
        "B.2.1",
        "B.2.2",
        "B.2.3",
        "B.2.4",
        "B.2.5",
        "B.2.6",
        "B.3",
        "4.3-sig1",
        "4.3-proxy_sig",
    }
    assert {VECTORS["keys"][VECTORS["signatures"][n]["key"]]["algorithm"] for n in ASYMMETRIC} == {
        "rsa-pss-sha512",
        "ecdsa-p256-sha256",
        "ed25519",
        "rsa-v1_5-sha256",
    }


@pytest.mark.parametrize("name", ASYMMETRIC)
def test_vector_with_one_signature_byte_changed_fails(name: str) -> None:
    sig = VECTORS["signatures"][name]
    label = sig.get("label") or sig["signature_input"].split("=", 1)[0]
    raw = sig["signature"].split(f"{label}=:", 1)[1].split(":", 1)[0]
    signature = bytearray(base64.b64decode(raw))
    signature[len(signature) // 2] ^= 0x01
    tampered = sig["signature"].replace(raw, base64.b64encode(bytes(signature)).decode())
    msg = vector_message(name)
    msg = dataclasses.replace(msg, headers={**msg.headers, "signature": tampered})
    with pytest.raises(ApiError) as exc:
        verify_rfc9421_crypto(msg, rfc_key(sig["key"]), label=sig.get("label"))
    assert exc.value.code == "signature_invalid"


def test_b26_fails_when_a_covered_header_changes() -> None:
    msg = with_headers(vector_request("B.2.6"), date="Tue, 20 Apr 2021 02:07:56 GMT")
    with pytest.raises(ApiError) as exc:
        verify_rfc9421_crypto(msg, rfc_key("test-key-ed25519"))
    assert exc.value.code == "signature_invalid"


def test_b26_survives_a_change_outside_the_coverage() -> None:
    msg = with_headers(vector_request("B.2.6"), accept_language="en")
    assert verify_rfc9421_crypto(msg, rfc_key("test-key-ed25519")).label == "sig-b26"


def test_b23_does_not_verify_under_another_algorithm_for_the_same_key() -> None:
    """The registered algorithm decides, never the signer: RSA-PSS read as PKCS#1 v1.5 fails."""
    key = rfc_key("test-key-rsa-pss", algorithm="rsa-v1_5-sha256")
    with pytest.raises(ApiError) as exc:
        verify_rfc9421_crypto(vector_message("B.2.3"), key)
    assert exc.value.code == "signature_invalid"


def test_b26_does_not_verify_with_another_key() -> None:
    with pytest.raises(ApiError) as exc:
        verify_rfc9421_crypto(vector_message("B.2.6"), rfc_key("test-key-rsa-pss"))
    assert exc.value.code == "signature_invalid"


def test_b25_hmac_is_genuine_for_the_library_but_cannot_be_registered_here() -> None:
    from http_message_signatures import HTTPMessageVerifier, MappingKeyResolver
    from http_message_signatures.algorithms import HMAC_SHA256

    secret = base64.b64decode(VECTORS["shared_secrets"]["test-shared-secret"]["base64"])
    msg = vector_request("B.2.5")

    @dataclasses.dataclass
    class Request:
        method: str
        url: str
        headers: dict[str, str]

    verifier = HTTPMessageVerifier(
        signature_algorithm=HMAC_SHA256,
        key_resolver=MappingKeyResolver(public_keys={"test-shared-secret": secret}, private_keys={}),
    )
    request = Request("POST", "https://example.com/foo?param=Value&Pet=dog", dict(msg.headers))
    (result,) = verifier.verify(request, max_age=None)
    assert result.label == "sig-b25"

    # This API takes no HMAC keys: neither as an algorithm nor as a symmetric JWK.
    with pytest.raises(ParameterInvalid) as exc:
        parse_public_key((DATA / "test-key-ed25519.pem").read_text(), "hmac-sha256")
    assert exc.value.param == "algorithm"
    with pytest.raises(ParameterInvalid) as exc:
        secret_b64 = base64.urlsafe_b64encode(secret).decode().rstrip("=")
        parse_public_key({"kty": "oct", "k": secret_b64, "alg": "HS256"})
    assert exc.value.param == "publicKey"


# --- what the policy says about each vector ------------------------------------------


def policy(name: str, msg: SignedMessage | None = None, **keys: PublicKey) -> str | None:
    sig = VECTORS["signatures"][name]
    return verify_request(msg or vector_request(name), keys=keys, now=sig["created"], required=True)


def policy_error(name: str, msg: SignedMessage | None = None, **keys: PublicKey) -> ApiError:
    with pytest.raises(ApiError) as exc:
        policy(name, msg, **keys)
    return exc.value


def test_b21_covers_nothing_so_it_is_rejected() -> None:
    err = policy_error("B.2.1", **{"test-key-rsa-pss": rfc_key("test-key-rsa-pss")})
    assert err.code == "signature_invalid"
    assert "covers too little" in str(err)
    assert '"@method"' in str(err)


def test_b22_covers_too_little() -> None:
    err = policy_error("B.2.2", **{"test-key-rsa-pss": rfc_key("test-key-rsa-pss")})
    assert err.code == "signature_invalid"
    assert "covers too little" in str(err)
    assert '"@method"' in str(err)
    assert '"@path"' in str(err)


def test_b23_full_coverage_is_accepted() -> None:
    assert policy("B.2.3", **{"test-key-rsa-pss": rfc_key("test-key-rsa-pss")}) == "test-key-rsa-pss"


def test_b23_registered_under_its_jwk_is_accepted() -> None:
    key = rfc_key("test-key-rsa-pss", jwk=True)
    assert policy("B.2.3", **{"test-key-rsa-pss": key}) == "test-key-rsa-pss"


@pytest.mark.parametrize(("offset", "accepted"), [(-61, False), (-60, True), (60, True), (61, False)])
def test_b23_window_around_created(offset: int, accepted: bool) -> None:
    created = VECTORS["signatures"]["B.2.3"]["created"]
    keys = {"test-key-rsa-pss": rfc_key("test-key-rsa-pss")}
    msg = vector_request("B.2.3")
    if accepted:
        assert verify_request(msg, keys=keys, now=created + offset, required=True) == "test-key-rsa-pss"
    else:
        with pytest.raises(ApiError) as exc:
            verify_request(msg, keys=keys, now=created + offset, required=True)
        assert exc.value.code == "timestamp_out_of_range"


def test_b23_with_another_body_is_a_digest_mismatch() -> None:
    msg = vector_request("B.2.3", body=b'{"hello": "there"}')
    err = policy_error("B.2.3", msg, **{"test-key-rsa-pss": rfc_key("test-key-rsa-pss")})
    assert err.code == "digest_mismatch"


@pytest.mark.parametrize(
    "change",
    [{"raw_query": "param=Value&Pet=cat"}, {"raw_path": "/bar"}, {"method": "PUT"}, {"host": "example.org"}],
)
def test_b23_with_a_changed_request_line_is_invalid(change: dict[str, str]) -> None:
    msg = vector_request("B.2.3", **change)
    err = policy_error("B.2.3", msg, **{"test-key-rsa-pss": rfc_key("test-key-rsa-pss")})
    assert err.code == "signature_invalid"


def test_b23_with_an_unknown_keyid_is_invalid() -> None:
    err = policy_error("B.2.3", **{"sig_other": rfc_key("test-key-rsa-pss")})
    assert err.code == "signature_invalid"


def test_b23_registered_for_pkcs1_is_invalid() -> None:
    key = rfc_key("test-key-rsa-pss", algorithm="rsa-v1_5-sha256")
    err = policy_error("B.2.3", **{"test-key-rsa-pss": key})
    assert err.code == "signature_invalid"


def test_b24_is_a_response_signature_and_no_request_signature() -> None:
    """B.2.4 verifies as a response (above); on a request it covers too little."""
    sig = VECTORS["signatures"]["B.2.4"]
    request = vector_request("B.2.3")
    msg = with_headers(request, **{"signature-input": sig["signature_input"], "signature": sig["signature"]})
    err = policy_error("B.2.4", msg, **{"test-key-ecc-p256": rfc_key("test-key-ecc-p256")})
    assert err.code == "signature_invalid"
    assert "covers too little" in str(err)


def test_b25_hmac_is_rejected() -> None:
    # Its keyid names no registered key...
    err = policy_error("B.2.5", **{"test-key-ed25519": rfc_key("test-key-ed25519")})
    assert err.code == "signature_invalid"
    # ...and even a key registered under that name verifies with its own (asymmetric) algorithm.
    err = policy_error("B.2.5", **{"test-shared-secret": rfc_key("test-key-ed25519")})
    assert err.code == "signature_invalid"


def test_b26_covers_neither_query_nor_digest() -> None:
    err = policy_error("B.2.6", **{"test-key-ed25519": rfc_key("test-key-ed25519")})
    assert err.code == "signature_invalid"
    assert '"@query"' in str(err)
    assert '"content-digest"' in str(err)


def test_b26_on_the_same_request_without_query_and_body_is_accepted() -> None:
    """Drop what B.2.6 does not cover (query, body, digest): then its coverage suffices."""
    msg = vector_request("B.2.6", raw_query="", body=b"")
    msg = dataclasses.replace(msg, headers={k: v for k, v in msg.headers.items() if k != "content-digest"})
    assert policy("B.2.6", msg, **{"test-key-ed25519": rfc_key("test-key-ed25519")}) == "test-key-ed25519"


def test_b3_covers_no_digest_of_its_body() -> None:
    err = policy_error("B.3", **{"test-key-ecc-p256": rfc_key("test-key-ecc-p256")})
    assert err.code == "signature_invalid"
    assert '"content-digest"' in str(err)


def test_43_two_signatures_are_rejected() -> None:
    err = policy_error(
        "4.3-proxy_sig",
        **{"test-key-rsa": rfc_key("test-key-rsa"), "test-key-ecc-p256": rfc_key("test-key-ecc-p256")},
    )
    assert err.code == "signature_invalid"
    assert "exactly one" in str(err)


def test_43_proxy_sig_alone_covers_no_query() -> None:
    sig = VECTORS["signatures"]["4.3-proxy_sig"]
    msg = vector_request("4.3-proxy_sig")
    only = {
        "signature-input": sig["signature_input"].split(", ", 1)[1],
        "signature": sig["signature"].split(", ", 1)[1],
    }
    assert verify_rfc9421_crypto(with_headers(msg, **only), rfc_key("test-key-rsa")).label == "proxy_sig"
    err = policy_error(
        "4.3-proxy_sig", with_headers(msg, **only), **{"test-key-rsa": rfc_key("test-key-rsa")}
    )
    assert err.code == "signature_invalid"
    assert '"@query"' in str(err)


def test_43_sig1_covers_no_query() -> None:
    err = policy_error("4.3-sig1", **{"test-key-ecc-p256": rfc_key("test-key-ecc-p256")})
    assert err.code == "signature_invalid"
    assert '"@query"' in str(err)


def test_vectors_are_stale_today() -> None:
    import time

    with pytest.raises(ApiError) as exc:
        verify_request(
            vector_request("B.2.3"),
            keys={"test-key-rsa-pss": rfc_key("test-key-rsa-pss")},
            now=time.time(),
            required=True,
        )
    assert exc.value.code == "timestamp_out_of_range"


# --- RFC 9530 digests ---------------------------------------------------------------


def test_rfc9530_examples_match() -> None:
    example = VECTORS["rfc9530"]
    body = example["body"].encode("utf-8")
    check_content_digest(example["sha-256"], body)
    check_content_digest(example["sha-512"], body)
    check_content_digest(f"{example['sha-256']}, {example['sha-512']}", body)


def test_rfc9530_examples_do_not_match_the_body_without_its_newline() -> None:
    example = VECTORS["rfc9530"]
    for field in (example["sha-256"], example["sha-512"]):
        with pytest.raises(ApiError) as exc:
            check_content_digest(field, example["body"].rstrip("\n").encode("utf-8"))
        assert exc.value.code == "digest_mismatch"


def test_rfc9421_test_request_digest_matches_its_body() -> None:
    request = VECTORS["messages"]["test-request"]
    digest = dict(request["headers"])["Content-Digest"]
    check_content_digest(digest, request["body"].encode("utf-8"))


@pytest.mark.parametrize("algorithm", ["md5", "sha", "unixsum", "sha-384"])
def test_other_digest_algorithms_are_not_accepted(algorithm: str) -> None:
    example = VECTORS["rfc9530"]
    body = example["body"].encode("utf-8")
    with pytest.raises(ApiError) as exc:
        check_content_digest(f"{algorithm}=:AAAA:, {example['sha-256']}", body)
    assert exc.value.code == "digest_mismatch"
    assert "not accepted" in str(exc.value)
