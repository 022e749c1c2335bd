"""The deactivation cascade: more owned items than one transaction holds, exact restoration,
hand-made changes left alone, and a cascade interrupted halfway then resumed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from core.platform import cascade, keys
from core.platform.store import Store
from tests.integration.conftest import scan_all
from tests.integration.test_customers import action, active_customer, events_of, get
from tests.support.harness import Partner

KIND = "testitem"
DEPENDENT = cascade.Dependent(kind=KIND, active=frozenset({"active", "pending"}), suspended="suspended")


@pytest.fixture
def registered() -> Iterator[cascade.Dependent]:
    cascade.register(DEPENDENT)
    yield DEPENDENT
    cascade.unregister(KIND)


def own(store: Store, partner: Partner, customer_id: str, count: int, status: str = "active") -> list[str]:
    """Items the customer owns, as a later resource (accounts, bank details) would store them."""
    ids = []
    for i in range(count):
        item_id = f"ti_{uuid.uuid4().hex[:12]}_{i:04d}"
        store.put(
            keys.entity_key(partner.tenant_id, item_id),
            {
                "type": KIND,
                "id": item_id,
                "status": status,
                **keys.owner_attrs(partner.tenant_id, customer_id, KIND, item_id),
            },
        )
        ids.append(item_id)
    return ids


def statuses(store: Store, partner: Partner, ids: list[str]) -> dict[str, tuple[str, Any]]:
    out = {}
    for item_id in ids:
        item = store.get(keys.entity_key(partner.tenant_id, item_id), consistent=True) or {}
        out[item_id] = (item.get("status"), item.get("suspendedBy"))
    return out


@pytest.mark.slow
def test_deactivate_and_activate_restore_exactly_the_prior_state(
    store: Store, partner: Partner, registered: Any
) -> None:
    customer = active_customer(partner)
    active = own(store, partner, customer["id"], 110)  # more than one transaction holds (100 items)
    pending = own(store, partner, customer["id"], 5, status="pending")
    closed = own(store, partner, customer["id"], 3, status="closed")  # not suspendable
    before = statuses(store, partner, active + pending + closed)

    reply = action(partner, customer["id"], "deactivate")
    assert (reply.status, reply.json["status"]) == (200, "inactive")
    after = statuses(store, partner, active + pending)
    assert {status for status, _ in after.values()} == {"suspended"}
    assert len({run for _, run in after.values()}) == 1
    assert statuses(store, partner, closed) == {i: before[i] for i in closed}

    # Changed by hand while the customer was inactive: activation must not touch it.
    store.update(
        keys.entity_key(partner.tenant_id, active[0]),
        "SET #s = :closed REMOVE suspendedBy",
        names={"#s": "status"},
        values={":closed": "closed"},
    )

    reply = action(partner, customer["id"], "activate")
    assert (reply.status, reply.json["status"]) == (200, "active")
    restored = statuses(store, partner, active + pending + closed)
    assert restored[active[0]] == ("closed", None)
    for item_id in active[1:] + pending + closed:
        assert restored[item_id] == (before[item_id][0], None), item_id


@pytest.mark.slow
def test_a_cascade_interrupted_halfway_is_resumed_by_the_retry(
    aws: Any, store: Store, partner: Partner, registered: Any, monkeypatch: Any
) -> None:
    customer = active_customer(partner)
    items = own(store, partner, customer["id"], 120)
    original = Store.transact
    calls = {"n": 0}

    def crash_on_second_batch(self: Store, writes: Any, **kw: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the function died between two batches")
        original(self, writes, **kw)

    monkeypatch.setattr(Store, "transact", crash_on_second_batch)
    first = action(partner, customer["id"], "deactivate", idempotency_key="deact-1")
    assert first.status == 500
    halfway = statuses(store, partner, items)
    suspended = [i for i, (status, _) in halfway.items() if status == "suspended"]
    assert 0 < len(suspended) < len(items)  # the first batch committed, the rest did not
    assert get(partner, customer["id"]).json["status"] == "active"

    monkeypatch.setattr(Store, "transact", original)
    retry = action(partner, customer["id"], "deactivate", idempotency_key="deact-1")
    assert (retry.status, retry.json["status"]) == (200, "inactive")
    done = statuses(store, partner, items)
    assert {status for status, _ in done.values()} == {"suspended"}
    assert len({run for _, run in done.values()}) == 1  # one run, resumed, not restarted
    # Exactly one event for the deactivation; a replay of the key answers the same.
    assert events_of(aws, customer["id"]).count("customer.updated") == 2  # KYC approval + deactivation
    replay = action(partner, customer["id"], "deactivate", idempotency_key="deact-1")
    assert replay.text == retry.text and replay.headers["Idempotency-Replayed"] == "true"


def test_an_unfinished_deactivation_blocks_activation(
    store: Store, partner: Partner, registered: Any, monkeypatch: Any
) -> None:
    customer = active_customer(partner)
    own(store, partner, customer["id"], 105)
    original = Store.transact
    calls = {"n": 0}

    def crash(self: Store, writes: Any, **kw: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("died")
        original(self, writes, **kw)

    monkeypatch.setattr(Store, "transact", crash)
    assert action(partner, customer["id"], "deactivate").status == 500
    monkeypatch.setattr(Store, "transact", original)
    reply = action(partner, customer["id"], "activate")
    assert (reply.status, reply.code) == (409, "state_conflict")
    # Any later deactivate finishes the interrupted run.
    assert action(partner, customer["id"], "deactivate").json["status"] == "inactive"
    assert scan_all  # the table helper stays importable for the other tests
