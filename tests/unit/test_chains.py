"""Wallet addresses per chain (core.onchain.chains): EIP-55, bech32/bech32m, base58check, generic rule."""

from __future__ import annotations

import base58
import pytest
from pydantic import ValidationInfo, field_validator

from core.onchain.chains import EVM_CHAINS, Chain, unique_address, validate_address, validate_chain
from core.platform.errors import ParameterInvalid, ParameterUnknown
from core.platform.validation import RequestModel, validate_body

# EIP-55 "Normal" test case and its lower-case form.
EIP55 = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
EIP55_LOWER = EIP55.lower()
EIP55_BAD = "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # first letter's case flipped

# Mainnet bitcoin addresses of each type.
P2PKH = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"  # the genesis block's coinbase address
P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"  # BIP-13 era example (bitcoin wiki)
P2WPKH = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173 / BIP-350 valid vector
P2WPKH_UPPER = "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"  # BIP-173 valid vector
P2WSH = "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"  # BIP-173 example
P2TR = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"  # BIP-350 valid vector
# BIP-350 valid vector: witness v1 with a 40-byte program.
V1_40 = "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y"
MAINNET = [P2PKH, P2SH, P2WPKH, P2WPKH_UPPER, P2WSH, P2TR, V1_40]

# BIP-350 invalid vectors.
V1_WITH_BECH32 = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd"
V0_WITH_BECH32M = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh"
V0_BAD_LENGTH = "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P"  # v0 with a 16-byte program
P2WPKH_BAD_CHECKSUM = P2WPKH[:-1] + "5"
TESTNET_P2WSH = "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"  # BIP-173 testnet
TESTNET_P2TR = "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c"  # BIP-350 testnet
TESTNET_P2PKH = base58.b58encode_check(b"\x6f" + bytes(range(20))).decode()  # m... / n...
TESTNET_P2SH = base58.b58encode_check(b"\xc4" + bytes(range(20))).decode()  # 2...


def _error(chain: str | None, address: str) -> str:
    with pytest.raises(ValueError) as info:
        validate_address(chain, address)
    return str(info.value)


# --- EVM ------------------------------------------------------------------------------


@pytest.mark.parametrize("chain", sorted(EVM_CHAINS))
def test_evm_address_valid_on_every_evm_chain(chain: str) -> None:
    assert validate_address(chain, EIP55) == EIP55


def test_lower_case_evm_address_is_normalised_to_checksum_form() -> None:
    assert validate_address("ethereum", EIP55_LOWER) == EIP55
    assert validate_address("polygon", "0x" + EIP55[2:].upper()) == EIP55


def test_bad_eip55_checksum_is_rejected_naming_the_chain() -> None:
    message = _error("ethereum", EIP55_BAD)
    assert "ethereum" in message and "EIP-55" in message


@pytest.mark.parametrize(
    "address",
    [
        EIP55[:-1],  # 39 hex digits
        EIP55 + "0",  # 41 hex digits
        "0X" + EIP55[2:],  # capital X
        EIP55[:-1] + "g",  # not hex
        P2PKH,
        P2WPKH,
    ],
)
def test_malformed_or_bitcoin_address_is_invalid_on_ethereum(address: str) -> None:
    assert "ethereum" in _error("ethereum", address)


def test_evm_uniqueness_key_is_case_insensitive() -> None:
    assert unique_address("ethereum", EIP55) == unique_address("ethereum", EIP55_LOWER) == EIP55_LOWER


# --- bitcoin --------------------------------------------------------------------------


@pytest.mark.parametrize("address", MAINNET)
def test_mainnet_bitcoin_addresses_of_each_type_are_valid_and_kept_as_given(address: str) -> None:
    assert validate_address("bitcoin", address) == address


def test_evm_address_is_invalid_on_bitcoin() -> None:
    assert validate_address("ethereum", EIP55) == EIP55
    assert "bitcoin" in _error("bitcoin", EIP55)


def test_bech32_bad_checksum_is_rejected() -> None:
    assert "checksum" in _error("bitcoin", P2WPKH_BAD_CHECKSUM)


def test_witness_v0_with_bech32m_checksum_is_rejected() -> None:
    message = _error("bitcoin", V0_WITH_BECH32M)
    assert "bitcoin" in message and "version 0" in message and "bech32m" in message


def test_witness_v1_with_bech32_checksum_is_rejected() -> None:
    message = _error("bitcoin", V1_WITH_BECH32)
    assert "bitcoin" in message and "version 1" in message


def test_witness_v0_program_length_rule() -> None:
    assert "program length" in _error("bitcoin", V0_BAD_LENGTH)


def test_mixed_case_bech32_is_rejected() -> None:
    assert "bitcoin" in _error("bitcoin", "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")


