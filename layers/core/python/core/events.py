"""The event outbox: every change writes its event in the same transaction as the change.

The webhook dispatcher (later) reads these items from the table's stream; partners read
them at `GET /v1/events` to reconcile. An event holds the new state of the object and,
for updates, the fields that changed with their previous values.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, Field
from pydantic.json_schema import SkipJsonSchema

from core import keys, listing
from core.clock import rfc3339
from core.errors import AlreadyExists, ResourceMissing
from core.ids import id_pattern, new_id, time_prefix
from core.pagination import ListParams
from core.pipeline import Call
from core.representations import Representation, Timestamp
from core.store import Tx
from core.validation import RequestModel

COLLECTION = "events"
EVENT_TYPE = r"^[a-z_]+\.[a-z_]+$"


def stage(
    tx: Tx,
    *,
    tenant_id: str,
    event_type: str,
    obj: dict[str, Any],
    now: float,
    previous: dict[str, Any] | None = None,
) -> str:
    """Add the event of a change to the change's own transaction."""
    event_id = new_id("evt")
    data: dict[str, Any] = {"object": obj}
    if previous is not None:
        data["changedFields"] = sorted(previous)
        data["previousAttributes"] = previous
    item = {
        "type": "event",
        "id": event_id,
        "tenantId": tenant_id,
        "eventType": event_type,
        "data": data,
        "createdAt": int(now),
        **keys.list_attrs(tenant_id, COLLECTION, event_id),
        **keys.filter_attrs(tenant_id, COLLECTION, event_type, event_id),
    }
    tx.create(keys.entity_key(tenant_id, event_id), item, on_fail=AlreadyExists("Event id clash."))
    return event_id


def changes(before: dict[str, Any], after: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The previous values of the fields that differ (the event's `previousAttributes`)."""
    return {name: before.get(name) for name in fields if before.get(name) != after.get(name)}


class EventData(Representation):
    object: dict[str, Any] = Field(description="The object after the change, as its own GET answers it.")
    # Updates only: the fields that changed and their values before the change.
    changedFields: list[str] | SkipJsonSchema[None] = None
    previousAttributes: dict[str, Any] | SkipJsonSchema[None] = None


class Event(Representation):
    """A change: `data.object` is the object after it; updates add what changed."""

    id: str = Field(pattern=id_pattern("evt"))
    object: Literal["event"]
    type: str = Field(pattern=EVENT_TYPE, examples=["customer.updated"])
    createdAt: Timestamp
    data: EventData


def render(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["id"],
        "object": "event",
        "type": item["eventType"],
        "createdAt": rfc3339(item["createdAt"]),
        "data": item["data"],
    }


class ListEventsQuery(ListParams):
    type: str | None = Field(default=None, pattern=EVENT_TYPE, max_length=64)
    createdAfter: AwareDatetime | None = Field(
        default=None, description="RFC 3339; events after that second."
    )


class EventPath(RequestModel):
    eventId: str = Field(pattern=id_pattern("evt"), max_length=64)


def _ids_after(moment: datetime) -> str:
    """A sort-key bound: event ids are ULIDs, whose first 10 characters encode the
    millisecond they were made, so ids after second S are those above the prefix of S+1."""
    return "evt_" + time_prefix(math.floor(moment.timestamp()) + 1)


def list_(call: Call[None, ListEventsQuery, None]) -> dict[str, Any]:
    query = call.query
    after = _ids_after(query.createdAfter) if query.createdAfter else None
    collection, index = (f"{COLLECTION}#{query.type}", keys.GSI2) if query.type else (COLLECTION, keys.GSI1)
    return listing.page(
        call.store,
        secret=call.settings.cursor_secret,
        tenant_id=call.tenant_id,
        collection=collection,
        params=query,
        render=render,
        index=index,
        sk_after=after,
    )


def get(call: Call[None, None, EventPath]) -> dict[str, Any]:
    item = call.store.get(keys.entity_key(call.tenant_id, call.path.eventId))
    if item is None or item.get("type") != "event":
        raise ResourceMissing(f"No such event: {call.path.eventId}.", param="eventId")
    return render(item)
