"""The event outbox: every change writes its event in the same transaction as the change.

The webhook dispatcher (later) reads these items from the table's stream; partners read
them at `GET /v1/events` (the events family) to reconcile. An event holds the new state of
the object and, for updates, the fields that changed with their previous values.
"""

from __future__ import annotations

from typing import Any

from core.platform import keys
from core.platform.errors import AlreadyExists
from core.platform.ids import new_id
from core.platform.store import Tx

COLLECTION = "events"

# Every event type the API emits: webhook endpoints subscribe to these names, and the
# OpenAPI document's `webhooks` section describes each (a test keeps the two equal).
EVENT_TYPES = frozenset(
    {
        "customer.created",
        "customer.updated",
        "bank_account.created",
        "bank_account.updated",
        "bank_account.clients_associated",
        "blockchain_wallet.created",
        "blockchain_wallet.updated",
        "blockchain_wallet.clients_associated",
        "webhook_endpoint.created",
        "webhook_endpoint.updated",
        "webhook_endpoint.deleted",
        "account.created",
        "account.updated",
        "account_number.created",
        "blockchain_address.created",
        "bank_information.created",
        "bank_information.updated",
        "organization.created",
        "organization.updated",
        "organization.deleted",
        "ledger.created",
        "ledger.updated",
        "ledger.deleted",
        "instrument.created",
        "instrument.updated",
        "instrument.deleted",
        "portfolio.created",
        "portfolio.updated",
        "portfolio.deleted",
        "product.created",
        "product.updated",
        "product.deleted",
        "ledger_account.created",
        "ledger_account.updated",
        "ledger_account.deleted",
        "transaction.created",
        "transaction.updated",
    }
)


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
    if event_type not in EVENT_TYPES:
        raise ValueError(f"{event_type} is not in outbox.EVENT_TYPES")
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
        # Listed from the table itself (core.events.events); GSI2 lists them by type.
        **keys.filter_attrs(tenant_id, COLLECTION, event_type, event_id),
    }
    tx.create(keys.entity_key(tenant_id, event_id), item, on_fail=AlreadyExists("Event id clash."))
    return event_id


def changes(before: dict[str, Any], after: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The previous values of the fields that differ (the event's `previousAttributes`)."""
    return {name: before.get(name) for name in fields if before.get(name) != after.get(name)}
