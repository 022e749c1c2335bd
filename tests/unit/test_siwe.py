"""Sign-In with Ethereum (EIP-4361) challenges and EIP-191 signer recovery (core.customers.siwe)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from core.customers.siwe import CHALLENGE_TTL_SECONDS, Challenge, build_challenge, new_nonce, recover_signer
from core.onchain.addresses import parse_caip10
from core.platform.errors import ParameterInvalid

REPO = Path(__file__).resolve().parents[2]
KEY_A = "0x" + "11" * 32
KEY_B = "0x" + "22" * 32
ADDRESS_A = Account.from_key(KEY_A).address
ADDRESS_B = Account.from_key(KEY_B).address
NOW = 1771848000  # 2026-02-23T12:00:00Z
HOST = "api.example.com"
CUSTOMER = "cus_01JN3Z8Q4W7RZ"
URI = f"https://{HOST}/v1/customers/{CUSTOMER}"
NONCE = "k3JrX9aQ2mZt7VbL4pWs"


def _challenge(onchain_id: str = f"eip155:1:{ADDRESS_A.lower()}", **overrides: object) -> Challenge:
    kwargs: dict[str, object] = {
        "domain": HOST,
        "uri": URI,
        "onchain": parse_caip10(onchain_id),
        "customer_id": CUSTOMER,
        "now": NOW,
        "nonce": NONCE,
    }
    kwargs.update(overrides)
    return build_challenge(**kwargs)  # type: ignore[arg-type]


def _sign(message: str, key: str) -> str:
    return Account.sign_message(encode_defunct(text=message), key).signature.to_0x_hex()


# --- the message -------------------------------------------------------------------------------------------


def test_the_message_follows_the_eip4361_layout_line_by_line() -> None:
    challenge = _challenge()
    assert challenge.message.split("\n") == [
        "api.example.com wants you to sign in with your Ethereum account:",
        ADDRESS_A,
        "",
        f"Prove ownership of this address to Partner API for customer {CUSTOMER}.",
        "",
        f"URI: https://api.example.com/v1/customers/{CUSTOMER}",
        "Version: 1",
        "Chain ID: 1",
        f"Nonce: {NONCE}",
        "Issued At: 2026-02-23T12:00:00Z",
        "Expiration Time: 2026-02-23T12:15:00Z",
        f"Request ID: {CUSTOMER}",
    ]
    assert not challenge.message.endswith("\n")


def test_the_message_matches_the_eip4361_abnf() -> None:
    # The ABNF of EIP-4361 for the fields we emit (no Not Before, no Resources).
    abnf = re.compile(
        r"(?P<domain>[^\s/]+) wants you to sign in with your Ethereum account:\n"
        r"(?P<address>0x[0-9a-fA-F]{40})\n"
        r"\n"
        r"(?P<statement>[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;= ]*)\n"
        r"\n"
        r"URI: (?P<uri>\S+)\n"
        r"Version: 1\n"
        r"Chain ID: (?P<chain>[0-9]+)\n"
        r"Nonce: (?P<nonce>[A-Za-z0-9]{8,})\n"
        r"Issued At: (?P<iat>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\n"
        r"Expiration Time: (?P<exp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\n"
        r"Request ID: (?P<rid>(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*)"
    )
    match = abnf.fullmatch(_challenge(nonce=None).message)
    assert match is not None
    assert "\n" not in match["statement"]


def test_the_address_line_is_checksummed_and_the_chain_id_comes_from_the_caip10_reference() -> None:
    lines = _challenge(f"eip155:137:{ADDRESS_A.upper().replace('0X', '0x')}").message.split("\n")
    assert lines[1] == ADDRESS_A
    assert lines[7] == "Chain ID: 137"


def test_expiry_is_fifteen_minutes_after_issue() -> None:
    challenge = _challenge(now=NOW + 0.9)
    assert CHALLENGE_TTL_SECONDS == 900
    assert challenge.issued_at == NOW
    assert challenge.expires_at == NOW + 900
    assert "Issued At: 2026-02-23T12:00:00Z" in challenge.message
    assert "Expiration Time: 2026-02-23T12:15:00Z" in challenge.message


def test_nonces_are_long_alphanumeric_and_unique() -> None:
    nonces = [new_nonce() for _ in range(1000)]
    assert all(re.fullmatch(r"[A-Za-z0-9]{16,}", n) for n in nonces)
    assert len(set(nonces)) == len(nonces)


def test_a_challenge_without_a_given_nonce_gets_a_fresh_one() -> None:
    first, second = _challenge(nonce=None), _challenge(nonce=None)
    assert first.nonce != second.nonce
    assert re.fullmatch(r"[A-Za-z0-9]{16,}", first.nonce)
    assert f"\nNonce: {first.nonce}\n" in first.message
    assert first.message != second.message


def test_a_given_nonce_is_used_as_is() -> None:
    challenge = _challenge(nonce=NONCE)
    assert challenge.nonce == NONCE
    assert f"\nNonce: {NONCE}\n" in challenge.message


@pytest.mark.parametrize(
    "overrides",
    [
        {"nonce": "short7"},
        {"nonce": "not-alpha-numeric"},
        {"nonce": "abcdefgh\nVersion: 2"},
        {"domain": "api.example.com\nevil.example"},
        {"domain": "https://api.example.com"},
        {"domain": "user@api.example.com"},
        {"domain": ""},
        {"uri": "/v1/customers/cus_1"},
        {"uri": "https://api.example.com/v1/customers/cus_1\nURI: https://evil.example"},
        {"customer_id": ""},
        {"customer_id": "cus_1\nRequest ID: cus_2"},
        {"customer_id": "cus 1"},
        {"customer_id": "cus_%0A"},
    ],
)
def test_values_that_would_break_the_message_are_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        _challenge(**overrides)


def test_an_authority_with_a_port_or_an_ip_literal_is_a_valid_domain() -> None:
    assert _challenge(domain="localhost:3000").message.startswith("localhost:3000 wants you")
    assert _challenge(domain="[::1]:8080").message.startswith("[::1]:8080 wants you")


# --- signer recovery ---------------------------------------------------------------------------------------


def test_a_signed_challenge_recovers_the_signer() -> None:
    message = _challenge().message
    assert recover_signer(message, _sign(message, KEY_A)) == ADDRESS_A


def test_recovery_accepts_v_as_0_or_1_and_uppercase_hex() -> None:
    message = _challenge().message
    signature = _sign(message, KEY_A)
    v = int(signature[-2:], 16)
    assert v in (27, 28)
    assert recover_signer(message, signature[:-2] + f"{v - 27:02x}") == ADDRESS_A
    assert recover_signer(message, "0x" + signature[2:].upper()) == ADDRESS_A


def test_another_keys_signature_recovers_another_address() -> None:
    message = _challenge().message
    recovered = recover_signer(message, _sign(message, KEY_B))
    assert recovered == ADDRESS_B
    assert recovered != ADDRESS_A


@pytest.mark.parametrize(
    "tamper",
    [
        lambda m: m.replace(f"Nonce: {NONCE}", "Nonce: k3JrX9aQ2mZt7VbL4pWt"),
        lambda m: m.replace("Chain ID: 1", "Chain ID: 5"),
        lambda m: m.replace("2026-02-23T12:15:00Z", "2027-02-23T12:15:00Z"),
        lambda m: m + "\n",
    ],
)
def test_a_tampered_message_recovers_another_address(tamper: object) -> None:
    message = _challenge().message
    signature = _sign(message, KEY_A)
    tampered = tamper(message)  # type: ignore[operator]
    assert tampered != message
    assert recover_signer(tampered, signature) != ADDRESS_A


GOOD = _sign("anything", KEY_A)


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "0x",
        GOOD[:-2],  # 64 bytes
        GOOD + "00",  # 66 bytes
        GOOD[2:],  # no 0x
        "0X" + GOOD[2:],
        "0x" + "zz" * 65,
        GOOD[:-1] + "g",
        " " + GOOD,
        GOOD + "\n",
        GOOD[:-2] + "1d",  # v = 29
        GOOD[:-2] + "25",  # v = 37 (EIP-155 style, not personal_sign)
        "0x" + "00" * 64 + "1b",  # r = s = 0: well formed, unrecoverable
        "0x" + "ff" * 64 + "1b",  # r, s >= the curve order
        None,
        b"\x00" * 65,
    ],
)
def test_malformed_or_unrecoverable_signatures_are_parameter_invalid(signature: object) -> None:
    with pytest.raises(ParameterInvalid) as info:
        recover_signer("anything", signature)  # type: ignore[arg-type]
    assert info.value.param == "signature"
    assert info.value.code == "parameter_invalid"


# --- cold start --------------------------------------------------------------------------------------------


def _loaded_after(script: str) -> set[str]:
    probe = (
        script
        + """
