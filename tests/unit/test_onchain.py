"""CAIP-10 account ids and EIP-55 checksums (core.onchain.addresses)."""

from __future__ import annotations

import dataclasses
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from core.onchain.addresses import OnchainId, checksum_address, parse_caip10
from core.platform.errors import ParameterInvalid

REPO = Path(__file__).resolve().parents[2]
SEED_EXAMPLE = "eip155:1:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"  # shared/seeds/004

# The test cases of EIP-55 ("All caps", "All Lower", "Normal").
EIP55_ALL_CAPS = ["0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D"]
EIP55_ALL_LOWER = ["0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26"]
EIP55_NORMAL = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
EIP55_VECTORS = EIP55_ALL_CAPS + EIP55_ALL_LOWER + EIP55_NORMAL


def _flip_first_letter(address: str) -> str:
    """The same address with the case of its first hex letter flipped: a broken checksum."""
    for i, c in enumerate(address[2:], start=2):
        if c.isalpha():
            return address[:i] + c.swapcase() + address[i + 1 :]
    raise AssertionError("no letter to flip")


def _invalid(value: object, param: str = "onchainId") -> ParameterInvalid:
    with pytest.raises(ParameterInvalid) as info:
        parse_caip10(value, param=param)  # type: ignore[arg-type]
    assert info.value.code == "parameter_invalid"
    assert info.value.param == param
    return info.value


# --- EIP-55 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("expected", EIP55_VECTORS)
def test_checksum_of_the_lowercased_spec_vector_is_the_spec_checksum(expected: str) -> None:
    assert checksum_address("0x" + expected[2:].lower()) == expected


@pytest.mark.parametrize("expected", EIP55_VECTORS)
def test_checksum_is_case_insensitive_on_input(expected: str) -> None:
    assert checksum_address("0x" + expected[2:].upper()) == expected
    assert checksum_address(expected) == expected


def test_checksum_agrees_with_eth_utils_on_random_addresses() -> None:
    from eth_utils import to_checksum_address

    rng = random.Random(4361)
    for _ in range(200):
        address = "0x" + rng.randbytes(20).hex()
        assert checksum_address(address) == to_checksum_address(address)


@pytest.mark.parametrize(
    "bad", ["", "0x", "ab16a96d359ec26a11e2c2b3d8f8b8942d5bfcdb", "0x" + "a" * 39, "0x" + "g" * 40, None]
)
def test_checksum_address_refuses_what_is_not_an_address(bad: object) -> None:
    with pytest.raises(ParameterInvalid) as info:
        checksum_address(bad)  # type: ignore[arg-type]
    assert info.value.param == "address"


@pytest.mark.parametrize("vector", EIP55_NORMAL)
def test_a_correct_mixed_case_checksum_is_accepted_as_is(vector: str) -> None:
    parsed = parse_caip10(f"eip155:1:{vector}")
    assert parsed.address == vector


@pytest.mark.parametrize("vector", EIP55_NORMAL)
def test_a_wrong_mixed_case_checksum_is_rejected_with_the_expected_one(vector: str) -> None:
    error = _invalid(f"eip155:1:{_flip_first_letter(vector)}", param="clients[2].onchainId")
    assert f"checksum mismatch: expected {vector}" in error.message


@pytest.mark.parametrize("vector", EIP55_ALL_CAPS + EIP55_ALL_LOWER + EIP55_NORMAL)
def test_all_lower_and_all_upper_hex_carry_no_checksum_and_are_normalised(vector: str) -> None:
    for spelled in ("0x" + vector[2:].lower(), "0x" + vector[2:].upper()):
        assert parse_caip10(f"eip155:1:{spelled}").address == vector


# --- CAIP-10 -----------------------------------------------------------------------------------------------


def test_the_seed_example_is_accepted() -> None:
    parsed = parse_caip10(SEED_EXAMPLE)
    assert parsed == OnchainId("eip155", "1", "0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb")
    assert parsed.chain_id == 1
    assert parsed.caip10 == SEED_EXAMPLE
    assert parsed.unique_value == "eip155:1:0xab16a96d359ec26a11e2c2b3d8f8b8942d5bfcdb"


def test_a_lowercase_address_is_accepted_and_normalised_to_the_checksum() -> None:
    parsed = parse_caip10(SEED_EXAMPLE.lower())
    assert parsed.address == "0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"
    assert parsed.caip10 == SEED_EXAMPLE


