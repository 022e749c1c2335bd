"""Sign-In with Ethereum (EIP-4361) challenges that prove a customer owns its on-chain address.

`POST /v1/customers` answers an on-chain customer with a challenge message (`build_challenge`);
the customer signs it with EIP-191 `personal_sign`, and
`POST /v1/customers/{customerId}/challenge/verify` recovers the signer (`recover_signer`) and
compares it with the CAIP-10 address. Binding to the customer, single use and expiry are the
caller's to enforce with `Challenge.nonce` and `Challenge.expires_at`.

Cold start: importing this module loads no Ethereum or elliptic-curve library; only
`recover_signer` does (see there why it is coincurve and not eth-account).
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass

from core.onchain.addresses import OnchainId, checksum_address, keccak256, keccak_module
from core.platform import snapstart
from core.platform.clock import rfc3339
from core.platform.errors import ParameterInvalid

CHALLENGE_TTL_SECONDS = 15 * 60
NONCE_LENGTH = 20  # 62**20 ~ 2**119; EIP-4361 asks for at least 8 alphanumeric characters
SERVICE_NAME = "Partner API"

_NONCE_ALPHABET = string.ascii_letters + string.digits
_NONCE = re.compile(r"[A-Za-z0-9]{8,}")
# EIP-4361 `domain` = RFC 3986 authority: host (reg-name, IPv4 or [IP-literal]) and optional port.
# Userinfo is refused: a wallet shows the domain to the person signing.
_AUTHORITY = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{1,5})?")
# RFC 3986 absolute URI (scheme ":" ...), no whitespace or control characters.
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[!-~]+")
# EIP-4361 `request-id` = *pchar; we also want it non-empty and statement-safe (no "%").
_REQUEST_ID = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@]+")
_SIGNATURE = re.compile(r"0x[0-9a-fA-F]{130}")
# The recovery ids `recover_signer` takes (v, the last byte), and the signature's form as
# one pattern (the OpenAPI document's): r and s must also be a signature of something,
# which no pattern can say.
RECOVERY_IDS = (0, 1, 27, 28)
SIGNATURE_PATTERN = (
    "^0x[0-9a-fA-F]{128}(?:"
    + "|".join(
        "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in f"{v:02x}") for v in RECOVERY_IDS
    )
    + ")$"
)


@dataclass(frozen=True)
class Challenge:
    message: str
    nonce: str
    issued_at: int  # unix seconds
    expires_at: int  # unix seconds, issued_at + CHALLENGE_TTL_SECONDS


def new_nonce() -> str:
    """A fresh alphanumeric nonce from `secrets` (NONCE_LENGTH characters)."""
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(NONCE_LENGTH))


def build_challenge(
    *,
    domain: str,
    uri: str,
    onchain: OnchainId,
    customer_id: str,
    now: float,
    nonce: str | None = None,
) -> Challenge:
    """The EIP-4361 message the customer signs to prove it controls `onchain.address`.

    `domain` is the API's host (RFC 3986 authority, e.g. `api.example.com`), `uri` the
    customer's URI on the API (e.g. `https://api.example.com/v1/customers/cus_123`).
    These are server-side values: a malformed one is a `ValueError` (a bug), not a 400.
    """
    if not _AUTHORITY.fullmatch(domain):
        raise ValueError("domain must be an RFC 3986 authority (host[:port])")
    if not _URI.fullmatch(uri):
        raise ValueError("uri must be an absolute RFC 3986 URI")
    if onchain.namespace != "eip155":
        raise ValueError("Sign-In with Ethereum needs an eip155 account")
    if not _REQUEST_ID.fullmatch(customer_id):
        raise ValueError("customer_id must be a non-empty RFC 3986 pchar string")
    if nonce is None:
        nonce = new_nonce()
    elif not _NONCE.fullmatch(nonce):
        raise ValueError("nonce must be at least 8 alphanumeric characters")
    # pchar minus "%" is within the statement alphabet, so the statement is a valid one-liner.
    statement = f"Prove ownership of this address to {SERVICE_NAME} for customer {customer_id}."

    issued_at = int(now)
    expires_at = issued_at + CHALLENGE_TTL_SECONDS
    message = "\n".join(
        [
            f"{domain} wants you to sign in with your Ethereum account:",
            onchain.address,
            "",
            statement,
            "",
            f"URI: {uri}",
            "Version: 1",
            f"Chain ID: {onchain.reference}",
            f"Nonce: {nonce}",
            f"Issued At: {rfc3339(issued_at)}",
            f"Expiration Time: {rfc3339(expires_at)}",
            f"Request ID: {customer_id}",
        ]
    )
    return Challenge(message=message, nonce=nonce, issued_at=issued_at, expires_at=expires_at)


def recover_signer(message: str, signature: str) -> str:
    """The checksummed address whose EIP-191 `personal_sign` signature of `message` this is.

    `signature` is `0x` + 130 hex (r || s || v, v in 27/28 or 0/1). A malformed or
    unrecoverable signature is `ParameterInvalid(param="signature")`. A valid signature by
    another key recovers another address: the caller compares it with the expected one.
    """
    if not isinstance(signature, str) or not _SIGNATURE.fullmatch(signature):
        raise ParameterInvalid(
            "signature must be 0x followed by 130 hexadecimal characters", param="signature"
        )
    if int(signature[-2:], 16) not in RECOVERY_IDS:
        raise ParameterInvalid("signature recovery id v must be 27, 28, 0 or 1", param="signature")
    if not isinstance(message, str):
        raise TypeError("message must be a str")

    # EIP-191 version 0x45 (`personal_sign`) recovered with coincurve (libsecp256k1) and
    # pycryptodome's Keccak-256, not eth-account: importing eth_account 0.14.0 costs ~660 ms
    # (its package imports eth_keyfile, whose py_ecc BLS12-381 tables are computed at import:
    # ~550 ms), eth_keys alone ~135 ms (eth_utils), coincurve 21.0.0 ~4 ms (measured on top
    # of pydantic, cryptography and botocore, Python 3.13, 2 vCPUs, best of 3). eth-account
    # stays the oracle: tests/unit/test_siwe.py checks this recovery against
    # `Account.recover_message(encode_defunct(text=...))` on valid and invalid signatures.
    from coincurve import PublicKey

    raw = bytes.fromhex(signature[2:])
    v = raw[64]
    text = message.encode("utf-8")
    digest = keccak256(b"\x19Ethereum Signed Message:\n" + str(len(text)).encode("ascii") + text)
    try:
        public = PublicKey.from_signature_and_message(
            raw[:64] + bytes([v - 27 if v >= 27 else v]), digest, hasher=None
        )
    except Exception as exc:  # r or s out of range, or no point: not a signature of anything
        raise ParameterInvalid("signature does not recover a signer", param="signature") from exc
    return checksum_address("0x" + keccak256(public.format(compressed=False)[1:])[-20:].hex())


def load_recovery() -> None:
    """Load what `recover_signer` needs (coincurve, pycryptodome's Keccak: ~10 ms) now.
    The verify function calls it at init, so its first request pays no import; no other
    function loads them."""
    import coincurve  # noqa: F401

    keccak_module()


snapstart.warm(load_recovery)
