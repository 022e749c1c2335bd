"""`client.webhook_endpoints`: where the API delivers events, their signing secrets and
their deliveries (`/v1/webhook-endpoints`). Receiving a delivery is `partner_sdk.webhooks`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from partner_sdk.resources._base import Resource

EndpointStatus = Literal["enabled", "disabled"]


class WebhookEndpoints(Resource):
    path = "/v1/webhook-endpoints"

    def create(
        self,
        url: str,
        events: Iterable[str] = ("*",),
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Any:
        """Register an endpoint for `events` (types such as `customer.created`, or `"*"` for
        every type). The answer carries the signing `secret` (`whsec_...`): this answer and
        `rotate_secret`'s are the only ones that do."""
        body: dict[str, Any] = {"url": url, "events": _event_list(events)}
        if description is not None:
            body["description"] = description
        if metadata is not None:
            body["metadata"] = dict(metadata)
        return self._client.post(self.path, body, idempotency_key=idempotency_key).json()

    def get(self, endpoint_id: str) -> Any:
        """One endpoint (without its secret)."""
        return self._client.get(self._item_path(endpoint_id)).json()

    def list(self, limit: int | None = None, cursor: str | None = None) -> Any:
        """One page: `{"data": [...], "nextCursor": ...}`."""
        return self._page({"limit": limit, "cursor": cursor})

    def iterate(self, limit: int | None = None) -> Iterator[Any]:
        """Every endpoint, page after page (`limit` is the page size)."""
        return self._every({"limit": limit})

    def update(
        self,
        endpoint_id: str,
        *,
        url: str | None = None,
        events: Iterable[str] | None = None,
        description: str | None = None,
        metadata: Mapping[str, str] | None = None,
        status: EndpointStatus | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        """PATCH the fields given (the others are left as they are); `status` is `enabled` or
        `disabled` (a disabled endpoint receives nothing)."""
        body: dict[str, Any] = {}
        if url is not None:
            body["url"] = url
        if events is not None:
            body["events"] = _event_list(events)
        if description is not None:
            body["description"] = description
        if metadata is not None:
            body["metadata"] = dict(metadata)
        if status is not None:
            body["status"] = status
        if not body:
            raise ValueError("nothing to update: pass url, events, description, metadata or status")
        return self._client.patch(self._item_path(endpoint_id), body, idempotency_key=idempotency_key).json()

    def delete(self, endpoint_id: str, *, idempotency_key: str | None = None) -> None:
        """Delete the endpoint: nothing more is delivered to it."""
        self._client.delete(self._item_path(endpoint_id), idempotency_key=idempotency_key)

    def rotate_secret(self, endpoint_id: str, *, idempotency_key: str | None = None) -> Any:
        """A new signing secret (in the answer's `secret`); the old one keeps signing beside
        it for 24 h, so each delivery's `webhook-signature` carries both."""
        return self._client.post(
            self._item_path(endpoint_id, "rotate-secret"), idempotency_key=idempotency_key
        ).json()

    def deliveries(self, endpoint_id: str, limit: int | None = None, cursor: str | None = None) -> Any:
        """One page of the endpoint's deliveries (status, attempts, nextAttemptAt)."""
        path = self._item_path(endpoint_id, "deliveries")
        return self._client.get(path, params={"limit": limit, "cursor": cursor}).json()

    def iterate_deliveries(self, endpoint_id: str, limit: int | None = None) -> Iterator[Any]:
        """Every delivery of the endpoint, page after page (`limit` is the page size)."""
        return self._client.iterate(self._item_path(endpoint_id, "deliveries"), {"limit": limit})


def _event_list(events: Iterable[str]) -> list[str]:
    """The event types as a list; one type given as text is a list of one (not its letters)."""
    if isinstance(events, str):
        return [events]
    return list(events)