def test_every_spelling_of_one_account_shares_one_unique_value() -> None:
    spellings = [SEED_EXAMPLE, SEED_EXAMPLE.lower(), "eip155:1:0x" + SEED_EXAMPLE.split(":0x")[1].upper()]
    assert {parse_caip10(s).unique_value for s in spellings} == {parse_caip10(SEED_EXAMPLE).unique_value}


def test_the_chain_id_is_part_of_the_identity() -> None:
    polygon = parse_caip10("eip155:137:0xab16a96d359ec26a11e2c2b3d8f8b8942d5bfcdb")
    assert polygon.reference == "137"
    assert polygon.chain_id == 137
    assert polygon.caip10 == "eip155:137:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"
    assert polygon.unique_value != parse_caip10(SEED_EXAMPLE).unique_value


def test_onchain_id_is_immutable() -> None:
    parsed = parse_caip10(SEED_EXAMPLE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.address = "0x0000000000000000000000000000000000000000"  # type: ignore[misc]


def test_a_bad_checksum_in_the_seed_example_is_rejected() -> None:
    error = _invalid("eip155:1:0xAb16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb")
    assert "checksum mismatch: expected 0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb" in error.message


@pytest.mark.parametrize(
    ("value", "namespace"),
    [
        ("bip122:000000000019d6689c085ae165831e93:128Lkh3S7CkDTBZ8W7BEK1X6Q4VV7Dqk5E", "bip122"),
        ("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp:7S3P4HxJpyyigGzodYwHtCxZyUQe9JiBMHyRWXFEdDN", "solana"),
        ("cosmos:cosmoshub-3:cosmos1t2uflqwqe0fsj0shcfkrvpukewcw40yjj6hdc0", "cosmos"),
    ],
)
@pytest.mark.parametrize("param", ["onchainId", "clients[0].onchainId"])
def test_other_namespaces_are_not_supported_yet(value: str, namespace: str, param: str) -> None:
    error = _invalid(value, param=param)
    assert f"namespace {namespace} is not supported yet; use eip155" in error.message


ADDRESS = "0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("", "three"),
        ("eip155", "three"),
        ("eip155:1", "three"),
        (ADDRESS, "three"),
        (f"eip155:1:{ADDRESS}:extra", "three"),
        (f"eip155:1{ADDRESS}", "three"),
        (f"EIP155:1:{ADDRESS}", "CAIP-2 namespace"),
        (f"ei:1:{ADDRESS}", "CAIP-2 namespace"),
        (f"eip155_x:1:{ADDRESS}", "CAIP-2 namespace"),
        (f":1:{ADDRESS}", "CAIP-2 namespace"),
        (f"eip155::{ADDRESS}", "CAIP-2 reference"),
        (f"eip155:{'1' * 33}:{ADDRESS}", "CAIP-2 reference"),
        (f"eip155:1 :{ADDRESS}", "CAIP-2 reference"),
        ("eip155:1:", "CAIP-10 account address"),
        (f"eip155:1:{ADDRESS}\n", "CAIP-10 account address"),
        (f" eip155:1:{ADDRESS}", "CAIP-2 namespace"),
        (f"eip155:1:0x{'a' * 129}", "CAIP-10 account address"),
        (f"eip155:0:{ADDRESS}", "chain id"),
        (f"eip155:01:{ADDRESS}", "chain id"),
        (f"eip155:00:{ADDRESS}", "chain id"),
        (f"eip155:mainnet:{ADDRESS}", "chain id"),
        (f"eip155:-1:{ADDRESS}", "chain id"),
        (f"eip155:0x1:{ADDRESS}", "chain id"),
        ("eip155:1:0x" + "a" * 39, "40 hexadecimal"),
        ("eip155:1:0x" + "a" * 41, "40 hexadecimal"),
        ("eip155:1:0x" + "g" * 40, "40 hexadecimal"),
        ("eip155:1:ab16a96d359ec26a11e2c2b3d8f8b8942d5bfcdb", "40 hexadecimal"),
        ("eip155:1:0Xab16a96d359ec26a11e2c2b3d8f8b8942d5bfcdb", "40 hexadecimal"),
        ("eip155:1:0x-b16a96d359ec26a11e2c2b3d8f8b8942d5bfcdb", "40 hexadecimal"),
    ],
)
def test_malformed_ids_are_rejected_with_a_specific_message(value: str, hint: str) -> None:
    error = _invalid(value)
    assert hint in error.message


