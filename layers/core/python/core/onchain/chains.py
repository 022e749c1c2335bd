"""Blockchain wallet addresses (API.md "Bank accounts and blockchain wallets", seed 000).

Every address is 26 to 100 visible ASCII characters (the seed's rule; no spaces or control
characters). When the chain is known, the address must also be valid for it:

- EVM chains (`EVM_CHAINS`): `0x` + 40 hex digits. Mixed case must carry a correct
  EIP-55 checksum; all-lower and all-upper case carry none and are accepted. The
  normalised form is the EIP-55 checksummed address.
- `bitcoin` (mainnet only): bech32 segwit v0 (BIP-173: `bc1q...`, P2WPKH or P2WSH) and
  bech32m segwit v1+ (BIP-350: `bc1p...` P2TR, ...), with the witness version and
  program length rules of both BIPs; or base58check P2PKH (`1...`, version byte 0x00) and
  P2SH (`3...`, version byte 0x05). Testnet and regtest addresses (`tb1`, `bcrt1`, `m`,
  `n`, `2`) are rejected. The normalised form is the address as given.
- Any other chain identifier matching `CHAIN_PATTERN` is accepted with the generic rule.

`unique_address` is the key of the per-tenant, per-chain uniqueness guard: EVM and
bech32 addresses are case-insensitive (lower-cased), base58 and unknown chains are kept
as they are.

Every failure is a `ValueError` naming the chain, so that inside a pydantic model it
becomes 400 `parameter_invalid` with `param` naming the field. Wallet models declare
`chain` before `address` and validate the address with a field validator:

    chain: Chain | None = None
    address: str

    @field_validator("address")
    @classmethod
    def _address(cls, value: str, info: ValidationInfo) -> str:
        return validate_address(info.data.get("chain"), value)

Libraries: `bech32m` (Pieter Wuille's BIP-173/BIP-350 reference code, packaged) and
`base58`. The `bech32` package (1.2.0) is not used: it predates BIP-350 and rejects every
taproot address. Both are imported at module level: measured on this machine
(`python -X importtime`, Python 3.13, best of 5, after `core.platform.validation`), `bech32m`
1.0.0 costs 1.5 ms and `base58` 2.1.1 costs 0.7 ms. Keccak for EIP-55 is imported lazily
by `core.onchain.addresses.checksum_address` (about 60-85 ms, paid on the first EVM address).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import base58
import bech32m
from pydantic import AfterValidator, Field

from core.onchain.addresses import checksum_address
from core.platform.errors import ParameterInvalid

EVM_CHAINS = frozenset({"ethereum", "polygon", "arbitrum", "optimism", "base", "avalanche", "bsc"})
BITCOIN = "bitcoin"
KNOWN_CHAINS = EVM_CHAINS | {BITCOIN}

CHAIN_PATTERN = r"^[a-z0-9][a-z0-9-]{1,31}$"
_CHAIN = re.compile(CHAIN_PATTERN)
ADDRESS_MIN_LENGTH = 26
ADDRESS_MAX_LENGTH = 100
# Visible ASCII: no whitespace, no control characters, nothing a display could hide.
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")

# The rules above as far as JSON Schema patterns can say them (the OpenAPI document's): the
# EIP-55, bech32/bech32m and base58check checksums and segwit program lengths are the rest.
ADDRESS_PATTERN = f"^{_VISIBLE_ASCII.pattern}$"
EVM_ADDRESS_PATTERN = f"^{_HEX_ADDRESS.pattern}$"
# bech32 in one case (`bc1` + the bech32 alphabet, at most 90 characters), or base58check
# P2PKH (version 0x00: `1...`) / P2SH (0x05: `3...`), 25 to 34 characters.
BITCOIN_ADDRESS_PATTERN = (
    r"^(?:bc1[02-9ac-hj-np-z]{11,87}|BC1[02-9AC-HJ-NP-Z]{11,87}|[13][1-9A-HJ-NP-Za-km-z]{24,33})$"
)
ADDRESS_DESCRIPTION = (
    f"{ADDRESS_MIN_LENGTH} to {ADDRESS_MAX_LENGTH} visible ASCII characters, unique per tenant and "
    "chain. On a known chain it must also be valid for it: on the EVM chains (ethereum, polygon, "
    "arbitrum, optimism, base, avalanche, bsc) `0x` + 40 hex digits, with a correct EIP-55 checksum "
    "when in mixed case (stored and returned checksummed); on bitcoin (mainnet) a bech32 (segwit v0, "
    "BIP-173) or bech32m (v1+, BIP-350) `bc1...` address, or a base58check P2PKH `1...` or P2SH "
    "`3...` address, with a valid checksum."
)


def address_schema_rules() -> list[Any]:
    """JSON Schema conditions (`allOf` members) of a body with `chain` and `address`: the
    chain-specific patterns above."""
    return [
        {
            "if": {"properties": {"chain": {"enum": chains}}, "required": ["chain"]},
            "then": {"properties": {"address": {"pattern": pattern}}},
        }
        for chains, pattern in (
            (sorted(EVM_CHAINS), EVM_ADDRESS_PATTERN),
            ([BITCOIN], BITCOIN_ADDRESS_PATTERN),
        )
    ]


_MAINNET_HRP = "bc"
_TESTNET_HRPS = ("tb", "bcrt")
_P2PKH, _P2SH = 0x00, 0x05
_TESTNET_P2PKH, _TESTNET_P2SH = 0x6F, 0xC4


def validate_chain(chain: str) -> str:
    """A chain identifier: lower-case, `^[a-z0-9][a-z0-9-]{1,31}$` (e.g. `ethereum`, `bitcoin`)."""
    if not isinstance(chain, str) or not _CHAIN.match(chain):
        raise ValueError(
            f"chain {chain!r} must be a lower-case identifier matching {CHAIN_PATTERN} "
            "(e.g. ethereum, bitcoin)"
        )
    return chain


Chain = Annotated[
    str,
    AfterValidator(validate_chain),
    Field(
        description="Blockchain network identifier, lower-case: ethereum, polygon, arbitrum, optimism, "
        "base, avalanche, bsc, bitcoin, or any other `^[a-z0-9][a-z0-9-]{1,31}$`.",
        examples=["ethereum", "bitcoin"],
        # Documented here, checked by validate_chain (with its own message).
        json_schema_extra={"pattern": CHAIN_PATTERN},
    ),
]
"""A chain identifier, `^[a-z0-9][a-z0-9-]{1,31}$`; the known ones are `KNOWN_CHAINS`."""


def validate_address(chain: str | None, address: str) -> str:
    """The normalised address, or `ValueError` naming the chain.

    EVM: the EIP-55 checksummed form. Bitcoin and unknown chains: the address as given.
    `chain=None` (the chain is optional in seed 000) applies the generic rule only.
    """
    label = "an address" if chain is None else f"a {chain} address"
    if chain is not None:
        validate_chain(chain)
    if not isinstance(address, str):
        raise ValueError(f"address must be a string: {label}")
    if not ADDRESS_MIN_LENGTH <= len(address) <= ADDRESS_MAX_LENGTH:
        raise ValueError(
            f"{label} must be {ADDRESS_MIN_LENGTH} to {ADDRESS_MAX_LENGTH} characters long, "
            f"got {len(address)}"
        )
    if not _VISIBLE_ASCII.fullmatch(address):
        raise ValueError(f"{label} must contain only visible ASCII characters, without spaces")
    if chain in EVM_CHAINS:
        return _evm(chain, address)
    if chain == BITCOIN:
        _bitcoin(address)
    return address


def unique_address(chain: str | None, address: str) -> str:
    """The uniqueness key of a (valid) address on `chain`; raises `ValueError` like `validate_address`."""
    normalised = validate_address(chain, address)
    if chain in EVM_CHAINS:
        return normalised.lower()
    if chain == BITCOIN and _is_bech32(normalised):
        return normalised.lower()
    return normalised


def _evm(chain: str, address: str) -> str:
    if not _HEX_ADDRESS.fullmatch(address):
        raise ValueError(f"a {chain} address must be 0x followed by 40 hexadecimal characters")
    try:
        checksummed = checksum_address(address)
    except ParameterInvalid as exc:  # not reached after the regex above; kept as a ValueError
        raise ValueError(f"a {chain} address must be 0x followed by 40 hexadecimal characters") from exc
    digits = address[2:]
    if digits not in (digits.lower(), digits.upper()) and address != checksummed:
        raise ValueError(f"{address} is not a valid {chain} address: EIP-55 checksum mismatch")
    return checksummed


def _is_bech32(address: str) -> bool:
    lowered = address.lower()
    return any(lowered.startswith(hrp + "1") for hrp in (_MAINNET_HRP, *_TESTNET_HRPS))


def _bitcoin(address: str) -> None:
    if _is_bech32(address):
        _bitcoin_segwit(address)
    else:
        _bitcoin_base58(address)


def _bitcoin_segwit(address: str) -> None:
    expected = "bitcoin addresses are base58check P2PKH (1...) or P2SH (3...), or segwit bc1..."
    try:
        hrp, data, encoding = bech32m.codecs.bech32_decode(address)
    except bech32m.DecodeError:
        raise ValueError(
            "not a valid bitcoin address: bad bech32/bech32m checksum, mixed case, or invalid characters"
        ) from None
    if hrp in _TESTNET_HRPS:
        raise ValueError(f"{hrp}1... is a bitcoin testnet/regtest address; only mainnet (bc1...) is accepted")
    if hrp != _MAINNET_HRP:
        raise ValueError(f"not a valid bitcoin address: {expected}")
    try:
        bech32m.decode(_MAINNET_HRP, address)
    except bech32m.DecodeError:
        version = data[0] if len(data) else None
        if version == 0 and encoding is not bech32m.codecs.Encoding.BECH32:
            detail = "witness version 0 must use the bech32 checksum (BIP-173), not bech32m"
        elif version is not None and 0 < version <= 16 and encoding is not bech32m.codecs.Encoding.BECH32M:
            detail = f"witness version {version} must use the bech32m checksum (BIP-350), not bech32"
        else:
            detail = "invalid witness version or program length (v0: 20 or 32 bytes, v1-v16: 2 to 40 bytes)"
        raise ValueError(f"not a valid bitcoin segwit address: {detail}") from None


def _bitcoin_base58(address: str) -> None:
    expected = "bitcoin addresses are base58check P2PKH (1...) or P2SH (3...), or segwit bc1..."
    # The regex first: base58.b58decode strips trailing whitespace and would accept it.
    if not _BASE58.fullmatch(address):
        raise ValueError(f"not a valid bitcoin address: {expected}")
    try:
        payload = base58.b58decode_check(address)
    except ValueError:
        raise ValueError("not a valid bitcoin address: bad base58check checksum") from None
    if len(payload) != 21:
        raise ValueError(f"not a valid bitcoin address: {expected}")
    version = payload[0]
    if version in (_TESTNET_P2PKH, _TESTNET_P2SH):
        raise ValueError(
            "this is a bitcoin testnet address; only mainnet addresses (1..., 3..., bc1...) are accepted"
        )
    if version not in (_P2PKH, _P2SH):
        raise ValueError(f"not a valid bitcoin address: unknown version byte 0x{version:02x}; {expected}")
