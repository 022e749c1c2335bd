"""DynamoDB access: reads, paged queries and transactions that can never write twice.

Items are plain dicts here; attribute values are mapped below. A failed
condition becomes a domain error in this module and nowhere else: each write names the
error it stands for (`on_fail`).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import botocore.session
from aws_lambda_powertools.shared.dynamodb_deserializer import TypeDeserializer
from botocore.config import Config
from botocore.exceptions import ClientError

from core.platform import keys
from core.platform.errors import ApiError, Contended, InternalError

_deser = TypeDeserializer()

# Throttling and 5xx are retried by botocore's standard mode (same request, same
# ClientRequestToken, so a transaction retried after an ambiguous failure is applied once).
_BOTO_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=2, read_timeout=5)
TRANSACTION_CONFLICT_RETRIES = 4

OnFail = ApiError | Callable[[dict[str, Any] | None], ApiError | None] | None


# Why not boto3: `import boto3` also loads boto3.session and s3transfer, which cost
# ~80-100 ms of every cold start on top of botocore (measured with `make bench` and
# `python -X importtime`). The store needs one DynamoDB client and the attribute-value
# mapping, so it builds the client from botocore, reads with Powertools' TypeDeserializer
# and writes with the few lines below (the item shapes this API stores).
def _attr(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | Decimal):
        return {"N": str(value)}
    if isinstance(value, float):
        return {"N": str(Decimal(str(value)))}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, Mapping):  # nested nulls are kept: a stored document reads back whole
        return {"M": {k: _attr(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [_attr(v) for v in value]}
    if value is None:
        return {"NULL": True}
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB")


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _attr(v) for k, v in item.items() if v is not None}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _plain_out(_deser.deserialize(v)) for k, v in item.items()}


def _plain_out(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain_out(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_out(v) for v in value]
    if isinstance(value, set):
        return sorted(_plain_out(v) for v in value)
    return value


@dataclass
class Condition:
    expression: str
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def __and__(self, other: Condition) -> Condition:
        return Condition(
            f"({self.expression}) AND ({other.expression})",
            {**self.names, **other.names},
            {**self.values, **other.values},
        )


@dataclass
class Write:
    """One item of a transaction: Put, Update, Delete or ConditionCheck."""

    kind: str
    key: dict[str, str]
    item: dict[str, Any] | None = None
    update: str | None = None
    update_names: dict[str, str] = field(default_factory=dict)
    update_values: dict[str, Any] = field(default_factory=dict)
    condition: Condition | None = None
    on_fail: OnFail = None

    def request(self, table: str) -> dict[str, Any]:
        body: dict[str, Any] = {"TableName": table}
        names = dict(self.update_names)
        values = dict(self.update_values)
        if self.kind == "Put":
            assert self.item is not None
            body["Item"] = serialize({**self.item, **self.key})
        else:
            body["Key"] = serialize(self.key)
        if self.kind == "Update":
            body["UpdateExpression"] = self.update
        if self.condition is not None:
            body["ConditionExpression"] = self.condition.expression
            names.update(self.condition.names)
            values.update(self.condition.values)
            body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        if names:
            body["ExpressionAttributeNames"] = names
        if values:
            body["ExpressionAttributeValues"] = serialize(values)
        return {self.kind: body}

    def failure(self, old_item: dict[str, Any] | None) -> ApiError:
        return _resolve(self.on_fail, old_item) or InternalError("A write condition failed unexpectedly.")


@dataclass
class Tx:
    """The writes one request makes; committed as a single DynamoDB transaction."""

    writes: list[Write] = field(default_factory=list)

    def put(
        self,
        key: dict[str, str],
        item: dict[str, Any],
        *,
        condition: Condition | None = None,
        on_fail: OnFail = None,
    ) -> None:
        self.writes.append(Write("Put", key, item=item, condition=condition, on_fail=on_fail))

    def create(self, key: dict[str, str], item: dict[str, Any], *, on_fail: OnFail) -> None:
        """A put that must not overwrite: guards and new entities."""
        self.put(key, item, condition=Condition("attribute_not_exists(PK)"), on_fail=on_fail)

    def update(
        self,
        key: dict[str, str],
        expression: str,
        *,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        condition: Condition | None = None,
        on_fail: OnFail = None,
    ) -> None:
        self.writes.append(
            Write(
                "Update",
                key,
                update=expression,
                update_names=names or {},
                update_values=values or {},
                condition=condition,
                on_fail=on_fail,
            )
        )

    def delete(
        self, key: dict[str, str], *, condition: Condition | None = None, on_fail: OnFail = None
    ) -> None:
        self.writes.append(Write("Delete", key, condition=condition, on_fail=on_fail))

    def check(self, key: dict[str, str], condition: Condition, *, on_fail: OnFail) -> None:
        """Add a condition on an item: folded into the write on that item if there is one
        (a transaction may touch an item only once), else a ConditionCheck. When folded,
        `on_fail` should be a callable that returns None if its own part still held."""
        for write in self.writes:
            if write.key == key:
                write.condition = condition if write.condition is None else write.condition & condition
                write.on_fail = _either(on_fail, write.on_fail)
                return
        self.writes.append(Write("ConditionCheck", key, condition=condition, on_fail=on_fail))


def _either(first: OnFail, then: OnFail) -> OnFail:
    def combined(old: dict[str, Any] | None) -> ApiError:
        return (
            _resolve(first, old)
            or _resolve(then, old)
            or InternalError("A write condition failed unexpectedly.")
        )

    return combined


def _resolve(on_fail: OnFail, old: dict[str, Any] | None) -> ApiError | None:
    if on_fail is None or isinstance(on_fail, ApiError):
        return on_fail
    return on_fail(old)


class Store:
    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table = table_name
        # Typed as Any: items cross this boundary as plain dicts, serialised here.
        self.client: Any = client or botocore.session.get_session().create_client(
            "dynamodb", config=_BOTO_CONFIG
        )

    def get(self, key: dict[str, str], *, consistent: bool = False) -> dict[str, Any] | None:
        out = self.client.get_item(TableName=self.table, Key=serialize(key), ConsistentRead=consistent)
        item = out.get("Item")
        return deserialize(item) if item else None

    def query_page(
        self,
        *,
        index: str | None,
        pk_name: str,
        pk_value: str,
        limit: int,
        start_key: dict[str, Any] | None = None,
        forward: bool = False,
        sk_name: str | None = None,
        sk_after: str | None = None,
        sk_prefix: str | None = None,
        sk_between: tuple[str, str] | None = None,
        filter_: Condition | None = None,
        consistent: bool = False,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One Query call. `sk_after` / `sk_prefix` / `sk_between` (inclusive) narrow the sort
        key; `filter_` is applied after `limit` items were read (DynamoDB's rule), so a page may hold fewer.
        `consistent` only on the table itself (DynamoDB has no consistent index reads)."""
        names = {"#pk": pk_name}
        values: dict[str, Any] = {":pk": pk_value}
        condition = "#pk = :pk"
        if sk_name and sk_after is not None:
            condition += " AND #sk > :skAfter"
            names["#sk"] = sk_name
            values[":skAfter"] = sk_after
        elif sk_name and sk_prefix is not None:
            condition += " AND begins_with(#sk, :skPrefix)"
            names["#sk"] = sk_name
            values[":skPrefix"] = sk_prefix
        elif sk_name and sk_between is not None:
            condition += " AND #sk BETWEEN :skLow AND :skHigh"
            names["#sk"] = sk_name
            values[":skLow"], values[":skHigh"] = sk_between
        params: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": condition,
            "Limit": limit,
            "ScanIndexForward": forward,
        }
        if consistent:
            params["ConsistentRead"] = True
        if filter_ is not None:
            params["FilterExpression"] = filter_.expression
            names.update(filter_.names)
            values.update(filter_.values)
        params["ExpressionAttributeNames"] = names
        params["ExpressionAttributeValues"] = serialize(values)
        if index:
            params["IndexName"] = index
        if start_key:
            params["ExclusiveStartKey"] = serialize(start_key)
        out = self.client.query(**params)
        last = out.get("LastEvaluatedKey")
        return [deserialize(i) for i in out.get("Items", [])], (deserialize(last) if last else None)

    def collection(
        self, tenant_id: str, entity_id: str, *, limit: int, consistent: bool = False
    ) -> list[dict[str, Any]]:
        """An entity's item and its children (`keys.child_key`), whose keys start with its
        id: one Query, in key order (the entity first)."""
        items, _ = self.query_page(
            index=None,
            pk_name="PK",
            pk_value=keys.tenant_pk(tenant_id),
            sk_name="SK",
            sk_prefix=entity_id,
            limit=limit,
            forward=True,
            consistent=consistent,
        )
        return items

    def batch_get(
        self, item_keys: list[dict[str, str]], *, consistent: bool = False
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """Up to 100 items in one call (unprocessed keys are asked again), by (PK, SK)."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        pending = [serialize(k) for k in {(k["PK"], k["SK"]): k for k in item_keys}.values()]
        while pending:
            out = self.client.batch_get_item(
                RequestItems={self.table: {"Keys": pending[:100], "ConsistentRead": consistent}}
            )
            for raw in out.get("Responses", {}).get(self.table, []):
                item = deserialize(raw)
                found[(item["PK"], item["SK"])] = item
            unprocessed = out.get("UnprocessedKeys", {}).get(self.table, {}).get("Keys", [])
            pending = unprocessed + pending[100:]
            if unprocessed:
                _backoff(0)
        return found

    # Single writes outside a transaction: built by Tx's own builders, so a write has one shape.
    def put(self, key: dict[str, str], item: dict[str, Any], **options: Any) -> None:
        tx = Tx()
        tx.put(key, item, **options)
        self._single(tx.writes[0])

    def update(self, key: dict[str, str], expression: str, **options: Any) -> None:
        tx = Tx()
        tx.update(key, expression, **options)
        self._single(tx.writes[0])

    def delete(self, key: dict[str, str], **options: Any) -> None:
        tx = Tx()
        tx.delete(key, **options)
        self._single(tx.writes[0])

    def _single(self, write: Write) -> None:
        ((kind, request),) = write.request(self.table).items()
        call = {
            "Put": self.client.put_item,
            "Update": self.client.update_item,
            "Delete": self.client.delete_item,
        }[kind]

        def settle(exc: ClientError) -> bool:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                old: Any = exc.response.get("Item")
                raise write.failure(deserialize(old) if old else None) from None
            return False

        _retrying_conflicts(lambda: call(**request), settle)

    def transact(self, writes: list[Write], *, token: str | None = None) -> None:
        """Commit `writes` atomically. Transaction conflicts are retried with the same
        ClientRequestToken, so a commit whose first answer was lost is not applied twice."""
        if not writes:
            return
        if len(writes) == 1 and writes[0].kind != "ConditionCheck":
            self._single(writes[0])
            return
        items = [w.request(self.table) for w in writes]
        token = token or str(uuid.uuid4())

        def settle(exc: ClientError) -> bool:
            if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                return False
            reasons = exc.response.get("CancellationReasons") or []
            for write, reason in zip(writes, reasons, strict=False):
                if reason.get("Code") == "ConditionalCheckFailed":
                    old = reason.get("Item")
                    raise write.failure(deserialize(old) if old else None) from None
            # Cancelled by another transaction on one of the items, or throttled: retry.
            return any(r.get("Code") in ("TransactionConflict", "ThrottlingError") for r in reasons)

        try:
            _retrying_conflicts(
                lambda: self.client.transact_write_items(TransactItems=items, ClientRequestToken=token),
                settle,
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                # Still cancelled by other transactions (a hot item) after every retry:
                # nothing was written, so the request runs again from its reads.
                raise Contended("The transaction kept conflicting with others.") from exc
            raise


def _retrying_conflicts(send: Callable[[], Any], settle: Callable[[ClientError], bool]) -> None:
    """Call `send` until it succeeds, at most TRANSACTION_CONFLICT_RETRIES + 1 times.

    A TransactionConflictException (an item is in a transaction in progress, e.g. a
    concurrent request's commit under the same Idempotency-Key: once it ends, the write
    decides) is retried after a backoff. Any other error goes to `settle`, which raises
    the domain failure it stands for, or says whether it is worth another attempt; what
    it does not take is raised as is, as is the last attempt's error.
    """
    for attempt in range(TRANSACTION_CONFLICT_RETRIES + 1):
        try:
            send()
            return
        except ClientError as exc:
            conflict = exc.response.get("Error", {}).get("Code") == "TransactionConflictException"
            if (conflict or settle(exc)) and attempt < TRANSACTION_CONFLICT_RETRIES:
                _backoff(attempt)
                continue
            raise


def _backoff(attempt: int) -> None:
    time.sleep(min(0.5, 0.02 * 2**attempt) * (0.5 + random.random() / 2))
