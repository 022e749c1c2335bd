"""The deposit addresses of the sandbox's keys, from a second implementation: bip-utils,
deriving from the BIP-39 test mnemonic ("abandon" x 11, "about") whose account 0 keys
are the sandbox defaults (core/platform/config.py). Index 0 of each family is also a
published vector, pinned here by value."""

from __future__ import annotations

from functools import cache
from typing import Any

MNEMONIC = " ".join(["abandon"] * 11 + ["about"])
# Published: BIP-84's own test vector (m/84'/0'/0'/0/0), and the first Ethereum and Tron
# receive addresses of this mnemonic that wallets document (m/44'/60'/0'/0/0, m/44'/195'/0'/0/0).
PUBLISHED = {
    "bitcoin": "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
    "evm": "0x9858EfFD232B4033E47d90003D41EC34EcaEda94",
    "tron": "TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH",
}


@cache
def _accounts() -> dict[str, Any]:
    from bip_utils import Bip39SeedGenerator, Bip44, Bip44Coins, Bip84, Bip84Coins

    seed = Bip39SeedGenerator(MNEMONIC).Generate()
    return {
        "evm": Bip44.FromSeed(seed, Bip44Coins.ETHEREUM).Purpose().Coin().Account(0),
        "tron": Bip44.FromSeed(seed, Bip44Coins.TRON).Purpose().Coin().Account(0),
        "bitcoin": Bip84.FromSeed(seed, Bip84Coins.BITCOIN).Purpose().Coin().Account(0),
    }


def account_xpub(family: str) -> str:
    return str(_accounts()[family].PublicKey().ToExtended())


@cache
def vector_address(family: str, index: int) -> str:
    from bip_utils import Bip44Changes

    address = str(
        _accounts()[family].Change(Bip44Changes.CHAIN_EXT).AddressIndex(index).PublicKey().ToAddress()
    )
    if index == 0:
        assert address == PUBLISHED[family], "bip-utils disagrees with the published vector"
    return address
