"""Lambda SnapStart (template.yaml's `SnapStart` parameter): the runtime hooks.

With SnapStart, Lambda runs a function's init when a version is published, snapshots the
execution environment, and starts later environments by restoring copies of that
snapshot. So:

- what a first request would pay (lazy imports, building request models, the DynamoDB
  client, botocore's first call of each operation, the first lookups in a code list)
  is done before the snapshot, by `warm` hooks each module registers beside the lazy
  thing it warms (an init without SnapStart keeps all of it lazy: cold starts stay
  short, `bench --only cold`);
- what must differ between environments restored from one snapshot is renewed after
  each restore (`_renew`): `random`'s state (write-guard choice, retry jitter) and
  uuid6's last UUIDv7 timestamp. Ids, tokens and nonces come from `os.urandom` /
  `secrets`, which the kernel reseeds on restore; no token, lease or time is cached at
  init (the API key cache is empty until a first request and is cleared anyway).

Hooks are registered with snapshot-restore-py (part of Lambda's Python runtimes, not of
the layer) only when Lambda says the init is a SnapStart one
(`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`); otherwise `warm` and `renew` only return
their function and nothing is imported. Lambda runs before-snapshot hooks in the reverse
order of registration and after-restore hooks in order; `core/__init__.py` registers the
end of init (the collector's freeze) first, so it runs after every warm hook.
`tests/integration/test_snapstart_fork.py` snapshots as Lambda does, by forking.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any

INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAP_START = "snap-start"


def enabled() -> bool:
    return os.environ.get(INITIALIZATION_TYPE) == SNAP_START


def warm[F: Callable[[], Any]](fn: F) -> F:
    """Run `fn` before the snapshot (SnapStart only): work a first request would pay."""
    if enabled():
        from snapshot_restore_py import register_before_snapshot

        register_before_snapshot(fn)
    return fn


def renew[F: Callable[[], Any]](fn: F) -> F:
    """Run `fn` after each restore (SnapStart only): state that must be per environment."""
    if enabled():
        from snapshot_restore_py import register_after_restore

        register_after_restore(fn)
    return fn


@renew
def _renew() -> None:
    random.seed()  # from os.urandom, as at interpreter start
    import sys

    uuid6 = sys.modules.get("uuid6")
    if uuid6 is not None:  # its monotonic counter: the snapshot's last timestamp is not ours
        uuid6._last_v7_timestamp = None  # type: ignore[attr-defined]
    from core.platform import auth

    auth.CACHE._items.clear()


# The DynamoDB operations the store makes. botocore builds each one's shapes lazily, and
# a recursive shape (AttributeValue holds maps and lists of AttributeValue) anew at each
# depth the first request's items reach: ~2-6 ms of a first call, paid here instead.
STORE_OPERATIONS = (
    "GetItem",
    "BatchGetItem",
    "Query",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "TransactWriteItems",
)
_JSON_HEADERS: Any = {"content-type": "application/x-amz-json-1.0"}  # what AWSResponse takes
SHAPE_DEPTH = 12  # deeper than any item the API stores (maps in lists in maps, ...)


def warm_client(client: Any, table: str) -> None:
    """Resolve the store operations' shapes, then call each through `client` answered by
    a stub before anything is sent: serialisation, the endpoint, the signature and the
    parser all run, the network never (no connection is made before the snapshot, so
    none goes stale after a restore)."""
    from botocore import xform_name
    from botocore.awsrequest import AWSResponse

    model = client.meta.service_model
    for operation in STORE_OPERATIONS:
        operation_model = model.operation_model(operation)
        _walk(operation_model.input_shape, SHAPE_DEPTH)
        _walk(operation_model.output_shape, SHAPE_DEPTH)

    class _Raw:
        def stream(self, **_: Any) -> Any:
            yield b"{}"

    def answer(**_: Any) -> AWSResponse:
        return AWSResponse(
            "https://dynamodb.invalid/",
            200,
            _JSON_HEADERS,
            _Raw(),
        )

    key = {"PK": {"S": "warm"}, "SK": {"S": "warm"}}
    values = {
        ":v": {"M": {"s": {"S": "warm"}, "n": {"N": "1"}, "l": {"L": [{"BOOL": True}, {"NULL": True}]}}}
    }
    arguments: dict[str, dict[str, Any]] = {
        "GetItem": {"TableName": table, "Key": key},
        "BatchGetItem": {"RequestItems": {table: {"Keys": [key]}}},
        "Query": {
            "TableName": table,
            "KeyConditionExpression": "PK = :v",
            "ExpressionAttributeValues": values,
        },
        "PutItem": {"TableName": table, "Item": {**key, "v": values[":v"]}},
        "UpdateItem": {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": values,
        },
        "DeleteItem": {"TableName": table, "Key": key},
        "TransactWriteItems": {
            "TransactItems": [
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": key,
                        "ConditionExpression": "v = :v",
                        "ExpressionAttributeValues": values,
                    }
                }
            ]
        },
    }
    events = client.meta.events
    events.register_first("before-send.dynamodb", answer, unique_id="snapstart-warm")
    try:
        for operation in STORE_OPERATIONS:
            getattr(client, xform_name(operation))(**arguments[operation])
    finally:
        events.unregister("before-send.dynamodb", unique_id="snapstart-warm")


def _walk(shape: Any, depth: int) -> None:
    """Resolve the member shapes under `shape`, `depth` levels down, on every path: what
    a first call's parameters and answer would make botocore resolve."""
    if shape is None or depth == 0:
        return
    shape.serialization, shape.metadata  # noqa: B018  (cached on first read)
    for attribute in ("members", "member", "key", "value"):
        found = getattr(shape, attribute, None)
        for member in found.values() if isinstance(found, dict) else [found] if found is not None else []:
            _walk(member, depth - 1)


def preload(*modules: str) -> None:
    """Import `modules` before the snapshot (SnapStart only): a module's lazy imports."""
    if enabled():
        import importlib

        warm(lambda: [importlib.import_module(name) for name in modules])
