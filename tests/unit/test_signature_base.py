"""core.platform.signature_base: the RFC 9421 signature base built without the
library for plain components must be byte for byte the library's, and must step aside
(None) whenever the library would refuse the request or build the base differently."""

from __future__ import annotations

import random
from typing import Any

import http_sf
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from core.platform import signature_base, signatures
from core.platform.errors import SignatureInvalid
from core.platform.public_keys import PublicKey

DERIVED = ["@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT"]
HOSTS = [
    "api.example.com",
    "API.Example.com",
    "api.example.com:443",
    "api.example.com:0443",
    "api.example.com:8443",
    "localhost:8080",
    "127.0.0.1:3000",
    "[::1]:8080",
    "[fe80::1%25eth0]",
    "exa mple.com",
    "éxample.com",
]
PATHS = ["/v1/customers", "/v1/a%20b/c", "/v1/x;y=1/~z/", "/", "", "/v1/é", "/v1/a b", "/v1/%zz", "/v1/a?b"]
QUERIES = ["", "a=1&b=2", "q=%2F&x", "a=b?c/d", "a=%20", "x=é", "x= y", "frag#ment"]
FIELD_VALUES = [
    "application/json",
    "  padded\tvalue  ",
    "",
    "\t",
    "ü-umlaut",
    "ctl\x01char",
    "line\r\n folded",
    "a,b, c",
    'quo"te\\back',
]
COMPONENT_PARAMS = [{}, {}, {}, {}, {"sf": True}, {"bs": True}, {"key": "a"}, {"req": True}, {"name": "a"}]
SIGNATURE_PARAMS: list[tuple[str, Any]] = [
    ("keyid", "sig_01"),
    ("keyid", http_sf.Token("tok")),
    ("nonce", "n-1"),
    ("nonce", 'we"ird\\'),
    ("tag", "app"),
    ("expires", 1_700_000_100),
    ("expires", "soon"),
    ("alg", "ed25519"),
    ("unknown", "x"),
    ("created", True),
]


class _Capture:
    """An algorithm that records the signature base the library hands it."""

    algorithm_id = "ed25519"
    seen: list[bytes] = []

    def __init__(self, public_key: Any = None, private_key: Any = None) -> None:
        pass

    def verify(self, signature: bytes, message: bytes) -> None:
        _Capture.seen.append(message)


def _library_base(msg: signatures.SignedMessage) -> str | None:
    """The base http_message_signatures builds for `msg`, or None where it refuses."""
    from http_message_signatures import HTTPSignatureAlgorithm

    library = signatures._library()
    capture = type("Capture", (_Capture, HTTPSignatureAlgorithm), {})
    verifier = library.verifier_class(
        signature_algorithm=capture, key_resolver=library.resolver_class(object())
    )
    _Capture.seen = []
    try:
        verifier.verify(signatures._library_request(msg), max_age=None)
    except Exception:
        return None
    return _Capture.seen[-1].decode()


def _pick(rng: random.Random, values: list[Any], good: int, bad_rate: float = 0.1) -> Any:
    """One of `values`: its first `good` entries are ordinary, the rest hazards (drawn at
    `bad_rate`), so that most cases are fast-path requests and each hazard still occurs."""
    if good < len(values) and rng.random() < bad_rate:
        return rng.choice(values[good:])
    return rng.choice(values[:good])


def _case(rng: random.Random) -> tuple[signatures.SignedMessage, dict[str, str], Any]:
    headers = {
        "host": _pick(rng, HOSTS, 7),
        "content-type": _pick(rng, FIELD_VALUES, 5),
        "content-digest": "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
    }
    for name in rng.sample(["x-custom", "x-other", "Mixed-Case"], rng.randint(0, 3)):
        headers[name] = _pick(rng, FIELD_VALUES, 5)
    names = DERIVED + [h.lower() for h in headers if h != "host"]
    hazards = ["x-missing", "@query-param", "@status", "@signature-params", "X-Upper", "@Method"]
    components = []
    for _ in range(rng.randint(1, 6)):
        name = _pick(rng, names + hazards, len(names), 0.03)
        components.append((name, dict(_pick(rng, COMPONENT_PARAMS, 4, 0.03))))
    params: dict[str, Any] = {"created": 1_700_000_000}
    for key, value in (_pick(rng, SIGNATURE_PARAMS, 6, 0.05) for _ in range(rng.randint(0, 3))):
        params[key] = value
    params.setdefault("keyid", "sig_01")
    member = (components, params)
    signature_input = http_sf.ser({"sig1": member})
    headers["signature-input"] = signature_input
    headers["signature"] = "sig1=:" + "A" * 86 + "==:"
    lowered = {k.lower(): v for k, v in headers.items()}
    msg = signatures.SignedMessage(
        method=_pick(rng, METHODS, 6),
        scheme=_pick(rng, ["https", "http", "HTTPS"], 2),
        host=headers["host"],
        raw_path=_pick(rng, PATHS, 4),
        raw_query=_pick(rng, QUERIES, 5),
        headers=lowered,
        body=b"",
    )
    parsed = http_sf.parse(signature_input.encode(), tltype="dictionary")["sig1"]
    return msg, lowered, parsed


