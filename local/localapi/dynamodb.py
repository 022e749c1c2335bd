"""A DynamoDB-compatible endpoint on loopback: moto's server, in this process.

Real tools work against it: boto3 or the AWS CLI with `--endpoint-url <endpoint_url>`
(any credentials, region us-east-1). Its data lives in memory and ends with the process,
unless a snapshot file keeps it (`localapi.snapshot`, what `make run` uses).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from localapi.template import Template, table_definition, time_to_live

LOOPBACK = "127.0.0.1"
REGION = "us-east-1"
# moto accepts any credentials; these only keep boto3 from looking for real ones.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


_EMULATOR_LOCK = threading.RLock()
_RECORDER_LOCK = threading.Lock()
# Requests that may change items, counted as they are applied (a snapshot saves only
# after a change).
WRITE_ACTIONS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "ExecuteStatement"}
)
_writes = [0]


def writes_applied() -> int:
    """How many write requests the emulator has answered in this process."""
    return _writes[0]


def serialise_emulator() -> None:
    """Make moto's DynamoDB handle one request at a time.

    moto's in-memory tables are not thread-safe (a transaction deep-copies a table while
    another thread writes it, and fails with "dictionary changed size"). DynamoDB applies
    each request atomically, so serialising requests at the emulator is faithful, and
    concurrent requests to the local API (or racing tests) stay real races between our
    reads and conditional writes. DynamoDB's transaction conflicts, which serialising
    would hide, are emulated on demand (`localapi.conflicts`). Idempotent; applies to the
    server and to `mock_aws`.
    """
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler.call_action, "serialised", False):
        return
    original = DynamoHandler.call_action
    from localapi import conflicts

    def call_action(self: Any) -> Any:
        claim = None
        try:
            with _EMULATOR_LOCK:
                # When conflicts are emulated, a transaction claims its items here.
                claim = conflicts.claim(self)
                if claim.refusal is not None:
                    return claim.refusal
                try:
                    return original(self)
                finally:
                    if self._get_action() in WRITE_ACTIONS:
                        _writes[0] += 1
        finally:
            if claim is not None:
                claim.release()  # outside the lock: others run meanwhile

    call_action.serialised = True  # type: ignore[attr-defined]
    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


def serialise_recorder() -> None:
    """Make moto's request recorder write one request at a time: it appends a request and
    its newline in two writes, so concurrent requests (the server's threads, this
    process's own) would interleave their lines. Idempotent."""
    from moto.moto_api import recorder

    if getattr(recorder._record_request, "serialised", False):
        return
    original = recorder._record_request

    def record(*args: Any, **kwargs: Any) -> None:
        with _RECORDER_LOCK:
            original(*args, **kwargs)

    record.serialised = True  # type: ignore[attr-defined]
    recorder._record_request = record  # type: ignore[method-assign]


def prepare_emulator() -> None:
    """What the local API and the in-process tests change in moto's DynamoDB (idempotent):
    one request at a time, transactions that journal only the items they write, no
    reference kept to every item instance moto ever made, and its hot spots made cheap
    (`localapi.moto_hotspots`)."""
    from localapi import moto_hotspots

    serialise_emulator()
    serialise_recorder()
    journal_transactions()
    untrack_items()
    moto_hotspots.apply()


# -- transactions ----------------------------------------------------------------------


def journal_transactions() -> None:
    """Make moto's TransactWriteItems save and restore only the items it may write.

    moto (5.2.5) deep-copies every table a transaction names, once per transaction item, to
    roll back a cancelled transaction: each write costs time and memory in proportion to
    the whole table. Here moto's own code still checks and applies the transaction (its
    validation, its cancellation reasons), but its table copy is skipped; beforehand, a
    journal keeps a copy of each item that a Put, Update or Delete names (or notes its
    absence) and the length of each table's stream, and puts them back if moto raises.
    All or nothing, as in DynamoDB; secondary indexes follow, moto derives them from the
    items. When the journal cannot tell which item an operation names, moto copies the
    tables as before. Idempotent.
    """
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    backend = models.DynamoDBBackend
    if getattr(backend.transact_write_items, "journaled", False):
        return
    original = backend.transact_write_items

    class CopyWithoutTables:
        """The `copy` module as moto's transaction code sees it: a table copies to itself."""

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    without_tables = CopyWithoutTables()

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        journal = _Journal.of(self.tables, transact_items)
        if journal is None:
            return original(self, transact_items)
        models.copy = without_tables  # type: ignore[assignment]
        try:
            return original(self, transact_items)
        except BaseException:
            journal.restore()
            raise
        finally:
            models.copy = copy

    transact_write_items.journaled = True  # type: ignore[attr-defined]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]


@dataclass(frozen=True)
class _SavedItem:
    """One item as it was before a transaction: a copy of it, or None if it was absent."""

    table: Any
    hash_key: Any
    range_key: Any
    bucket_existed: bool  # a table with a range key holds a dict of items per hash key
    item: Any

    def restore(self) -> None:
        items = self.table.items
        if self.range_key is None:
            if self.item is None:
                items.pop(self.hash_key, None)
            else:
                items[self.hash_key] = self.item
            return
        bucket = items.get(self.hash_key)
        if self.item is not None:
            items.setdefault(self.hash_key, {})[self.range_key] = self.item
        elif bucket is not None:
            bucket.pop(self.range_key, None)
            if not bucket and not self.bucket_existed:
                del items[self.hash_key]


@dataclass(frozen=True)
class _SavedStream:
    """A table's stream records before a transaction (moto appends one per write)."""

    shard: Any
    records: list[Any]
    length: int

    def restore(self) -> None:
        del self.records[self.length :]
        self.shard.items = self.records


@dataclass(frozen=True)
class _Journal:
    items: list[_SavedItem]
    streams: list[_SavedStream]

    @classmethod
    def of(cls, tables: dict[str, Any], transact_items: Iterable[Any]) -> _Journal | None:
        """The journal of a transaction, or None when an operation that may write names
        an item it cannot tell (moto then fails it or copies the tables, as it would)."""
        saved: dict[tuple[str, Any, Any], _SavedItem] = {}
        streams: dict[str, _SavedStream] = {}
        for entry in transact_items:
            if not isinstance(entry, dict) or len(entry) != 1:
                continue  # moto refuses it before it writes anything for it
            ((operation, request),) = entry.items()
            if operation not in ("Put", "Update", "Delete"):
                continue  # a ConditionCheck writes nothing
            try:
                table = tables[request["TableName"]]
                hash_key, range_key = _item_key(table, request["Item" if operation == "Put" else "Key"])
            except (KeyError, TypeError, IndexError, AttributeError):
                return None
            if (table.name, hash_key, range_key) not in saved:
                saved[(table.name, hash_key, range_key)] = _save_item(table, hash_key, range_key)
            shard = table.stream_shard
            if shard is not None and table.name not in streams:
                streams[table.name] = _SavedStream(shard, shard.items, len(shard.items))
        return cls(list(saved.values()), list(streams.values()))

    def restore(self) -> None:
        for item in reversed(self.items):
            item.restore()
        for stream in self.streams:
            stream.restore()


def _item_key(table: Any, attributes: dict[str, Any]) -> tuple[Any, Any]:
    """The (hash, range) key of the item that `attributes` (an item or a key) name, built
    as moto builds it."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    hash_key = DynamoType(attributes[table.hash_key_attr])
    range_key = DynamoType(attributes[table.range_key_attr]) if table.range_key_attr else None
    return hash_key, range_key


def _save_item(table: Any, hash_key: Any, range_key: Any) -> _SavedItem:
    # Read the dict directly: moto's get_item would add an empty bucket for a new hash key.
    if range_key is None:
        bucket_existed, current = False, table.items.get(hash_key)
    else:
        bucket = table.items.get(hash_key)
        bucket_existed, current = bucket is not None, (bucket or {}).get(range_key)
    # A copy: moto's Update changes the item in place.
    before = copy.deepcopy(current) if current is not None else None
    return _SavedItem(table, hash_key, range_key, bucket_existed, before)


# -- instance tracking -----------------------------------------------------------------


def untrack_items() -> None:
    """Keep moto from holding on to every DynamoDB item and stream record it ever made.

    moto's `BaseModel` appends each new instance to its class's `instances_tracked` list
    (for its dashboard, which nothing here uses), so every item written, replaced,
    deleted or copied stays in memory for the life of the process: the local API's memory
    grows with every write, not with what the table holds. Idempotent.
    """
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import StreamRecord

    for model in (Item, StreamRecord):
        if not getattr(model.__new__, "untracked", False):
            model.__new__ = staticmethod(_new_untracked)  # type: ignore[method-assign]


def _new_untracked(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


_new_untracked.untracked = True  # type: ignore[attr-defined]


def create_table(
    client: Any, table_name: str, template: Template | None = None, *, logical_id: str | None = None
) -> None:
    """Create template.yaml's table as `table_name` and enable its TTL (one source for
    the local API and every test). `client` is a boto3 DynamoDB client."""
    client.create_table(**table_definition(template, table_name, logical_id))
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 0.1})
    ttl = time_to_live(template, logical_id)
    if ttl is not None:
        client.update_time_to_live(TableName=table_name, TimeToLiveSpecification=ttl)


class LocalDynamoDB:
    """moto's DynamoDB server on `host:port` (port 0: any free port), in a daemon thread."""

    def __init__(self, host: str = LOOPBACK, port: int = 0) -> None:
        self.host = host
        self.port = port
        self._server: Any = None
        self._in_process: _InProcessRoute | None = None

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the local DynamoDB server is not running")
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        """Start the server; returns its endpoint URL. This process's own DynamoDB clients
        of that endpoint (the local API's functions) are answered in-process."""
        from moto.server import ThreadedMotoServer

        prepare_emulator()

        server = ThreadedMotoServer(ip_address=self.host, port=self.port, verbose=False)
        server.start()
        self.port = server.get_host_and_port()[1]
        self._server = server
        self._in_process = _InProcessRoute.register(self.endpoint_url)
        return self.endpoint_url

    def client(self) -> Any:
        """A boto3 DynamoDB client for this endpoint."""
        import boto3

        return boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def create_table(self, table_name: str, template: Template | None = None) -> None:
        create_table(self.client(), table_name, template)

    def stop(self) -> None:
        route, self._in_process = self._in_process, None
        if route is not None:
            route.unregister()
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> LocalDynamoDB:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _InProcessRoute:
    """botocore's `before-send` hook for DynamoDB clients in this process: a request to
    the local endpoint goes to moto's DynamoDB handler as a Python call, where moto's server
    would take it off the loopback socket (same backend, same one-at-a-time lock, same
    request recorder). Everything botocore does (parameter validation, serialising,
    signing, retries, parsing the answer) still happens; what is saved is a TCP connection
    per request (moto's server closes each one), a server thread per request and the
    dispatch by host name. Other processes still use the socket."""

    def __init__(self, endpoint_url: str) -> None:
        self.prefix = endpoint_url.rstrip("/") + "/"
        self.enabled = True

    @classmethod
    def register(cls, endpoint_url: str) -> _InProcessRoute:
        import botocore.handlers

        route = cls(endpoint_url)
        # Builtin handlers reach every botocore session created from now on, as moto's own
        # in-process mock reaches them.
        botocore.handlers.BUILTIN_HANDLERS.append(("before-send.dynamodb", route))
        return route

    def unregister(self) -> None:
        import botocore.handlers

        self.enabled = False
        entry = ("before-send.dynamodb", self)
        if entry in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.remove(entry)

    def __call__(self, request: Any, **kwargs: Any) -> Any:
        if not self.enabled or not f"{request.url}/".startswith(self.prefix):
            return None
        from botocore.awsrequest import AWSResponse
        from moto.core.botocore_stubber import MockRawResponse
        from moto.core.exceptions import HTTPException
        from moto.core.request import normalize_request
        from moto.dynamodb.responses import DynamoHandler
        from moto.moto_api import recorder

        normalized = normalize_request(request)
        recorder._record_request(normalized)
        try:
            status, headers, body = DynamoHandler.dispatch(normalized, normalized.raw_url, normalized.headers)
        except HTTPException as exc:
            status, headers, body = exc.code, exc.get_headers(), exc.get_body()
        return AWSResponse(request.url, status, headers, MockRawResponse(body))
