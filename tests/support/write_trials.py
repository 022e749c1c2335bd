"""What the write trials share: a create endpoint's request signed for a partner, the
handler called in-process on it, and what a tenant's partition holds afterwards.

Every trial runs in a tenant of its own, so what a trial wrote is exactly what its
partition holds (every key begins with `T#<tenantId>`, core/platform/keys.py): one Query, read
with the emulator's own client rather than the code under test.
"""

from __future__ import annotations

import copy
import json
import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

from core.platform import keys
from core.platform.store import Store, deserialize
from tests.support.create_endpoints import CreateEndpoint
from tests.support.harness import Partner, Reply, make_event


def signed_event(
    endpoint: CreateEndpoint,
    partner: Partner,
    *,
    body: bytes | None = None,
    query: str | None = None,
    idempotency_key: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The endpoint's sample request (or `body` / `query` instead), signed by `partner`."""
    data = endpoint.body if body is None else body
    raw_query = endpoint.query if query is None else query
    headers = partner.headers(endpoint.method, endpoint.raw_path, raw_query, data, now=now)
    headers["Content-Type"] = "application/json"
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return make_event(
        endpoint.method,
        endpoint.raw_path,
        query=raw_query,
        body=data,
        headers=headers,
        path_params=endpoint.path_params,
        route_key=endpoint.route_key,
    )


def prepared(endpoint: CreateEndpoint, partner: Partner) -> Partner:
    """`partner`, its tenant holding what the endpoint's sample needs (`Declared.seed`)."""
    if endpoint.declared.seed is not None:
        endpoint.declared.seed(Store(os.environ["TABLE_NAME"]), partner.tenant_id)
    return partner


def invoke(endpoint: CreateEndpoint, event: dict[str, Any]) -> Reply:
    """The handler on a copy of `event` (concurrent callers share one event)."""
    out = endpoint.handler()(copy.deepcopy(event), None)
    return Reply(out["statusCode"], dict(out["headers"]), out["body"])


def tenant_items(client: Any, table: str, tenant_id: str) -> list[dict[str, Any]]:
    """Every item of the tenant, plain values, sorted by key."""
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.tenant_pk(tenant_id)}},
        "ConsistentRead": True,
    }
    while True:
        out = client.query(**kwargs)
        items.extend(deserialize(i) for i in out["Items"])
        if "LastEvaluatedKey" not in out:
            return sorted(items, key=lambda i: i["SK"])
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]


@dataclass(frozen=True)
class Tally:
    """What a tenant holds, in the terms the trials assert on."""

    types: Counter[str]  # items by `type`
    events: Counter[str]  # events by event type
    idempotency: Counter[str]  # idempotency records by state

    @classmethod
    def of(cls, items: list[dict[str, Any]]) -> Tally:
        return cls(
            types=Counter(str(i.get("type")) for i in items),
            events=Counter(i["eventType"] for i in items if i.get("type") == "event"),
            idempotency=Counter(i["state"] for i in items if i.get("type") == "idempotency"),
        )

    def created_since(self, before: Tally, endpoint: CreateEndpoint) -> tuple[int, dict[str, int]]:
        """(resources of the endpoint's type made since `before`, events made since, by type)."""
        made = self.types[endpoint.declared.resource] - before.types[endpoint.declared.resource]
        events = {k: n - before.events[k] for k, n in self.events.items() if n != before.events[k]}
        return made, events


def expected_events(endpoint: CreateEndpoint) -> dict[str, int]:
    """One create's events: its declared event once (or none), and each event it declares
    beside it once (an instrument's creation also makes its external account)."""
    event = endpoint.declared.event
    return {**({event: 1} if event else {}), **{other: 1 for other in endpoint.declared.also}}


def delete_items(client: Any, table: str, items: list[dict[str, Any]]) -> None:
    """Drop a finished trial's items: moto copies the whole table in every transaction, so
    a small table keeps the next trials fast."""
    for start in range(0, len(items), 25):
        batch = items[start : start + 25]
        requests = [{"DeleteRequest": {"Key": {"PK": {"S": i["PK"]}, "SK": {"S": i["SK"]}}}} for i in batch]
        pending: dict[str, Any] = {table: requests}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def shape(value: Any) -> Any:
    """A JSON value's structure: keys, list lengths and scalar types, not the values
    (what two runs of one request share when ids, times and tokens differ by nature)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def body_shape(reply: Reply) -> Any:
    return shape(json.loads(reply.text)) if reply.text else None