@pytest.mark.parametrize("address", [TESTNET_P2WSH, TESTNET_P2TR, TESTNET_P2PKH, TESTNET_P2SH])
def test_testnet_addresses_are_rejected_with_a_clear_message(address: str) -> None:
    assert address[0] in "tmn2"
    message = _error("bitcoin", address)
    assert "testnet" in message and "mainnet" in message


def test_base58_bad_checksum_and_unknown_version_are_rejected() -> None:
    assert "checksum" in _error("bitcoin", P2PKH[:-1] + "b")
    litecoin_like = base58.b58encode_check(b"\x30" + bytes(20)).decode()  # version 0x30: L...
    assert "version" in _error("bitcoin", litecoin_like)
    assert "bitcoin" in _error("bitcoin", "0OIl" + P2PKH[4:])  # not in the base58 alphabet


def test_trailing_whitespace_is_rejected_although_base58_would_strip_it() -> None:
    assert "bitcoin" in _error("bitcoin", P2PKH + " ")


def test_bitcoin_uniqueness_key_lowercases_bech32_only() -> None:
    assert unique_address("bitcoin", P2WPKH_UPPER) == P2WPKH
    assert unique_address("bitcoin", P2PKH) == P2PKH  # base58 is case-sensitive


def test_bip350_minimal_valid_address_still_falls_under_the_seeds_length_rule() -> None:
    # "BC1SW50QGDZ25J" (v16, 2-byte program) is a valid BIP-350 vector but 14 characters.
    assert "26 to 100" in _error("bitcoin", "BC1SW50QGDZ25J")


# --- unknown chains and the generic rule ----------------------------------------------


def test_unknown_chain_length_rule() -> None:
    assert validate_address("solana", "A" * 26) == "A" * 26
    assert validate_address("solana", "A" * 100) == "A" * 100
    assert "solana" in _error("solana", "A" * 25)
    assert "solana" in _error("solana", "A" * 101)
    assert unique_address("solana", "Ab" * 13) == "Ab" * 13  # kept as is


def test_no_chain_applies_the_generic_rule_only() -> None:
    assert validate_address(None, "x" * 26) == "x" * 26
    assert validate_address(None, EIP55_BAD) == EIP55_BAD  # no chain, no checksum check
    with pytest.raises(ValueError):
        validate_address(None, "x" * 25)


@pytest.mark.parametrize("address", ["A" * 25 + " ", "A" * 25 + "\n", "A" * 25 + "é"])
def test_generic_rule_refuses_whitespace_control_and_non_ascii(address: str) -> None:
    assert "solana" in _error("solana", address)


@pytest.mark.parametrize("chain", ["Ethereum", "e", "-eth", "eth_main", "a" * 33, ""])
def test_invalid_chain_identifiers(chain: str) -> None:
    with pytest.raises(ValueError, match="chain"):
        validate_chain(chain)
    with pytest.raises(ValueError, match="chain"):
        validate_address(chain, EIP55)


@pytest.mark.parametrize("chain", ["ethereum", "bitcoin", "solana", "cosmos-hub", "l2", "a" * 32])
def test_valid_chain_identifiers(chain: str) -> None:
    assert validate_chain(chain) == chain


# --- through a request model ----------------------------------------------------------


class Wallet(RequestModel):
    chain: Chain | None = None  # declared before `address`: the validator reads it
    address: str

    @field_validator("address")
    @classmethod
    def _address(cls, value: str, info: ValidationInfo) -> str:
        return validate_address(info.data.get("chain"), value)


def test_request_model_normalises_and_reports_param_address() -> None:
    wallet = validate_body(Wallet, f'{{"chain": "ethereum", "address": "{EIP55_LOWER}"}}'.encode())
    assert wallet.address == EIP55
    with pytest.raises(ParameterInvalid) as info:
        validate_body(Wallet, f'{{"chain": "bitcoin", "address": "{EIP55}"}}'.encode())
    assert info.value.param == "address" and "bitcoin" in info.value.message
    with pytest.raises(ParameterInvalid) as info:
        validate_body(Wallet, f'{{"chain": "bitcoin", "address": "{V0_WITH_BECH32M}"}}'.encode())
    assert info.value.param == "address"


def test_request_model_reports_a_bad_chain_as_param_chain() -> None:
    with pytest.raises(ParameterInvalid) as info:
        validate_body(Wallet, f'{{"chain": "Ethereum", "address": "{EIP55}"}}'.encode())
    assert info.value.param == "chain"
    with pytest.raises(ParameterUnknown):
        validate_body(Wallet, f'{{"address": "{EIP55}", "network": "x"}}'.encode())
