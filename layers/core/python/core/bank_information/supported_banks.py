"""The banks a bank-information record can name (`GET /v1/supported-banks`).

Mexico: Banxico's participants as the `clabe` package carries them; `code` is the
three-digit ABM code that opens a CLABE, the id `bank_mx_<code>`. The Dominican
Republic: `do_banks.json`, which says where its list comes from and when it was read.
Both are read once per container; the catalogue is the same for every tenant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from core.platform import listing, snapstart
from core.platform.errors import ParameterInvalid
from core.platform.pagination import ListParams, decode_cursor, encode_cursor
from core.platform.pipeline import Call
from core.platform.representations import Representation

Country = Literal["MX", "DO"]
COLLECTION = "supported_banks"
ID_PATTERN = r"^bank_(mx|do)_[a-z0-9]+$"
DO_FILE = Path(__file__).with_name("do_banks.json")


@dataclass(frozen=True)
class Bank:
    id: str
    country: str
    name: str
    code: str
    swift: str | None = None

    def render(self) -> dict[str, Any]:
        out = {"id": self.id, "object": "supported_bank", "country": self.country, "name": self.name}
        out["code"] = self.code
        if self.swift is not None:
            out["swift"] = self.swift
        return out


class SupportedBank(Representation):
    """A bank that `supportedBankId` may name."""

    id: str = Field(pattern=ID_PATTERN, examples=["bank_mx_012"])
    object: Literal["supported_bank"]
    country: Country
    name: str
    code: str = Field(
        description="Mexico: the three-digit Banxico (ABM) code that opens a CLABE. The "
        "Dominican Republic: the short name the bank trades under."
    )
    swift: str | None = Field(default=None, description="The bank's BIC, where it is known.")


class ListSupportedBanksQuery(ListParams):
    country: Country | None = Field(default=None, description="Only this country's banks.")


def _mexico() -> list[Bank]:
    from clabe import BANK_NAMES, BANKS

    return [Bank(f"bank_mx_{abm}", "MX", BANK_NAMES[banxico], abm) for abm, banxico in BANKS.items()]


def _dominican_republic() -> list[Bank]:
    data = json.loads(DO_FILE.read_text(encoding="utf-8"))
    return [
        Bank(f"bank_do_{bank['code'].lower()}", "DO", bank["name"], bank["code"], bank.get("swift"))
        for bank in data["banks"]
    ]


@cache
def catalogue() -> tuple[Bank, ...]:
    """Every supported bank, ordered by id (the order lists page in)."""
    return tuple(sorted([*_mexico(), *_dominican_republic()], key=lambda bank: bank.id))


@cache
def _by_id() -> dict[str, Bank]:
    return {bank.id: bank for bank in catalogue()}


def find(bank_id: str) -> Bank | None:
    return _by_id().get(bank_id)


def list_(call: Call[None, ListSupportedBanksQuery, None]) -> dict[str, Any]:
    """A page of the catalogue in id order; the cursor names the last id it showed."""
    query = call.query
    collection = listing.filtered_collection(COLLECTION, {"country": query.country})
    secret, tenant_id = call.settings.cursor_secret, call.tenant_id
    banks = [bank for bank in catalogue() if query.country is None or bank.country == query.country]
    if query.cursor:
        # The position names its tenant, as a table list's does (its partition key): the
        # MAC already binds the cursor to the tenant; this keeps the payload saying so.
        position = decode_cursor(secret, tenant_id, collection, query.cursor)
        after = position.get("after")
        if position.get("tenant") != tenant_id or not isinstance(after, str):
            raise ParameterInvalid("The cursor is not valid for this list.", param="cursor")
        banks = [bank for bank in banks if bank.id > after]
    page = banks[: query.limit]
    cursor = None
    if len(banks) > query.limit:
        cursor = encode_cursor(secret, tenant_id, collection, {"tenant": tenant_id, "after": page[-1].id})
    return {"data": [bank.render() for bank in page], "nextCursor": cursor}


snapstart.preload("clabe")