import sys
heavy = ("eth_account", "eth_utils", "eth_keys", "eth_hash", "Crypto")
print(",".join(sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in heavy})))
"""
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "layers" / "core" / "python")}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return set(filter(None, out.stdout.strip().split(",")))


def test_importing_core_siwe_and_core_onchain_loads_no_ethereum_or_crypto_library() -> None:
    assert _loaded_after("import core.onchain.addresses, core.customers.siwe") == set()


def test_the_customer_create_path_never_loads_eth_account_or_eth_utils() -> None:
    loaded = _loaded_after(
        "from core.onchain.addresses import parse_caip10\n"
        "from core.customers.siwe import build_challenge\n"
        f"o = parse_caip10('eip155:1:{ADDRESS_A.lower()}')\n"
        f"build_challenge(domain='{HOST}', uri='{URI}', onchain=o, customer_id='{CUSTOMER}', now={NOW})\n"
    )
    assert loaded == {"Crypto"}  # pycryptodome's Keccak for EIP-55, and nothing else


def test_recovery_loads_coincurve_and_keccak_never_eth_account() -> None:
    message = _challenge().message
    loaded = _loaded_after(
        "from core.customers.siwe import recover_signer\n"
        f"recover_signer({message!r}, {_sign(message, KEY_A)!r})\n"
        "import sys\nassert 'coincurve' in sys.modules\n"
    )
    assert loaded == {"Crypto"}


# --- recovery agrees with eth-account, the reference implementation of EIP-191 ---------------------------

SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _oracle(message: str, signature: str) -> str | None:
    """eth-account's answer: the signer, or None where it refuses the signature."""
    try:
        return str(Account.recover_message(encode_defunct(text=message), signature=signature))
    except Exception:
        return None


