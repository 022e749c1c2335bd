"""DynamoDB's transaction conflicts, in the emulator.

moto applies one request at a time (`localapi.dynamodb.serialise_emulator`), so two
transactions never overlap in it and DynamoDB's TransactionConflict never happens: the
retries that keep a hot account's requests from failing would go unexercised. With a
transaction time set (`LOCALAPI_TRANSACTION_MS` in the environment, or
`set_transaction_time`), a TransactWriteItems holds every item it names from the moment
moto takes it until that long after moto applied it (its answer waits as long), as a
DynamoDB transaction is in progress on its items meanwhile.
What names one of those items then fails as it does on DynamoDB: another transaction is
cancelled with `TransactionConflict` as the reason of that item (`None` for the others),
a single write (PutItem, UpdateItem, DeleteItem) answers TransactionConflictException.
Reads are not held up, as DynamoDB's non-transactional reads are not. Off (0) by
default; `counts()` says how many transactions ran and how many requests conflicted.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

ENV = "LOCALAPI_TRANSACTION_MS"
SINGLE_WRITES = {"PutItem": "Item", "UpdateItem": "Key", "DeleteItem": "Key"}
_ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"

_hold = [float(os.environ.get(ENV) or 0) / 1000]
_lock = threading.Lock()
_in_flight: set[tuple[str, str]] = set()
_counts: Counter[str] = Counter()


def set_transaction_time(milliseconds: float) -> None:
    """How long each transaction holds its items (0: no conflicts, moto as it is)."""
    _hold[0] = milliseconds / 1000


def transaction_time_ms() -> float:
    return _hold[0] * 1000


def counts() -> dict[str, int]:
    """`transactions` applied while the model was on, `conflicts` answered."""
    with _lock:
        return {"transactions": _counts["transactions"], "conflicts": _counts["conflicts"]}


@dataclass
class Claim:
    """What one request names while it is in progress: `refusal` is the conflict response
    to send instead of applying it, or None."""

    keys: list[tuple[str, str]]
    refusal: Any = None

    def release(self) -> None:
        """After the request was applied: a transaction holds its items for the
        transaction time (its commit, as DynamoDB's), then lets them go."""
        if not self.keys:
            return
        time.sleep(_hold[0])
        with _lock:
            _in_flight.difference_update(self.keys)


def claim(handler: Any) -> Claim:
    """Called as moto's DynamoDB handler takes the request (one at a time), so a
    transaction's window is its own time, not its wait for the emulator."""
    action = handler._get_action()
    if _hold[0] <= 0 or (action != "TransactWriteItems" and action not in SINGLE_WRITES):
        return Claim([])
    named = _named(handler, action)
    with _lock:
        busy = [key is not None and key in _in_flight for key in named]
        if any(busy):
            _counts["conflicts"] += 1
            return Claim([], _refusal(handler, action, busy))
        if action != "TransactWriteItems":
            return Claim([])
        _counts["transactions"] += 1
        held = [key for key in named if key is not None]
        _in_flight.update(held)
        return Claim(held)


def _named(handler: Any, action: str) -> list[tuple[str, str] | None]:
    """The items a request names, as (table, key); None where it cannot tell (moto then
    refuses the request itself)."""
    body = getattr(handler, "params", None) or json.loads(handler.body or "{}")
    if action != "TransactWriteItems":
        return [_key(handler, body, SINGLE_WRITES[action])]
    named: list[tuple[str, str] | None] = []
    for entry in body.get("TransactItems") or []:
        try:
            ((operation, request),) = entry.items()
        except (AttributeError, ValueError):
            named.append(None)
            continue
        named.append(_key(handler, request, "Item" if operation == "Put" else "Key"))
    return named


def _key(handler: Any, request: Any, field: str) -> tuple[str, str] | None:
    try:
        table = handler.dynamodb_backend.get_table(request["TableName"])
        attributes = request[field]
        names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
        return table.name, json.dumps([attributes[name] for name in names], sort_keys=True)
    except Exception:  # an unknown table or a malformed key: moto answers it
        return None


def _refusal(handler: Any, action: str, busy: list[bool]) -> Any:
    from moto.core.exceptions import JsonRESTError
    from moto.dynamodb.exceptions import TransactionCanceledException

    error: JsonRESTError
    if action == "TransactWriteItems":
        error = TransactionCanceledException(
            [
                ("TransactionConflict", "Transaction is ongoing for the item", None)
                if b
                else (None, None, None)
                for b in busy
            ]
        )
    else:
        error = JsonRESTError(
            _ERROR_PREFIX + "TransactionConflictException", "Transaction is ongoing for the item"
        )
    response = error.description, {**dict(error.get_headers() or []), "status": error.code}
    status, headers, body = handler._transform_response(handler.response_headers, response)
    headers, body = handler._enrich_response(headers, body)
    return status, headers, body
