"""Prefixed, time-sortable identifiers: `<prefix>_<ULID>` (API.md "IDs")."""

from __future__ import annotations

import re

from ulid import ULID

from core import clock

PREFIXES = frozenset({"cus", "acc", "an", "addr", "ba", "bw", "bi", "whk", "evt", "key", "sig", "ptn", "req"})


def new_id(prefix: str) -> str:
    """A new id; ULIDs sort by creation time, which lists and `createdAfter` rely on, so
    the time comes from the one clock (float: python-ulid reads an int as milliseconds)."""
    if prefix not in PREFIXES:
        raise ValueError(f"unknown id prefix {prefix}")
    return f"{prefix}_{ULID.from_timestamp(float(clock.now()))}"


def id_pattern(prefix: str) -> str:
    return rf"^{prefix}_[A-Za-z0-9]+$"


def is_id(value: str, prefix: str) -> bool:
    return re.fullmatch(id_pattern(prefix), value) is not None
