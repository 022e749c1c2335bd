"""Deposit addresses (core/accounts/deposit_keys.py): BIP-32 public derivation against
BIP-32's own test vectors, and every family's addresses against a second implementation
(bip-utils) and the published first addresses of the BIP-39 test mnemonic."""

from __future__ import annotations

import base58
import pytest

from core.accounts import deposit_keys
from core.accounts.number_schemes import ConfigurationError
from core.platform.config import Settings
from core.platform.errors import SchemeUnsupported
from tests.support.deposit_vectors import PUBLISHED, account_xpub, vector_address

SETTINGS = Settings.model_validate({"TABLE_NAME": "table", "CURSOR_SECRET": "c" * 32})


def test_bip32_public_derivation_matches_bip32s_test_vector_1_on_the_layers_coincurve() -> None:
    # BIP-32 test vector 1: the xpub of m/0H/1/2H, then the public path /2/1000000000.
    from bip32 import BIP32

    parent = BIP32.from_xpub(
        "xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJh7n7epu4trkrX7x7DogT5Uv6fcLW5"
    )
    assert parent.get_xpub_from_path("m/2/1000000000") == (
        "xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXEYBVPamhGW6cFJodrTHy"
    )


@pytest.mark.parametrize("family", ["evm", "bitcoin", "tron"])
def test_the_sandbox_keys_are_account_0_of_the_test_mnemonic(family: str) -> None:
    configured = {
        "evm": SETTINGS.deposit_xpub_evm,
        "bitcoin": SETTINGS.deposit_xpub_bitcoin,
        "tron": SETTINGS.deposit_xpub_tron,
    }[family]
    assert configured == account_xpub(family)


@pytest.mark.parametrize(
    ("chain", "family"), [("ethereum", "evm"), ("bsc", "evm"), ("bitcoin", "bitcoin"), ("tron", "tron")]
)
def test_twenty_addresses_of_each_family_equal_bip_utils(chain: str, family: str) -> None:
    key = deposit_keys.deposit_key(SETTINGS, chain)
    assert deposit_keys.derive(key, 0) == PUBLISHED[family]
    for index in range(20):
        assert deposit_keys.derive(key, index) == vector_address(family, index)
    purpose, coin = {"evm": (44, 60), "bitcoin": (84, 0), "tron": (44, 195)}[family]
    assert key.path(7) == f"m/{purpose}'/{coin}'/0'/0/7"


def test_bitcoin_takes_its_key_as_zpub_or_xpub_and_derives_the_same() -> None:
    raw = base58.b58decode_check(SETTINGS.deposit_xpub_bitcoin)
    as_xpub = base58.b58encode_check(bytes.fromhex("0488b21e") + raw[4:]).decode()
    settings = SETTINGS.model_copy(update={"deposit_xpub_bitcoin": as_xpub})
    assert deposit_keys.derive(deposit_keys.deposit_key(settings, "bitcoin"), 3) == vector_address(
        "bitcoin", 3
    )


@pytest.mark.parametrize(
    ("family", "value", "message"),
    [
        ("evm", "xpub-not-base58", "not base58check"),
        # A zpub where an xpub is expected: EVM keys carry xpub version bytes.
        (
            "evm",
            "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs",
            "not an extended public key",
        ),
        # BIP-32 vector 1's master xpub: depth 0, not an account's key.
        (
            "tron",
            "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8",
            "account-level",
        ),
    ],
)
def test_a_wrong_key_is_a_configuration_error(family: str, value: str, message: str) -> None:
    chain = {"evm": "ethereum", "bitcoin": "bitcoin", "tron": "tron"}[family]
    settings = SETTINGS.model_copy(update={f"deposit_xpub_{family}": value})
    with pytest.raises(ConfigurationError, match=message):
        deposit_keys.deposit_key(settings, chain)


@pytest.mark.parametrize("chain", ["solana", "cosmos", "near"])
def test_chains_no_extended_public_key_derives_are_scheme_unsupported(chain: str) -> None:
    with pytest.raises(SchemeUnsupported):
        deposit_keys.deposit_key(SETTINGS, chain)


def test_a_family_without_a_key_is_scheme_unsupported() -> None:
    with pytest.raises(SchemeUnsupported):
        deposit_keys.deposit_key(SETTINGS.model_copy(update={"deposit_xpub_evm": ""}), "polygon")


def test_hardened_indexes_are_refused() -> None:
    key = deposit_keys.deposit_key(SETTINGS, "ethereum")
    with pytest.raises(ValueError, match="non-hardened"):
        deposit_keys.derive(key, 2**31)
