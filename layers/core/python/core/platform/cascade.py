"""The customer deactivation cascade: a registry that resources plug into.

Each dependent resource registers what a deactivation suspends and how activation
restores it. A suspended item carries the run that suspended it (`suspendedBy`) and the
status it had (`suspendedFrom`); activation restores only items that still carry that
run and the suspended status, so anything changed by hand in between stays as it is.
(A resource that changes an item's status by other means removes `suspendedBy`.)

The work is done in batches, one transaction each, every one conditioned on the
customer still running this cascade. A crash between batches leaves a resumable state:
the customer keeps `cascade.run`, and the next deactivate (a retry with the same
Idempotency-Key, or any later call) continues from where it stopped.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from core import plugins
from core.platform import keys
from core.platform.errors import StateConflict
from core.platform.store import Condition, Store, Tx

# Writes per transaction: DynamoDB allows 100 items; one is the customer's condition.
BATCH = 99


@dataclass(frozen=True)
class Dependent:
    """Items of one kind that a customer owns, found through GSI3 (`keys.owner_attrs`)."""

    kind: str  # the GSI3 sort-key prefix, e.g. "account"
    active: frozenset[str]  # statuses a deactivation suspends
    suspended: str  # the status it sets
    # Optional: more writes for each changed item, in the same transaction (a copy of the
    # status kept on a parent record, the item's own `.updated` event). Called with the
    # item as read, its new status and the time.
    mirror: Callable[[Tx, dict[str, Any], str, float], None] | None = None

    @property
    def batch(self) -> int:
        return BATCH // 2 if self.mirror else BATCH


REGISTRY: list[Dependent] = []


def register(dependent: Dependent) -> Dependent:
    if any(d.kind == dependent.kind for d in REGISTRY):
        raise ValueError(f"{dependent.kind} is already registered")
    REGISTRY.append(dependent)
    return dependent


def unregister(kind: str) -> None:
    REGISTRY[:] = [d for d in REGISTRY if d.kind != kind]


def _owned(
    store: Store, tenant_id: str, customer_id: str, dependent: Dependent, condition: Condition
) -> Iterator[list[dict[str, Any]]]:
    """The customer's items of one kind that `condition` selects, in batches; one pass
    over the index (items already handled by an earlier, interrupted run are filtered out)."""
    start = None
    pending: list[dict[str, Any]] = []
    while True:
        got, start = store.query_page(
            index=keys.GSI3,
            pk_name="GSI3PK",
            pk_value=keys.owner_pk(tenant_id, customer_id),
            limit=500,
            start_key=start,
            forward=True,
            sk_name="GSI3SK",
            sk_prefix=f"{dependent.kind}#",
            filter_=condition,
        )
        pending.extend(got)
        while len(pending) >= dependent.batch or (start is None and pending):
            yield pending[: dependent.batch]
            pending = pending[dependent.batch :]
        if start is None:
            return


def _suspend(tx: Tx, item: dict[str, Any], dependent: Dependent, run: str, now: float) -> None:
    tx.update(
        {"PK": item["PK"], "SK": item["SK"]},
        "SET #status = :suspended, suspendedBy = :run, suspendedFrom = :from, updatedAt = :now",
        names={"#status": "status"},
        values={":suspended": dependent.suspended, ":run": run, ":from": item["status"], ":now": int(now)},
        # Unchanged since it was read: otherwise the next batch reads it again.
        condition=Condition("#status = :from AND attribute_not_exists(suspendedBy)"),
        on_fail=StateConflict("An owned item changed during deactivation; retry."),
    )
    if dependent.mirror is not None:
        dependent.mirror(tx, item, dependent.suspended, now)


def _restore(tx: Tx, item: dict[str, Any], dependent: Dependent, run: str, now: float) -> None:
    tx.update(
        {"PK": item["PK"], "SK": item["SK"]},
        "SET #status = suspendedFrom, updatedAt = :now REMOVE suspendedBy, suspendedFrom",
        names={"#status": "status"},
        values={":suspended": dependent.suspended, ":run": run, ":now": int(now)},
        condition=Condition("#status = :suspended AND suspendedBy = :run"),
        on_fail=StateConflict("An owned item changed during activation; retry."),
    )
    if dependent.mirror is not None:
        dependent.mirror(tx, item, item["suspendedFrom"], now)


def run(
    store: Store,
    *,
    tenant_id: str,
    customer_id: str,
    run_id: str,
    action: str,
    now: float,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Suspend (action "deactivate") or restore ("activate") everything the customer owns,
    in batches. Returns how many items changed. `on_batch` is a test seam."""
    for module in plugins.CASCADE_DEPENDENTS:
        importlib.import_module(module)
    customer_key = keys.entity_key(tenant_id, customer_id)
    still_running = Condition(
        "#cascade.#run = :cascadeRun", {"#cascade": "cascade", "#run": "run"}, {":cascadeRun": run_id}
    )
    changed = 0
    for dependent in list(REGISTRY):
        if action == "deactivate":
            wanted = Condition(
                "#status IN (" + ", ".join(f":a{i}" for i in range(len(dependent.active))) + ")"
                " AND attribute_not_exists(suspendedBy)",
                {"#status": "status"},
                {f":a{i}": status for i, status in enumerate(sorted(dependent.active))},
            )
            change = _suspend
        else:
            wanted = Condition(
                "#status = :s AND suspendedBy = :r",
                {"#status": "status"},
                {":s": dependent.suspended, ":r": run_id},
            )
            change = _restore
        for batch in _owned(store, tenant_id, customer_id, dependent, wanted):
            tx = Tx()
            for item in batch:
                change(tx, item, dependent, run_id, now)
            tx.check(
                customer_key,
                still_running,
                on_fail=StateConflict("The customer's cascade was taken over by another request."),
            )
            store.transact(tx.writes)
            changed += len(batch)
            if on_batch is not None:
                on_batch(changed)
    return changed
