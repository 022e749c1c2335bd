"""Time-ordered lists over GSI1 with signed cursors: one code path for every resource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core import keys
from core.pagination import ListParams, decode_cursor, encode_cursor
from core.store import Store

KEY_ATTRS = ("PK", "SK", "GSI1PK", "GSI1SK")


def page(
    store: Store,
    *,
    secret: str,
    tenant_id: str,
    collection: str,
    params: ListParams,
    render: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    """Newest first. Reads one item more than asked to know whether a next page exists."""
    start = decode_cursor(secret, tenant_id, collection, params.cursor) if params.cursor else None
    pk = keys.list_pk(tenant_id, collection)
    if start is not None and start.get("GSI1PK") != pk:
        start = None  # unreachable with a valid MAC; kept so a key never leaves its tenant
    items, _ = store.query_page(
        index=keys.GSI1, pk_name="GSI1PK", pk_value=pk, limit=params.limit + 1, start_key=start
    )
    next_cursor = None
    if len(items) > params.limit:
        items = items[: params.limit]
        last = {name: items[-1][name] for name in KEY_ATTRS}
        next_cursor = encode_cursor(secret, tenant_id, collection, last)
    return {"data": [render(item) for item in items], "nextCursor": next_cursor}
