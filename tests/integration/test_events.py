"""GET /v1/events: the outbox, per tenant, filtered by type and time."""

from __future__ import annotations

import time
from typing import Any

from core.platform import clock
from tests.integration.test_customers import active_customer, create
from tests.support.harness import Partner, Reply, call


def events(partner: Partner, query: str = "") -> Reply:
    return call("events/list", "GET", "/v1/events", partner=partner, query=query)


def event(partner: Partner, event_id: str) -> Reply:
    return call(
        "events/get", "GET", f"/v1/events/{event_id}", partner=partner, path_params={"eventId": event_id}
    )


def test_events_carry_the_new_state_and_the_changed_fields(partner: Partner) -> None:
    customer = active_customer(partner)
    data = events(partner).json["data"]
    assert [e["type"] for e in data] == ["customer.updated", "customer.created"]
    updated, created = data
    assert created["data"]["object"]["status"] == "pending"
    assert "changedFields" not in created["data"]
    assert updated["data"]["object"]["status"] == "active"
    assert updated["data"]["changedFields"] == ["capabilities", "status"]
    assert updated["data"]["previousAttributes"] == {"status": "pending", "capabilities": []}
    assert updated["data"]["object"]["id"] == customer["id"]
    assert event(partner, updated["id"]).json == updated


def test_type_filter_and_pagination(partner: Partner) -> None:
    for i in range(3):
        create(partner, {"externalId": f"ev-{i}"})
    active_customer(partner)
    created = events(partner, "type=customer.created&limit=2").json
    assert len(created["data"]) == 2 and created["nextCursor"]
    rest = events(partner, f"type=customer.created&limit=2&cursor={created['nextCursor']}").json
    assert len(rest["data"]) == 2 and rest["nextCursor"] is None
    assert {e["type"] for e in created["data"] + rest["data"]} == {"customer.created"}
    assert [e["type"] for e in events(partner, "type=customer.updated").json["data"]] == ["customer.updated"]
    reply = events(partner, "type=Not%20A%20Type")
    assert (reply.status, reply.json["error"]["param"]) == (400, "type")


def test_created_after(partner: Partner) -> None:
    create(partner, {"externalId": "old"})
    later = time.time() + 5
    clock.set_source(lambda: later)
    create(partner, {"externalId": "new"}, now=later)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(later - 2))
    data = events(partner, f"createdAfter={stamp}").json["data"]
    assert [e["data"]["object"]["externalId"] for e in data] == ["new"]
    reply = events(partner, "createdAfter=yesterday")
    assert (reply.status, reply.json["error"]["param"]) == (400, "createdAfter")


def test_events_are_per_tenant(make_partner: Any) -> None:
    a, b = make_partner(), make_partner()
    create(a, {"externalId": "mine"})
    mine = events(a).json["data"][0]
    assert events(b).json["data"] == []
    assert (event(b, mine["id"]).status, event(b, mine["id"]).code) == (404, "resource_missing")


def test_all_events_page_from_the_table_itself(partner: Partner) -> None:
    """Unfiltered, events are read in the table's own key order (their ids are their sort
    keys), so an event item has no GSI1 entry: one write unit less on every change."""
    from core.platform import keys, pipeline

    for i in range(5):
        create(partner, {"externalId": f"page-{i}"})
    first = events(partner, "limit=2").json
    second = events(partner, f"limit=2&cursor={first['nextCursor']}").json
    third = events(partner, f"limit=2&cursor={second['nextCursor']}").json
    listed = first["data"] + second["data"] + third["data"]
    assert [e["data"]["object"]["externalId"] for e in listed] == [f"page-{i}" for i in range(4, -1, -1)]
    assert third["nextCursor"] is None and len(third["data"]) == 1
    store = pipeline.runtime()[1]
    item = store.get(keys.entity_key(partner.tenant_id, listed[0]["id"]))
    assert item is not None and "GSI1PK" not in item and item["GSI2PK"]


def test_customers_page_from_the_table_itself_too(partner: Partner) -> None:
    """Customers are listed like events, from the table's key order: no GSI1 entry."""
    from core.platform import keys, pipeline

    made = [create(partner, {"externalId": f"table-{i}"}).json["id"] for i in range(3)]
    first = call("customers/list", "GET", "/v1/customers", partner=partner, query="limit=2").json
    rest = call(
        "customers/list",
        "GET",
        "/v1/customers",
        partner=partner,
        query=f"limit=2&cursor={first['nextCursor']}",
    ).json
    assert [c["id"] for c in first["data"] + rest["data"]] == made[::-1] and rest["nextCursor"] is None
    item = pipeline.runtime()[1].get(keys.entity_key(partner.tenant_id, made[0]))
    assert item is not None and "GSI1PK" not in item
