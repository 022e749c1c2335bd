"""Events (`GET /v1/events`, `GET /v1/events/{eventId}`): the outbox read back, newest
first, from the table's own key order (an event's sort key is its id), filtered by type
(GSI2) or by time (a bound on the ULID sort key). The items are
written by `core.platform.outbox`, in each change's own transaction."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, Field
from pydantic.json_schema import SkipJsonSchema

from core.platform import keys, listing
from core.platform.clock import rfc3339
from core.platform.errors import ResourceMissing
from core.platform.ids import id_pattern, time_prefix
from core.platform.outbox import COLLECTION
from core.platform.pagination import ListParams
from core.platform.pipeline import Call
from core.platform.representations import Representation, Timestamp
from core.platform.validation import RequestModel

EVENT_TYPE = r"^[a-z_]+\.[a-z_]+$"


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
    # By type from GSI2; all events from the table itself (their ids are their sort keys).
    collection, index = (f"{COLLECTION}#{query.type}", keys.GSI2) if query.type else (COLLECTION, None)
    return listing.page(
        call.store,
        secret=call.settings.cursor_secret,
        tenant_id=call.tenant_id,
        collection=collection,
        params=query,
        render=render,
        index=index,
        sk_after=after,
        id_prefix="evt_",
    )


def get(call: Call[None, None, EventPath]) -> dict[str, Any]:
    item = call.store.get(keys.entity_key(call.tenant_id, call.path.eventId))
    if item is None or item.get("type") != "event":
        raise ResourceMissing(f"No such event: {call.path.eventId}.", param="eventId")
    return render(item)
