"""Deposit addresses derived from the deployment's extended public keys (no private key
exists on the server).

One account-level key per chain family, configured (`Settings.deposit_xpub_*`):

| family  | chains                         | path of address i     | address                        |
|---------|--------------------------------|-----------------------|--------------------------------|
| evm     | `chains.EVM_CHAINS`            | m/44'/60'/a'/0/i      | EIP-55 of keccak(pubkey)[-20:] |
| bitcoin | `bitcoin`                      | m/84'/0'/a'/0/i       | P2WPKH, bech32 `bc1q...`       |
| tron    | `tron`                         | m/44'/195'/a'/0/i     | base58check of 0x41 + 20 bytes |

`a` is the key's own account index (its depth must be 3, its index hardened: what a
wallet exports as the account's xpub). The EVM chains share one key and so one sequence
of indexes: an address is an address on every EVM chain. Bitcoin's key may be a `zpub`
(SLIP-132 marks P2WPKH with other version bytes) or an `xpub`; the version bytes change
nothing in the derivation.

BIP-32 public derivation (CKDpub) is the `bip32` library's, on coincurve (libsecp256k1);
Keccak-256 and RIPEMD-160 are pycryptodome's, the bech32 and base58check encodings the
`bech32m` and `base58` packages'. This module is imported by the address-issuing function
only (the benchmark's cold-start section measures it).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any

import base58
import bech32m

from core.accounts.number_schemes import ConfigurationError
from core.onchain import chains
from core.onchain.addresses import checksum_address, keccak256, keccak_module
from core.platform import snapstart
from core.platform.config import Settings
from core.platform.errors import SchemeUnsupported

HARDENED = 0x80000000
# SLIP-132 version bytes of extended public keys, and what they may be used for here.
XPUB = bytes.fromhex("0488b21e")
ZPUB = bytes.fromhex("04b24746")
TRON_PREFIX = b"\x41"


@dataclass(frozen=True)
class Family:
    name: str
    purpose: int
    coin: int
    versions: tuple[bytes, ...]


EVM = Family("evm", 44, 60, (XPUB,))
BITCOIN = Family("bitcoin", 84, 0, (ZPUB, XPUB))
TRON = Family("tron", 44, 195, (XPUB,))


def family_of(chain: str) -> Family | None:
    if chain in chains.EVM_CHAINS:
        return EVM
    return {"bitcoin": BITCOIN, "tron": TRON}.get(chain)


@dataclass(frozen=True)
class DepositKey:
    family: Family
    xpub: str  # with xpub version bytes, as the bip32 library reads it
    account: int
    # Names the key's index sequence: a new key starts its own.
    fingerprint: str

    def path(self, index: int) -> str:
        return f"m/{self.family.purpose}'/{self.family.coin}'/{self.account}'/0/{index}"


def deposit_key(settings: Settings, chain: str) -> DepositKey:
    """The key that derives `chain`'s addresses; 422 `scheme_unsupported` for a chain no
    extended public key can derive (e.g. solana, ed25519 without public derivation) or
    one this deployment has no key for."""
    family = family_of(chain)
    configured = {
        "evm": settings.deposit_xpub_evm,
        "bitcoin": settings.deposit_xpub_bitcoin,
        "tron": settings.deposit_xpub_tron,
    }.get(family.name if family else "", "")
    if family is None or not configured:
        raise SchemeUnsupported(
            f"This deployment derives no deposit addresses on {chain} (supported: the EVM chains, "
            "bitcoin and tron, each when its extended public key is configured).",
            param="accountId",
        )
    return _parse(family, configured)


@cache
def _parse(family: Family, configured: str) -> DepositKey:
    try:
        raw = base58.b58decode_check(configured)
    except ValueError:
        raise ConfigurationError(f"DEPOSIT_XPUB_{family.name.upper()} is not base58check") from None
    if len(raw) != 78 or raw[:4] not in family.versions:
        raise ConfigurationError(
            f"DEPOSIT_XPUB_{family.name.upper()} is not an extended public key of the kind "
            f"{family.name} uses ({', '.join(v.hex() for v in family.versions)})"
        )
    depth, index, key = raw[4], int.from_bytes(raw[9:13], "big"), raw[45:]
    if depth != 3 or not index & HARDENED or key[0] not in (2, 3):
        raise ConfigurationError(
            f"DEPOSIT_XPUB_{family.name.upper()} must be an account-level public key "
            f"(m/{family.purpose}'/{family.coin}'/a', depth 3)"
        )
    normalised = base58.b58encode_check(XPUB + raw[4:]).decode()
    fingerprint = hashlib.sha256(normalised.encode()).hexdigest()[:32]
    return DepositKey(family, normalised, index - HARDENED, fingerprint)


@cache
def _bip32(xpub: str) -> Any:  # bip32 ships no types
    from bip32 import BIP32

    return BIP32.from_xpub(xpub)


def derive(key: DepositKey, index: int) -> str:
    """The address at m/.../0/`index` of `key`."""
    if not 0 <= index < HARDENED:
        raise ValueError(f"index {index} is outside non-hardened derivation")
    public_key: bytes = _bip32(key.xpub).get_pubkey_from_path([0, index])  # compressed, 33 bytes
    if key.family is BITCOIN:
        return bech32m.encode("bc", 0, _hash160(public_key))
    account20 = _keccak_address(public_key)
    if key.family is TRON:
        return base58.b58encode_check(TRON_PREFIX + account20).decode()
    return checksum_address("0x" + account20.hex())


def _keccak_address(compressed: bytes) -> bytes:
    from coincurve import PublicKey

    uncompressed = PublicKey(compressed).format(compressed=False)
    return keccak256(uncompressed[1:])[-20:]


def _hash160(data: bytes) -> bytes:
    keccak_module()  # binds pycryptodome's C code without cffi (see there), once
    from Crypto.Hash import RIPEMD160

    return RIPEMD160.new(hashlib.sha256(data).digest()).digest()


snapstart.preload("coincurve", "bip32")
