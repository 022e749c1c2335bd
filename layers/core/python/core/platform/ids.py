"""Prefixed, time-sortable identifiers: `<prefix>_<ULID>` (API.md "IDs").

The ULID is made here, not with python-ulid: importing python-ulid costs ~35 ms of every
cold start (it reads its own version through importlib.metadata, which loads email and
zipfile), measured with `python -X importtime`, for 10 lines of arithmetic. The format is
the ULID spec's (48-bit milliseconds + 80 random bits, Crockford base32); a unit test
checks it against python-ulid.
"""

from __future__ import annotations

import os
import re

from core.platform import clock

PREFIXES = frozenset(
    {"cus", "acc", "an", "addr", "ba", "bw", "bi", "whk", "dlv", "evt", "key", "sig", "ptn", "req"}
)
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


# Every pair of base32 digits (1,024 strings): a ULID is 13 lookups of 10 bits, a third of
# the cost of encoding five bits at a time, on every write.
_PAIRS = tuple(a + b for a in _CROCKFORD for b in _CROCKFORD)
_PAIR_SHIFTS = tuple(range(120, -1, -10))


def ulid(at: float | None = None) -> str:
    """26 characters; ids made in later milliseconds sort after earlier ones."""
    millis = int((clock.now() if at is None else at) * 1000)
    # 130 bits (26 digits of 5): the 128-bit value with two leading zero bits.
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _PAIR_SHIFTS])


def time_prefix(at: float) -> str:
    """The first 10 characters of every ULID made in the millisecond of `at`."""
    return ulid(at)[:10]


def new_id(prefix: str) -> str:
    """A new id; ULIDs sort by creation time, which lists and `createdAfter` rely on, so
    the time comes from the one clock."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix}")
    return f"{prefix}_{ulid()}"


def id_pattern(prefix: str) -> str:
    return rf"^{prefix}_[A-Za-z0-9]+$"


def is_id(value: str, prefix: str) -> bool:
    return re.fullmatch(id_pattern(prefix), value) is not None
