"""Time-ordered lists with signed cursors, one code path for every resource: over a GSI
partition, or over the table itself for a collection whose items' sort keys are their
prefixed ids and nothing else in the tenant's partition shares the prefix (events: an
entry in GSI1 for each would cost every write a write unit, to list what the table's own
key order already lists)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from core.platform import keys
from core.platform.pagination import ListParams, decode_cursor, encode_cursor
from core.platform.store import Condition, Store

# The attributes of each index's LastEvaluatedKey.
_KEY_ATTRS: dict[str | None, tuple[str, ...]] = {
    None: ("PK", "SK"),  # the table
    keys.GSI1: ("PK", "SK", "GSI1PK", "GSI1SK"),
    keys.GSI2: ("PK", "SK", "GSI2PK", "GSI2SK"),
}
# Above every character of a prefixed id (Crockford base32, `_`): the end of a prefix's range.
_END = "~"
# Reads before a filtered page gives up filling itself (each read is one Query call).
MAX_FILTER_READS = 5


def page(
    store: Store,
    *,
    secret: str,
    tenant_id: str,
    collection: str,
    params: ListParams,
    render: Callable[[dict[str, Any]], dict[str, Any]],
    index: str | None = keys.GSI1,
    sk_after: str | None = None,
    filter_: Condition | None = None,
    id_prefix: str | None = None,
) -> dict[str, Any]:
    """Newest first. `collection` names the GSI partition (and binds the cursor to it);
    `sk_after` keeps ids newer than a bound; `filter_` drops items after the read.
    `index=None` lists the table's items whose ids begin with `id_prefix` (`evt_`)."""
    sk_between: tuple[str, str] | None = None
    if index is None:
        if not id_prefix:
            raise ValueError("a list over the table needs the prefix of its ids")
        pk_name, sk_name, pk = "PK", "SK", keys.tenant_pk(tenant_id)
        sk_between, sk_after = (sk_after or id_prefix, id_prefix + _END), None
    else:
        pk_name, sk_name, pk = f"{index}PK", f"{index}SK", keys.list_pk(tenant_id, collection)
    start = decode_cursor(secret, tenant_id, collection, params.cursor) if params.cursor else None
    if start is not None and start.get(pk_name) != pk:
        start = None  # unreachable with a valid MAC; kept so a key never leaves its tenant
    if start is not None:  # only this index's key (a cursor signed before a list moved index)
        start = {name: start[name] for name in _KEY_ATTRS[index] if name in start}
    wanted = params.limit + 1  # one more than asked tells whether a next page exists
    items: list[dict[str, Any]] = []
    for _ in range(MAX_FILTER_READS if filter_ is not None else 1):
        got, start = store.query_page(
            index=index,
            pk_name=pk_name,
            pk_value=pk,
            limit=wanted - len(items),
            start_key=start,
            sk_name=sk_name,
            sk_after=sk_after,
            sk_between=sk_between,
            filter_=filter_,
        )
        items.extend(got)
        if len(items) >= wanted or start is None:
            break
    next_cursor = None
    if len(items) > params.limit:
        items = items[: params.limit]
        next_cursor = _cursor(secret, tenant_id, collection, index, items[-1])
    elif start is not None:
        # A filtered read stopped early: continue from where DynamoDB stopped.
        next_cursor = encode_cursor(secret, tenant_id, collection, start)
    return {"data": [render(item) for item in items], "nextCursor": next_cursor}


def _cursor(secret: str, tenant_id: str, collection: str, index: str | None, item: dict[str, Any]) -> str:
    return encode_cursor(secret, tenant_id, collection, {name: item[name] for name in _KEY_ATTRS[index]})


def single(
    *,
    secret: str,
    tenant_id: str,
    collection: str,
    filters: dict[str, str | None],
    params: ListParams,
    find: Callable[[], dict[str, Any] | None],
    render: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """A list of at most one item: an exact filter on a unique value (`externalId`,
    `onchainId`, `referenceId`), answered from its uniqueness guard by `find` rather than
    by a query. Its `cursor` is checked exactly as every list's is (`decode_cursor`: a MAC
    over the tenant, the list and the position), before anything is read, so a forged,
    altered, another tenant's or another list's cursor is 400 `parameter_invalid`
    (`param: cursor`), whatever the filter.

    Decision (API.md is silent): the list is named by its collection and the value of
    every filter given (`filtered_collection`), so a cursor of the unfiltered list, of a
    status list or of another value's list is another list's cursor. Its one result
    always fits on the first page (`limit` is at least 1), so it never issues a cursor
    (`nextCursor` is null); a cursor signed for this very list can only mean "after its
    one result", and answers the empty page."""
    if params.cursor:
        decode_cursor(secret, tenant_id, filtered_collection(collection, filters), params.cursor)
        return {"data": [], "nextCursor": None}
    item = find()
    return {"data": [render(item)] if item is not None else [], "nextCursor": None}


def filtered_collection(collection: str, filters: dict[str, str | None]) -> str:
    """The name a cursor of `collection` filtered by `filters` (unset ones left out) is
    bound to: unambiguous whatever the values hold, and never a GSI collection's name."""
    given = {name: value for name, value in filters.items() if value is not None}
    return f"{collection}?{json.dumps(given, sort_keys=True, separators=(',', ':'))}"