@pytest.mark.parametrize("seed", range(8))
def test_the_fast_base_is_the_librarys_or_steps_aside(seed: int) -> None:
    rng = random.Random(seed)
    fast = fallback = 0
    for _ in range(400):
        msg, headers, member = _case(rng)
        ours = signature_base.fast_signature_base(msg.method, signatures.target_uri(msg), headers, member)
        if ours is None:
            fallback += 1
            continue
        fast += 1
        assert ours == _library_base(msg), (msg, member)
    # Both paths are exercised by the generated cases.
    assert fast >= 60 and fallback >= 60, (fast, fallback)


def test_a_typical_sdk_request_takes_the_fast_path_and_verifies() -> None:
    from partner_sdk import signing

    private = ed25519.Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives import serialization

    pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    body = b'{"name": "x"}'
    headers = signing.rfc9421_headers(
        private_key=private,
        key_id="sig_01",
        algorithm="ed25519",
        method="POST",
        url="https://api.example.com/v1/customers?expand=a",
        body=body,
        created=1_700_000_000,
    )
    msg = signatures.SignedMessage(
        method="POST",
        scheme="https",
        host="api.example.com",
        raw_path="/v1/customers",
        raw_query="expand=a",
        headers={k.lower(): v for k, v in headers.items()},
        body=body,
    )
    member = http_sf.parse(msg.headers["signature-input"].encode(), tltype="dictionary")
    assert (
        signature_base.fast_signature_base(
            msg.method, signatures.target_uri(msg), msg.headers, next(iter(member.values()))
        )
        is not None
    )
    keys = {"sig_01": PublicKey(algorithm="ed25519", pem=pem)}
    assert signatures.verify_request(msg, keys=keys, now=1_700_000_000, required=True) == "sig_01"
    tampered = signatures.SignedMessage(**{**msg.__dict__, "raw_query": "expand=b"})
    with pytest.raises(SignatureInvalid):
        signatures.verify_request(tampered, keys=keys, now=1_700_000_000, required=True)


# --- canonical_dictionary: the regular-expression reading of canonical fields ---------------

_PIECES = [
    "sig1",
    "sha-256",
    "Sig",
    "*x",
    "=",
    ":",
    "(",
    ")",
    " ",
    ";",
    ",",
    '"@method"',
    '"content-digest"',
    '"a\\\\b"',
    '"q\\"t"',
    "tok",
    "?1",
    "12",
    "-7",
    "0123456789012345",
    "created=1700000000",
    'keyid="sig_01"',
    "alg=ed25519",
    "AAAA",
    "AA==",
    "AB==",
    "A===",
    "AAA",
    "+/+/",
    "-_-_",
    "é",
]


def _field(rng: random.Random) -> str:
    """A mostly well-formed Signature-Input, Signature or Content-Digest value, with
    random damage now and then."""
    label = rng.choice(["sig1", "sha-256", "sha-512", "pyhms", "*a.b_c-1"])
    if rng.random() < 0.5:
        payload = rng.choice(
            ["", "AAAA", "AA==", "AB==", "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", "AAA"]
        )
        value = f"{label}=:{payload}:"
    else:
        names = " ".join(
            rng.choice(['"@method"', '"@target-uri"', '"content-digest"', '"x"', '""'])
            for _ in range(rng.randint(0, 4))
        )
        params = "".join(
            rng.choice(
                [";created=1700000000", ';keyid="sig_01"', ';alg="ed25519"', ";expires=-1", ';nonce=""']
            )
            for _ in range(rng.randint(0, 4))
        )
        value = f"{label}=({names}){params}"
    for _ in range(rng.choice([0, 0, 0, 1, 2])):  # damage: insert a random piece somewhere
        at = rng.randint(0, len(value))
        value = value[:at] + rng.choice(_PIECES) + value[at:]
    return value


@pytest.mark.parametrize("seed", range(4))
def test_the_canonical_reading_is_http_sfs_wherever_it_applies(seed: int) -> None:
    rng = random.Random(seed)
    read = passed = 0
    for _ in range(1500):
        value = _field(rng)
        ours = signature_base.canonical_dictionary(value)
        if ours is None:
            passed += 1
            continue
        read += 1
        assert ours == http_sf.parse(value.encode("ascii"), tltype="dictionary"), value
    assert read >= 500 and passed >= 300, (read, passed)


def test_what_the_sdk_sends_is_read_canonically() -> None:
    value = '("@method" "@target-uri" "content-digest");created=1700000000;keyid="sig_01";alg="ed25519"'
    assert signature_base.canonical_dictionary("sig1=" + value) == {
        "sig1": (
            [("@method", {}), ("@target-uri", {}), ("content-digest", {})],
            {"created": 1_700_000_000, "keyid": "sig_01", "alg": "ed25519"},
        )
    }
    for spaced in ("sig1= " + value, "sig1=" + value + " ", 'sig1=("a"  "b")', 'sig1=("a");k="\\\\"'):
        assert signature_base.canonical_dictionary(spaced) is None