@pytest.mark.parametrize("value", [None, 1, b"eip155:1:0xab16a96d359ec26a11e2c2b3d8f8b8942d5bfcdb"])
def test_a_non_string_is_rejected(value: object) -> None:
    _invalid(value)


# --- cold start --------------------------------------------------------------------------------------------


def test_importing_core_onchain_loads_no_ethereum_or_crypto_library() -> None:
    script = """
import sys
import core.onchain.addresses
heavy = ("eth_account", "eth_utils", "eth_keys", "eth_hash", "Crypto")
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in heavy)) or "none")
"""
    env = {**os.environ, "PYTHONPATH": str(REPO / "layers" / "core" / "python")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "none"


# Keccak-256 test vectors (the Keccak team's, with Ethereum's 0x01 padding): "" and "abc".
KECCAK_VECTORS = {
    b"": "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470",
    b"abc": "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45",
}


def _keccak_probe(before: str) -> list[str]:
    """In a fresh process: `before`, then two hashes through core.onchain.addresses; prints the
    hashes, pycryptodome's backend, and whether cffi / pycparser are loaded afterwards."""
    script = f"""
import sys
{before}
had_cffi = "cffi" in sys.modules
from core.onchain.addresses import keccak256
hashes = keccak256(b"").hex(), keccak256(b"abc").hex()
from Crypto.Util import _raw_api
print(*hashes, _raw_api.backend,
      "cffi" in sys.modules, had_cffi, "pycparser" in sys.modules)
"""
    env = {**os.environ, "PYTHONPATH": str(REPO / "layers" / "core" / "python")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    return out.stdout.split()


def test_keccak_binds_pycryptodome_through_ctypes_and_leaves_cffi_as_it_found_it() -> None:
    empty, abc, backend, cffi_after, cffi_before, pycparser = _keccak_probe("import coincurve")
    assert [empty, abc] == [KECCAK_VECTORS[b""], KECCAK_VECTORS[b"abc"]]
    assert backend == "ctypes"  # no C-declaration parsing at import (the reason: keccak_module)
    assert (cffi_before, cffi_after, pycparser) == ("False", "False", "False")


def test_keccak_leaves_an_already_imported_cffi_in_place() -> None:
    empty, abc, backend, cffi_after, cffi_before, _ = _keccak_probe("import cffi")
    assert [empty, abc] == [KECCAK_VECTORS[b""], KECCAK_VECTORS[b"abc"]]
    assert backend == "ctypes"
    assert (cffi_before, cffi_after) == ("True", "True")  # the real module stays in sys.modules


def test_keccak_uses_pycryptodome_as_already_bound_by_another_library() -> None:
    empty, abc, backend, *_ = _keccak_probe("from Crypto.Hash import SHA256")  # binds with cffi
    assert [empty, abc] == [KECCAK_VECTORS[b""], KECCAK_VECTORS[b"abc"]]
    assert backend == "cffi"


RACE = """
import sys, threading
from core.onchain import addresses

start = threading.Barrier(48)
failures, hashes, cffi_seen = [], [], []


def hash_once():
    start.wait()
    try:
        hashes.append(addresses.keccak256(b"abc").hex())
    except BaseException as exc:
        failures.append(repr(exc))


def import_cffi():
    # Another request's thread importing cffi while Keccak loads: never refused.
    start.wait()
    try:
        import cffi

        cffi_seen.append(cffi.FFI is not None)
    except BaseException as exc:
        failures.append(repr(exc))


threads = [threading.Thread(target=hash_once) for _ in range(40)]
threads += [threading.Thread(target=import_cffi) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
from Crypto.Util import _raw_api
first = hashes[0] if hashes else "-"
print(len(failures), len(set(hashes)), len(hashes), first, len(cffi_seen), _raw_api.backend)
print(*failures, sep="\\n")
"""


@pytest.mark.parametrize("round_", range(5))
def test_many_threads_load_keccak_at_once_while_others_import_cffi(round_: int) -> None:
    """40 threads take the first hash at the same instant, 8 more import cffi meanwhile: no
    thread fails (the layer used to hide cffi in sys.modules for the load, and racers
    raised KeyError or could not import cffi), all agree, and the binding is ctypes."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "layers" / "core" / "python")}
    out = subprocess.run([sys.executable, "-c", RACE], capture_output=True, text=True, env=env, check=True)
    first, *failures = out.stdout.splitlines()
    assert first.split() == ["0", "1", "40", KECCAK_VECTORS[b"abc"], "8", "ctypes"], failures
