"""DynamoDB read and write request units of each call a handler makes, computed from the
sizes of the items the call touched, by DynamoDB's published rules.

moto (5.2.5) cannot be asked: its ConsumedCapacity is a constant (0.5 for a read, 1.0 for
a write, nothing for TransactWriteItems) whatever the items' sizes. So a `CapacityMeter`
hooks the store's own botocore client: before a write it reads the items the write will
touch, after it reads them again, through a second client whose calls are not counted;
for a read it sizes what the read evaluated. The rules, from the DynamoDB Developer Guide:

- Item size (CapacityUnitCalculations.html): attribute names' UTF-8 bytes plus values:
  a string its UTF-8 bytes, a number 1 byte per two significant digits + 1, a binary its
  raw bytes, a boolean or null 1 byte, a list or map 3 bytes + 1 byte per element + its
  elements (a map's with their names), a set its elements.
- Reads (read-write-operations.html): 4 KB units, rounded up per item for GetItem and
  BatchGetItem (each key, found or not), over the summed size of every item evaluated
  (before any filter) for Query; eventually consistent reads take half, strongly
  consistent one, transactional two. A read of nothing still takes one unit's worth.
- Writes (same page): 1 KB units of the larger of the item before and after (PutItem,
  UpdateItem), of the deleted item (DeleteItem); a write whose condition fails still
  consumes them. Transactional writes take two units per 1 KB of each item
  (transaction-apis.html, "Capacity management for transactions"), a ConditionCheck too:
  billed as a transactional write, as measured against DynamoDB itself in
  paritysuite/dynamodb-conformance#67.
- Global secondary indexes (GSI.html, "Provisioned throughput considerations"): a write
  costs each GSI whose view of the item it changes 1 KB units of the index entry (the
  projected attributes): one write to put an item into the index, one to remove it, one
  to update it in place, two when it changes the index key (a delete and a put), none
  when the item is in the index neither before nor after or its entry is unchanged.
  Index writes are propagated after the transaction commits and are counted at the
  standard rate, not doubled (the Guide does not say otherwise; an assumption).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")


# -- item sizes --------------------------------------------------------------------------


def _number_size(text: str) -> int:
    mantissa = text.lstrip("+-").lower().partition("e")[0]
    digits = mantissa.replace(".", "").lstrip("0").rstrip("0")
    return math.ceil(len(digits) / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one AttributeValue (low-level form: {"S": ...}, {"M": {...}}, ...)."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(str(inner).encode())
    if kind == "N":
        return _number_size(str(inner))
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(str(s).encode()) for s in inner)
    if kind == "NS":
        return sum(_number_size(str(n)) for n in inner)
    if kind == "BS":
        return sum(len(b) for b in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in inner.items())
    raise ValueError(f"unknown attribute type {kind!r}")


def item_size(item: Mapping[str, Any] | None) -> int:
    """Bytes of an item in low-level form (0 for no item)."""
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


def read_units(size: int, *, consistent: bool = False, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    return units * (2.0 if transactional else 1.0 if consistent else 0.5)


def write_units(size: int, *, transactional: bool = False) -> float:
    units = max(1, math.ceil(size / WRITE_UNIT_BYTES))
    return units * (2.0 if transactional else 1.0)


# -- the table's shape -----------------------------------------------------------------


@dataclass(frozen=True)
class Index:
    """A global secondary index: its key attributes and what it projects."""

    name: str
    keys: tuple[str, ...]
    projection: str  # ALL | KEYS_ONLY | INCLUDE
    include: tuple[str, ...] = ()

    def entry(self, item: Mapping[str, Any] | None, table_keys: tuple[str, ...]) -> dict[str, Any] | None:
        """The index's entry for `item`, or None when the item is not in the index."""
        if not item or any(key not in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return dict(item)
        kept = {*table_keys, *self.keys, *(self.include if self.projection == "INCLUDE" else ())}
        return {name: value for name, value in item.items() if name in kept}


@dataclass(frozen=True)
class TableShape:
    keys: tuple[str, ...]
    indexes: tuple[Index, ...]

    @classmethod
    def of(cls, definition: Mapping[str, Any]) -> TableShape:
        """From CreateTable's arguments (localapi.template.table_definition)."""
        indexes = tuple(
            Index(
                gsi["IndexName"],
                tuple(k["AttributeName"] for k in gsi["KeySchema"]),
                gsi.get("Projection", {}).get("ProjectionType", "ALL"),
                tuple(gsi.get("Projection", {}).get("NonKeyAttributes", ())),
            )
            for gsi in definition.get("GlobalSecondaryIndexes", [])
        )
        return cls(tuple(k["AttributeName"] for k in definition["KeySchema"]), indexes)

    def key_of(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {name: item[name] for name in self.keys}

    def index(self, name: str | None) -> Index | None:
        return next((i for i in self.indexes if i.name == name), None)


def index_write_units(
    shape: TableShape, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> float:
    """Write units the GSIs take when an item goes from `old` to `new` (None: absent)."""
    total = 0.0
    for index in shape.indexes:
        before, after = index.entry(old, shape.keys), index.entry(new, shape.keys)
        if before == after or (before is None and after is None):
            continue
        if before is None or after is None:
            total += write_units(item_size(before or after))
        elif any(before[key] != after[key] for key in index.keys):
            total += write_units(item_size(before)) + write_units(item_size(after))
        else:
            total += write_units(max(item_size(before), item_size(after)))
    return total


# -- the meter -------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One item a write touched: a Put, Update, Delete or ConditionCheck (alone or in a
    transaction), with the item's `type` attribute and size, and its units."""

    kind: str  # Put | Update | Delete | ConditionCheck
    item_type: str  # the item's `type` attribute ("" when it has none)
    size: int  # bytes of the larger image (the checked item's, for a ConditionCheck)
    write_units: float  # the table's, as made (doubled in a transaction)
    index_write_units: float
    transactional: bool


@dataclass(frozen=True)
class Call:
    """One DynamoDB call and the request units it consumed."""

    operation: str
    read_units: float = 0.0
    write_units: float = 0.0  # the table's
    index_write_units: float = 0.0  # the GSIs'
    failed: bool = False  # a failed condition (or a cancelled transaction): still billed
    emulator_ms: float = 0.0  # time inside the emulator (moto), not the handler's own
    actions: tuple[Action, ...] = ()  # a write's items
    read_type: str = ""  # a GetItem's item `type`
    consistent: bool = False  # a strongly consistent read

    @property
    def total_write_units(self) -> float:
        return self.write_units + self.index_write_units


@dataclass
class _Pending:
    operation: str
    params: dict[str, Any]
    before: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # by key repr
    sent_at: float = 0.0
    answered_at: float = 0.0


class CapacityMeter:
    """Units of every call made through `client` (a botocore DynamoDB client), computed
    from item images read through `side` (another client on the same endpoint, whose calls
    are neither hooked nor counted). One call at a time (single-threaded use). The time
    spent in the meter itself is kept in `overhead_ms`, so callers can take it out."""

    def __init__(self, client: Any, side: Any, shape: TableShape) -> None:
        self.client, self.side, self.shape = client, side, shape
        self.calls: list[Call] = []
        self.overhead_ms = 0.0
        self._pending: _Pending | None = None
        events = client.meta.events
        events.register("before-parameter-build.dynamodb", self._before)
        events.register_first("before-send.dynamodb", self._sent)
        events.register_first("needs-retry.dynamodb", self._answered)
        events.register("after-call.dynamodb", self._after)

    def take(self) -> tuple[list[Call], float]:
        """The calls since the last take, and the meter's own time meanwhile (ms)."""
        calls, overhead = self.calls, self.overhead_ms
        self.calls, self.overhead_ms = [], 0.0
        return calls, overhead

    # -- hooks ---------------------------------------------------------------------

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        started = time.perf_counter()
        pending = _Pending(model.name, copy.deepcopy(params))
        if model.name in WRITES:
            for table, key in self._written(pending):
                pending.before[repr(key)] = self._get(table, key)
        self._pending = pending
        self.overhead_ms += (time.perf_counter() - started) * 1000

    def _sent(self, **_: Any) -> None:
        if self._pending is not None:
            self._pending.sent_at = time.perf_counter()

    def _answered(self, **_: Any) -> None:  # must return None: anything else means "retry"
        if self._pending is not None and not self._pending.answered_at:
            self._pending.answered_at = time.perf_counter()

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        started = time.perf_counter()
        pending, self._pending = self._pending, None
        if pending is not None and pending.operation == model.name:
            emulator_ms = max(0.0, pending.answered_at - pending.sent_at) * 1000
            failed = http_response.status_code >= 400
            call = self._units(pending, parsed, failed)
            self.calls.append(dataclasses.replace(call, failed=failed, emulator_ms=emulator_ms))
        self.overhead_ms += (time.perf_counter() - started) * 1000

    # -- units -------------------------------------------------------------------------

    def _units(self, pending: _Pending, parsed: dict[str, Any], failed: bool) -> Call:
        op, params = pending.operation, pending.params
        if op == "GetItem":
            item = parsed.get("Item")
            if "ProjectionExpression" in params or "AttributesToGet" in params:
                item = self._get(params["TableName"], params["Key"])
            consistent = bool(params.get("ConsistentRead"))
            return Call(
                op,
                read_units=read_units(item_size(item), consistent=consistent),
                read_type=str(((item or {}).get("type") or {}).get("S", "")),
                consistent=consistent,
            )
        if op == "BatchGetItem":
            return Call(op, read_units=self._batch_get_units(params, parsed))
        if op in ("Query", "Scan"):
            return Call(op, read_units=self._query_units(params, parsed))
        if op == "TransactGetItems":
            units = sum(
                read_units(
                    item_size(self._get(get["Get"]["TableName"], get["Get"]["Key"])), transactional=True
                )
                for get in params["TransactItems"]
            )
            return Call(op, read_units=units)
        if op in WRITES:
            return self._write_units(pending, failed)
        return Call(op)

    def _write_units(self, pending: _Pending, failed: bool) -> Call:
        op, params = pending.operation, pending.params
        if op == "TransactWriteItems":
            actions = [(kind, body) for action in params["TransactItems"] for kind, body in action.items()]
            transactional = True
        else:
            kind = {"PutItem": "Put", "UpdateItem": "Update", "DeleteItem": "Delete"}[op]
            actions, transactional = [(kind, params)], False
        done: list[Action] = []
        for kind, body in actions:
            key = self._action_key(kind, body)
            old = pending.before.get(repr(key))
            new = old if failed else self._get(body["TableName"], key)
            if kind == "ConditionCheck":
                size, index = item_size(old), 0.0
                units = write_units(size, transactional=True)
            else:
                if kind == "Put" and failed:
                    size = max(item_size(old), item_size(body["Item"]))  # the write it would have made
                else:
                    size = max(item_size(old), item_size(new))
                units = write_units(size, transactional=transactional)
                index = index_write_units(self.shape, old, new)
            item_type = str(((new or old or body.get("Item") or {}).get("type") or {}).get("S", ""))
            done.append(Action(kind, item_type, size, units, index, transactional))
        return Call(
            op,
            write_units=sum(a.write_units for a in done),
            index_write_units=sum(a.index_write_units for a in done),
            actions=tuple(done),
        )

    def _batch_get_units(self, params: dict[str, Any], parsed: dict[str, Any]) -> float:
        units = 0.0
        for table, request in params["RequestItems"].items():
            found = {
                repr(self.shape.key_of(item)): item for item in parsed.get("Responses", {}).get(table, [])
            }
            unprocessed = {
                repr(key) for key in parsed.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
            }
            for key in request["Keys"]:
                if repr(key) not in unprocessed:
                    size = item_size(found.get(repr(key)))
                    units += read_units(size, consistent=bool(request.get("ConsistentRead")))
        return units

    def _query_units(self, params: dict[str, Any], parsed: dict[str, Any]) -> float:
        """Every item the query evaluated, before its filter, as the index holds it."""
        items = parsed.get("Items", [])
        if any(name in params for name in ("FilterExpression", "ProjectionExpression", "Select")):
            again = {
                k: v
                for k, v in params.items()
                if k not in ("FilterExpression", "ProjectionExpression", "Select")
            }
            names = again.get("ExpressionAttributeNames") or {}
            values = again.get("ExpressionAttributeValues") or {}
            condition = str(again.get("KeyConditionExpression", ""))
            again["ExpressionAttributeNames"] = {k: v for k, v in names.items() if k in condition} or None
            again["ExpressionAttributeValues"] = {k: v for k, v in values.items() if k in condition} or None
            items = self.side.query(**{k: v for k, v in again.items() if v is not None}).get("Items", [])
        index = self.shape.index(params.get("IndexName"))
        entries = [index.entry(item, self.shape.keys) if index else item for item in items]
        total = sum(item_size(entry) for entry in entries)
        return read_units(total, consistent=bool(params.get("ConsistentRead")))

    # -- keys and images -------------------------------------------------------------------

    def _action_key(self, kind: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self.shape.key_of(body["Item"]) if kind == "Put" else dict(body["Key"])

    def _written(self, pending: _Pending) -> list[tuple[str, dict[str, Any]]]:
        """(table, key) of every item the write names."""
        params = pending.params
        if pending.operation == "TransactWriteItems":
            actions = [(k, b) for action in params["TransactItems"] for k, b in action.items()]
        else:
            actions = [
                (
                    {"PutItem": "Put", "UpdateItem": "Update", "DeleteItem": "Delete"}[pending.operation],
                    params,
                )
            ]
        return [(body["TableName"], self._action_key(kind, body)) for kind, body in actions]

    def _get(self, table: str | None, key: Mapping[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.side.get_item(
            TableName=table, Key=dict(key), ConsistentRead=True
        ).get("Item")
        return item
