"""The dispatcher: the table's stream (filtered to event and delivery INSERTs) in, one
delivery per subscribed endpoint and one queue message per delivery out.

Two hops, each from a committed item: an event's record makes its deliveries (guarded per
endpoint, so a retried batch makes none twice); a delivery's record puts its first
attempt on the queue (a retried batch may send it twice, and the worker drops the copy).
A record that fails stops the batch there (ReportBatchItemFailures): Lambda retries from
it, and nothing after it is skipped.
"""

from __future__ import annotations

from typing import Any

from core.platform import clock, keys, observability
from core.platform.config import Settings
from core.platform.errors import AlreadyExists
from core.platform.store import Store, Tx, deserialize
from core.webhooks import deliveries, endpoints, queue


def subscribed(endpoint: dict[str, Any], event_type: str) -> bool:
    return endpoint["status"] == "enabled" and (
        endpoints.ALL_EVENTS in endpoint["events"] or event_type in endpoint["events"]
    )


def tenant_endpoints(store: Store, tenant_id: str) -> list[dict[str, Any]]:
    items, _ = store.query_page(
        index=keys.GSI1,
        pk_name="GSI1PK",
        pk_value=keys.list_pk(tenant_id, endpoints.COLLECTION),
        limit=endpoints.MAX_PER_TENANT * 2,  # a tenant holds at most MAX_PER_TENANT
    )
    return items


def fan_out(store: Store, event: dict[str, Any], now: float) -> int:
    """The event's deliveries; answers how many were made by this call."""
    made = 0
    for endpoint in tenant_endpoints(store, event["tenantId"]):
        if not subscribed(endpoint, event["eventType"]):
            continue
        tx = Tx()
        deliveries.stage_new(
            tx, tenant_id=event["tenantId"], endpoint_id=endpoint["id"], event=event, now=now, origin="event"
        )
        try:
            store.transact(tx.writes)
        except AlreadyExists:
            continue  # made when this batch was handled before (its guard exists)
        made += 1
    return made


def handle(event: dict[str, Any], store: Store, settings: Settings) -> dict[str, Any]:
    now = clock.now()
    for record in event.get("Records", []):
        try:
            image = deserialize(record["dynamodb"]["NewImage"])
            if image.get("type") == "event":
                fan_out(store, image, now)
            elif image.get("type") == "webhook_delivery":
                queue.send(settings.webhook_queue_url, queue.first_attempt(image), now=now)
        except Exception:
            observability.exception("webhook dispatch failed; the batch is retried from this record")
            return {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}
    return {"batchItemFailures": []}
