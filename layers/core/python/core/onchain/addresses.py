"""On-chain identity of a customer: CAIP-10 account ids and EIP-55 checksummed addresses.

`onchainId` (API.md "Customers") is a CAIP-10 account id, `namespace:reference:address`.
Only `eip155` (EVM chains) is supported for now: the reference is the EIP-155 chain id
and the address an EOA address, whose EIP-55 checksum is enforced when it is written in
mixed case. All-lowercase and all-uppercase hex carry no checksum and are accepted;
`OnchainId.address` is always the checksummed form.

Importing this module is cheap (no eth-account, no eth-utils, no pycryptodome): the
customer-create function imports it and its cold start is measured.
"""

from __future__ import annotations

import builtins
import functools
import importlib.util
import re
import sys
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from core.platform import snapstart
from core.platform.errors import ParameterInvalid

# CAIP-2 (chain id) and CAIP-10 (account id) grammar.
_NAMESPACE = re.compile(r"[-a-z0-9]{3,8}")
_REFERENCE = re.compile(r"[-_a-zA-Z0-9]{1,32}")
_ACCOUNT_ADDRESS = re.compile(r"[-.%a-zA-Z0-9]{1,128}")
# eip155 specifics: a positive decimal chain id without leading zeros (CAIP-2 allows 32
# characters); a 20-byte hex address.
_CHAIN_ID = re.compile(r"[1-9][0-9]{0,31}")
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")

SUPPORTED_NAMESPACES = ("eip155",)
EXAMPLE = "eip155:1:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb"
# What `parse_caip10` accepts, as far as a regular expression can say it (the OpenAPI
# document's pattern): the EIP-55 checksum of a mixed-case address is the rest.
ONCHAIN_ID_PATTERN = f"^(?:{'|'.join(SUPPORTED_NAMESPACES)}):{_CHAIN_ID.pattern}:{_HEX_ADDRESS.pattern}$"
ONCHAIN_ID_DESCRIPTION = (
    "CAIP-10 account id `eip155:<chain id>:<address>` (only the eip155 namespace for now; the "
    "chain id decimal without leading zeros). An address in mixed case must carry its EIP-55 "
    "checksum (400 otherwise); all-lower- and all-upper-case addresses carry none and are "
    "accepted. Compared case-insensitively; returned in checksum form."
)


@dataclass(frozen=True)
class OnchainId:
    """A parsed, normalised CAIP-10 account id. Build it with `parse_caip10`."""

    namespace: str  # "eip155"
    reference: str  # the chain id as a decimal string, e.g. "1"
    address: str  # EIP-55 checksummed

    @property
    def chain_id(self) -> int:
        return int(self.reference)

    @property
    def caip10(self) -> str:
        """The canonical form, stored and returned by the API."""
        return f"{self.namespace}:{self.reference}:{self.address}"

    @property
    def unique_value(self) -> str:
        """The case-insensitive key of the per-tenant uniqueness guard."""
        return f"{self.namespace}:{self.reference}:{self.address.lower()}"


def parse_caip10(value: str, *, param: str = "onchainId") -> OnchainId:
    """Parse and validate a CAIP-10 account id; every failure is `ParameterInvalid(param=param)`."""
    if not isinstance(value, str):
        raise ParameterInvalid(f"{param} must be a string like {EXAMPLE}", param=param)
    parts = value.split(":")
    if len(parts) != 3:
        raise ParameterInvalid(
            f"{param} must be a CAIP-10 account id with three ':'-separated parts "
            f"namespace:reference:address, e.g. {EXAMPLE}",
            param=param,
        )
    namespace, reference, address = parts
    if not _NAMESPACE.fullmatch(namespace):
        raise ParameterInvalid(
            f"{param} has an invalid CAIP-2 namespace: expected 3 to 8 characters of [-a-z0-9]",
            param=param,
        )
    if not _REFERENCE.fullmatch(reference):
        raise ParameterInvalid(
            f"{param} has an invalid CAIP-2 reference: expected 1 to 32 characters of [-_a-zA-Z0-9]",
            param=param,
        )
    if not _ACCOUNT_ADDRESS.fullmatch(address):
        raise ParameterInvalid(
            f"{param} has an invalid CAIP-10 account address: expected 1 to 128 characters of [-.%a-zA-Z0-9]",
            param=param,
        )
    if namespace not in SUPPORTED_NAMESPACES:
        raise ParameterInvalid(
            f"{param}: namespace {namespace} is not supported yet; use eip155", param=param
        )
    if not _CHAIN_ID.fullmatch(reference):
        raise ParameterInvalid(
            f"{param}: the eip155 reference must be a positive decimal chain id without leading zeros "
            f"(e.g. 1 for Ethereum mainnet)",
            param=param,
        )
    if not _HEX_ADDRESS.fullmatch(address):
        raise ParameterInvalid(
            f"{param}: the eip155 address must be 0x followed by 40 hexadecimal characters", param=param
        )
    checksummed = checksum_address(address, param=param)
    digits = address[2:]
    mixed_case = digits != digits.lower() and digits != digits.upper()
    if mixed_case and address != checksummed:
        raise ParameterInvalid(f"{param}: EIP-55 checksum mismatch: expected {checksummed}", param=param)
    return OnchainId(namespace=namespace, reference=reference, address=checksummed)


