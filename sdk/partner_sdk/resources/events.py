"""`client.events`: the event log, what webhooks deliver (`/v1/events`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from partner_sdk.resources._base import Resource, rfc3339


class Events(Resource):
    path = "/v1/events"

    def list(
        self,
        type: str | None = None,
        created_after: str | datetime.datetime | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Any:
        """One page of events, newest first. `created_after` is RFC 3339 text or an aware
        datetime (events after that second)."""
        return self._page(_filters(type, created_after, limit, cursor))

    def iterate(
        self,
        type: str | None = None,
        created_after: str | datetime.datetime | None = None,
        limit: int | None = None,
    ) -> Iterator[Any]:
        """Every event matching the filters, page after page (`limit` is the page size)."""
        return self._every(_filters(type, created_after, limit, None))

    def get(self, event_id: str) -> Any:
        return self._client.get(self._item_path(event_id)).json()

    def redeliver(self, event_id: str, endpoint_id: str, *, idempotency_key: str | None = None) -> Any:
        """Send the event to the endpoint again now (also one whose delivery failed for good);
        answers the new delivery (202)."""
        return self._client.post(
            self._item_path(event_id, "redeliver"),
            {"endpointId": endpoint_id},
            idempotency_key=idempotency_key,
        ).json()


def _filters(
    type: str | None, created_after: str | datetime.datetime | None, limit: int | None, cursor: str | None
) -> dict[str, Any]:
    return {
        "type": type,
        "createdAfter": rfc3339(created_after, "created_after"),
        "limit": limit,
        "cursor": cursor,
    }
