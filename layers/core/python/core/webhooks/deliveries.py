"""Deliveries: one per (event, endpoint), with the attempts made so far.

A delivery is written by the dispatcher (fan-out of an event) or by a redeliver request;
its INSERT on the table's stream is what puts its first attempt on the queue, so every
path to the queue starts from a committed item (`dispatch`). The worker (`worker`)
records each attempt here, conditionally on the attempt count it read, so a duplicated
queue message never records an attempt twice.
"""

from __future__ import annotations

import random
from typing import Any, Literal

from pydantic import Field

from core.platform import keys, listing
from core.platform.clock import rfc3339
from core.platform.errors import AlreadyExists, ReferenceInvalid, ResourceMissing, StateConflict
from core.platform.ids import id_pattern, new_id
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.representations import Representation, Timestamp
from core.platform.store import Tx
from core.platform.validation import RequestModel
from core.webhooks import endpoints

# Waits before each retry (API.md): about three and a half days in all, 11 attempts.
SCHEDULE_SECONDS = (
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
)
MAX_ATTEMPTS = len(SCHEDULE_SECONDS) + 1
# Each wait is moved by up to this fraction either way, so the retries of many deliveries
# that failed together (an endpoint's outage) do not all arrive in the same second.
JITTER = 0.1


def collection(endpoint_id: str) -> str:
    return f"webhook_deliveries#{endpoint_id}"


def retry_delay(attempt: int, rng: random.Random | None = None) -> float | None:
    """Seconds to wait after failed attempt `attempt` (1-based); None after the last."""
    if attempt >= MAX_ATTEMPTS:
        return None
    base = SCHEDULE_SECONDS[attempt - 1]
    return base * (1 + (rng or random).uniform(-JITTER, JITTER))


class Attempt(Representation):
    at: Timestamp
    httpStatus: int | None = Field(description="The endpoint's status code; null if no answer came.")
    error: str | None = Field(description="Why the attempt failed, when it did.")
    durationMs: int


class WebhookDelivery(Representation):
    """An event's delivery to one endpoint, with its attempts."""

    id: str = Field(pattern=id_pattern("dlv"))
    object: Literal["webhook_delivery"]
    endpointId: str = Field(pattern=id_pattern("whk"))
    eventId: str = Field(pattern=id_pattern("evt"))
    eventType: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: list[Attempt]
    nextAttemptAt: Timestamp | None = Field(description="When the next attempt is due; null once settled.")
    createdAt: Timestamp


def render(item: dict[str, Any]) -> dict[str, Any]:
    next_at = item.get("nextAttemptAt")
    return {
        "id": item["id"],
        "object": "webhook_delivery",
        "endpointId": item["endpointId"],
        "eventId": item["eventId"],
        "eventType": item["eventType"],
        "status": item["status"],
        "attempts": [
            {
                "at": rfc3339(a["at"]),
                "httpStatus": a.get("httpStatus"),
                "error": a.get("error"),
                "durationMs": a["durationMs"],
            }
            for a in item.get("attempts") or []
        ],
        "nextAttemptAt": rfc3339(next_at) if next_at is not None else None,
        "createdAt": rfc3339(item["createdAt"]),
    }


def stage_new(
    tx: Tx,
    *,
    tenant_id: str,
    endpoint_id: str,
    event: dict[str, Any],
    now: float,
    origin: Literal["event", "redeliver"],
) -> dict[str, Any]:
    """A pending delivery of `event` (its table item) to `endpoint_id`. The event's own
    fan-out is guarded per endpoint, so a stream batch handled twice makes it once."""
    delivery_id = new_id("dlv")
    item = {
        "type": "webhook_delivery",
        "id": delivery_id,
        "tenantId": tenant_id,
        "endpointId": endpoint_id,
        "eventId": event["id"],
        "eventType": event["eventType"],
        "origin": origin,
        "status": "pending",
        "attempts": [],
        "attemptCount": 0,
        "nextAttemptAt": int(now),
        "createdAt": int(now),
        **keys.list_attrs(tenant_id, collection(endpoint_id), delivery_id),
    }
    tx.create(keys.entity_key(tenant_id, delivery_id), item, on_fail=AlreadyExists("Delivery id clash."))
    if origin == "event":
        tx.create(
            keys.guard_key(tenant_id, "webhook_delivery", f"{event['id']}#{endpoint_id}"),
            {"type": "guard", "of": delivery_id},
            on_fail=AlreadyExists("This event was already dispatched to this endpoint."),
        )
    return item


# -- the partner's reads and the redeliver action ------------------------------------------


class ListDeliveriesQuery(ListParams):
    pass


class RedeliverPath(RequestModel):
    eventId: str = Field(pattern=id_pattern("evt"), max_length=64)


class Redeliver(RequestModel):
    endpointId: str = Field(pattern=id_pattern("whk"), max_length=64)


def list_(call: Call[None, ListDeliveriesQuery, endpoints.WebhookEndpointPath]) -> dict[str, Any]:
    endpoint = endpoints.require(call)  # 404 for an unknown (or another tenant's) endpoint
    return listing.page(
        call.store,
        secret=call.settings.cursor_secret,
        tenant_id=call.tenant_id,
        collection=collection(endpoint["id"]),
        params=call.query,
        render=render,
    )


def redeliver(call: Call[Redeliver, None, RedeliverPath]) -> dict[str, Any]:
    """A new delivery of the event, attempted at once whatever came before (a `failed`
    delivery in the dead-letter queue included)."""
    found = call.store.batch_get(
        [
            keys.entity_key(call.tenant_id, call.path.eventId),
            keys.entity_key(call.tenant_id, call.body.endpointId),
        ]
    )
    event = found.get((keys.tenant_pk(call.tenant_id), call.path.eventId))
    if event is None or event.get("type") != "event":
        raise ResourceMissing(f"No such event: {call.path.eventId}.", param="eventId")
    endpoint = found.get((keys.tenant_pk(call.tenant_id), call.body.endpointId))
    if endpoint is None or endpoint.get("type") != "webhook_endpoint":
        raise ReferenceInvalid(f"No such webhook endpoint: {call.body.endpointId}.", param="endpointId")
    if endpoint["status"] != "enabled":
        raise StateConflict("The endpoint is disabled: enable it (PATCH status) before redelivering.")
    item = stage_new(
        call.tx,
        tenant_id=call.tenant_id,
        endpoint_id=endpoint["id"],
        event=event,
        now=call.now,
        origin="redeliver",
    )
    return render(item)