def checksum_address(address: str, *, param: str = "address") -> str:
    """EIP-55 form of a `0x` + 40-hex address (any case in, checksummed out)."""
    if not isinstance(address, str) or not _HEX_ADDRESS.fullmatch(address):
        raise ParameterInvalid(f"{param} must be 0x followed by 40 hexadecimal characters", param=param)
    digits = address[2:].lower()
    digest = keccak256(digits.encode("ascii")).hex()
    # EIP-55: upper-case the i-th hex letter when the i-th nibble of the hash is >= 8.
    return "0x" + "".join(c.upper() if int(h, 16) >= 8 else c for c, h in zip(digits, digest, strict=False))


def keccak256(data: bytes) -> bytes:
    """Ethereum's Keccak-256 (not SHA3-256: the padding differs), from pycryptodome."""
    return keccak_module().new(digest_bits=256, data=data).digest()


# Serialises the first load: racing threads would otherwise run pycryptodome's binding
# module twice (the local API and the tests run requests in threads).
_KECCAK_LOCK = threading.Lock()
_RAW_API = "Crypto.Util._raw_api"


@functools.cache
def keccak_module() -> ModuleType:
    """pycryptodome's `Crypto.Hash.keccak`, loaded once, on its ctypes backend.

    Imported here rather than through `eth_utils` / `eth_hash`. Import cost on this machine
    (`python -X importtime -c "import X"`, cumulative, best of 10 runs, Python 3.13, 2 vCPUs):
    eth_utils 6.0.0 = 285 ms; Crypto.Hash.keccak (pycryptodome 3.24.1) = 30-61 ms. Most of
    the latter is cffi's C-declaration parser (pycparser): pycryptodome binds its C code
    through cffi's ABI mode whenever `import cffi` succeeds in its `Crypto.Util._raw_api`,
    and through ctypes otherwise, with the same compiled code behind both. The layer holds
    `cffi` because cryptography declares it (and coincurve uses its compiled
    `_cffi_backend`), so that one module is loaded with an `__import__` of its own that
    refuses `cffi` (`_load_raw_api_without_cffi`), and pycryptodome takes ctypes: ~30-40 ms
    less for the first hash in a container (measured, fresh processes, 2 vCPUs). Nothing
    global is touched: `sys.modules` keeps whatever `cffi` it had, so another thread's
    `import cffi` works throughout. Lazy, so that `import core.onchain.addresses` costs
    nothing.
    """
    with _KECCAK_LOCK:
        if _RAW_API not in sys.modules:  # not yet bound (by us or by someone else's import)
            _load_raw_api_without_cffi()
        from Crypto.Hash import keccak
    return keccak


def _load_raw_api_without_cffi() -> None:
    """Import `Crypto.Util._raw_api` as the import system would, except that its own
    `import cffi` raises ImportError. The module's globals get a copy of the builtins whose
    `__import__` refuses `cffi` (the import statement looks `__import__` up in the
    importing module's builtins); every other import goes to the real one."""
    real_import = builtins.__import__

    def refusing_cffi(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "cffi" or name.startswith("cffi."):
            raise ImportError("cffi is not used for pycryptodome's binding (see keccak_module)")
        return real_import(name, *args, **kwargs)

    spec = importlib.util.find_spec(_RAW_API)  # imports the parent packages
    if spec is None or spec.loader is None:
        raise ImportError(f"{_RAW_API} is not installed")
    module = importlib.util.module_from_spec(spec)
    module.__dict__["__builtins__"] = {**vars(builtins), "__import__": refusing_cffi}
    sys.modules[_RAW_API] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[_RAW_API]
        raise
    setattr(sys.modules["Crypto.Util"], "_raw_api", module)  # noqa: B010  (as the import system does)


@snapstart.warm
def _load_keccak() -> None:
    keccak256(b"")
