"""A local Ethereum key for proving on-chain ownership in tests and in the sandbox.

`POST /v1/customers` with an `onchainId` answers a Sign-In with Ethereum challenge; the
owner of the address signs it with EIP-191 `personal_sign` and sends the signature to
`POST /v1/customers/{customerId}/challenge/verify`. A real customer signs in their own
wallet; these helpers stand in for that wallet:

    key, address = new_wallet()
    customer = api.customers.create(onchainId=caip10(address))
    api.customers.verify_challenge(customer["id"], sign_challenge(customer["challenge"]["message"], key))

eth-account is imported inside the functions (it takes about a second to import), so
`import partner_sdk` stays light. Private keys are `0x` + 64 hex; treat them as secrets.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["address_of", "caip10", "new_wallet", "sign_challenge"]

_PRIVATE_KEY: Final = re.compile(r"(?:0x)?([0-9a-fA-F]{64})")
_ADDRESS: Final = re.compile(r"0x[0-9a-fA-F]{40}")
_SECP256K1_ORDER: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _key_bytes(private_key_hex: str) -> bytes:
    """The 32 bytes of a hex private key (with or without `0x`). The error never echoes the key."""
    found = _PRIVATE_KEY.fullmatch(private_key_hex.strip()) if isinstance(private_key_hex, str) else None
    if found is None:
        raise ValueError("an Ethereum private key is 64 hexadecimal characters, optionally after 0x")
    key = bytes.fromhex(found.group(1))
    if not 0 < int.from_bytes(key, "big") < _SECP256K1_ORDER:
        raise ValueError("not a valid secp256k1 private key (out of range)")
    return key


def new_wallet() -> tuple[str, str]:
    """A new random key: (private key as `0x` + 64 hex, its EIP-55 checksummed address)."""
    from eth_account import Account

    account = Account.create()
    return "0x" + bytes(account.key).hex(), str(account.address)


def address_of(private_key_hex: str) -> str:
    """The EIP-55 checksummed address of a private key."""
    from eth_account import Account

    return str(Account.from_key(_key_bytes(private_key_hex)).address)


def caip10(address: str, chain_id: int = 1) -> str:
    """The CAIP-10 account id of an EVM address on an EIP-155 chain, e.g.
    `eip155:1:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb` (address in its EIP-55 form).

    A mixed-case address with a wrong checksum is refused (ValueError), as the API refuses it.
    """
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id < 1:
        raise ValueError(f"chain_id must be a positive integer, not {chain_id!r}")
    if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
        raise ValueError(f"not an EVM address (0x + 40 hex): {address!r}")
    from eth_utils import to_checksum_address

    checksummed = str(to_checksum_address(address))
    digits = address[2:]
    if digits != digits.lower() and digits != digits.upper() and address != checksummed:
        raise ValueError(f"{address} has a wrong EIP-55 checksum (expected {checksummed})")
    return f"eip155:{chain_id}:{checksummed}"


def sign_challenge(message: str, private_key_hex: str) -> str:
    """The EIP-191 `personal_sign` signature of `message`: `0x` + 130 hex (r || s || v, v 27/28),
    the form `POST /v1/customers/{customerId}/challenge/verify` takes."""
    if not isinstance(message, str):
        raise TypeError("message must be a str (the challenge's `message` field)")
    from eth_account import Account
    from eth_account.messages import encode_defunct

    signed = Account.sign_message(encode_defunct(text=message), private_key=_key_bytes(private_key_hex))
    signature = "0x" + bytes(signed.signature).hex()
    if len(signature) != 132:  # pragma: no cover - eth-account always makes 65 bytes
        raise RuntimeError(f"unexpected signature length {len(signature)}")
    return signature