def _ours(message: str, signature: str) -> str | None:
    try:
        return recover_signer(message, signature)
    except ParameterInvalid:
        return None


def _cases(seed: int, count: int) -> list[tuple[str, str]]:
    """Valid signatures of varied messages (ASCII, multi-line, non-ASCII, empty), each also
    with v as 0/1, with s replaced by n - s (the high-s twin, v flipped), with r or s
    changed, and random bytes with a valid v."""
    import random

    rng = random.Random(seed)
    out = []
    for i in range(count):
        key = "0x" + rng.randbytes(32).hex()
        message = rng.choice(["", "hello", "line one\nline two", "héllo wörld ✓ " * 3, _challenge().message])
        message += str(i)
        good = _sign(message, key)
        raw = bytes.fromhex(good[2:])
        r, s, v = int.from_bytes(raw[:32]), int.from_bytes(raw[32:64]), raw[64]
        high_s = (SECP256K1_ORDER - s).to_bytes(32)
        flipped = 55 - v  # 27 <-> 28
        out += [
            (message, good),
            (message, good[:-2] + f"{v - 27:02x}"),
            (message, "0x" + (raw[:32] + high_s + bytes([flipped])).hex()),
            (message, "0x" + ((r + 1) % SECP256K1_ORDER).to_bytes(32).hex() + raw[32:].hex()),
            (message, "0x" + raw[:32].hex() + ((s ^ 1).to_bytes(32)).hex() + f"{v:02x}"),
            (message, "0x" + rng.randbytes(64).hex() + rng.choice(["1b", "1c", "00", "01"])),
        ]
    return out


@pytest.mark.parametrize("seed", range(4))
def test_recovery_matches_eth_account_on_valid_and_invalid_signatures(seed: int) -> None:
    cases = _cases(seed, 15)
    for message, signature in cases:
        assert _ours(message, signature) == _oracle(message, signature), (message, signature)
    # Not a vacuous agreement: most cases recover an address (the valid ones at least), and
    # the changed ones recover another signer than their valid original.
    answers = [_oracle(m, sig) for m, sig in cases]
    assert sum(a is not None for a in answers) >= 2 * 15
    for i in range(0, len(cases), 6):
        assert answers[i] is not None and answers[i + 3] != answers[i] and answers[i + 4] != answers[i]


def test_an_out_of_range_r_or_s_is_refused_by_both() -> None:
    message = "out of range"
    raw = bytes.fromhex(_sign(message, KEY_A)[2:])
    for signature in (
        "0x" + SECP256K1_ORDER.to_bytes(32).hex() + raw[32:].hex(),
        "0x" + raw[:32].hex() + SECP256K1_ORDER.to_bytes(32).hex() + raw[64:].hex(),
        "0x" + "00" * 32 + raw[32:].hex(),
    ):
        assert _oracle(message, signature) is None
        assert _ours(message, signature) is None
