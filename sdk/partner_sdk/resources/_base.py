"""What every resource group shares: the client it calls, path segments, one page of a
list, every page of it, and RFC 3339 text for time filters."""

from __future__ import annotations

import datetime
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from partner_sdk.client import PartnerClient


class Resource:
    """A group of calls under one collection path (`/v1/customers`)."""

    path: str = ""

    def __init__(self, client: PartnerClient) -> None:
        self._client = client

    def _item_path(self, item_id: str, action: str | None = None) -> str:
        path = f"{self.path}/{segment(item_id)}"
        return f"{path}/{action}" if action else path

    def _page(self, params: Mapping[str, Any], path: str | None = None) -> Any:
        """One page of the list: `{"data": [...], "nextCursor": ...}`. Each group's `list`
        names its filters and calls this; `path` is a collection under parents' ids (the
        ledger's: `/v1/organizations/{id}/ledgers`), by default the group's own `path`."""
        return self._client.get(path or self.path, params=params).json()

    def _every(self, params: Mapping[str, Any], path: str | None = None) -> Iterator[Any]:
        """Every item of the list, following `nextCursor` page after page (each group's
        `iterate`)."""
        return self._client.iterate(path or self.path, params)


def segment(value: str) -> str:
    """One path segment, percent-encoded (an id can never reach another route)."""
    if not isinstance(value, str) or value in ("", ".", ".."):
        raise ValueError(f"not a usable id: {value!r}")
    return urllib.parse.quote(value, safe="")


def rfc3339(value: str | datetime.datetime | None, name: str) -> str | None:
    """An aware datetime as RFC 3339 UTC with a `Z` (whole seconds); text passes through."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (e.g. datetime.now(UTC))")
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def api_fields(fields: Mapping[str, Any], spellings: Mapping[str, str]) -> dict[str, Any]:
    """Keyword arguments as the API's body: snake_case names in `spellings` take the API's
    camelCase; None values are left out."""
    return {spellings.get(name, name): value for name, value in fields.items() if value is not None}
