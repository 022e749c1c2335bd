"""The emulator's transaction conflicts (`localapi.conflicts`): while a transaction is in
progress on an item (moto applied it; its commit holds the items for the transaction
time), another transaction naming it is cancelled with TransactionConflict as that item's
reason, a single write to it answers TransactionConflictException, a read answers at once,
and once the transaction ends the same requests succeed. Off, nothing conflicts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localapi import conflicts
from tests.support.emulator import emulated_dynamodb
from tests.support.template_table import create_table

TABLE = "emulator-conflicts"
HOLD_MS = 400


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with emulated_dynamodb(monkeypatch) as dynamodb:
        create_table(dynamodb, TABLE)
        yield dynamodb
    conflicts.set_transaction_time(0)


def put(pk: str, sk: str) -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": {"PK": {"S": pk}, "SK": {"S": sk}, "n": {"N": "1"}}}}


def update(pk: str, sk: str) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": {"PK": {"S": pk}, "SK": {"S": sk}},
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }


def in_background(client: Any, items: list[dict[str, Any]]) -> threading.Thread:
    thread = threading.Thread(target=lambda: client.transact_write_items(TransactItems=items))
    thread.start()
    time.sleep(HOLD_MS / 4000)  # well inside its hold
    return thread


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_a_transaction_in_progress_conflicts_with_what_names_its_items(client: Any) -> None:
    conflicts.set_transaction_time(HOLD_MS)
    before = conflicts.counts()
    running = in_background(client, [put("p", "a"), put("p", "b")])
    with pytest.raises(ClientError) as cancelled:
        client.transact_write_items(TransactItems=[update("p", "c"), update("p", "b")])
    assert code(cancelled) == "TransactionCanceledException"
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "TransactionConflict"]
    with pytest.raises(ClientError) as single:
        client.update_item(**update("p", "a")["Update"])
    assert code(single) == "TransactionConflictException"
    started = time.perf_counter()
    client.get_item(TableName=TABLE, Key={"PK": {"S": "p"}, "SK": {"S": "a"}})  # reads are not held up
    assert time.perf_counter() - started < HOLD_MS / 2000
    client.transact_write_items(TransactItems=[update("p", "x"), update("p", "y")])  # other items: applied
    running.join()
    client.transact_write_items(TransactItems=[update("p", "c"), update("p", "b")])
    client.update_item(**update("p", "a")["Update"])
    got = client.get_item(TableName=TABLE, Key={"PK": {"S": "p"}, "SK": {"S": "b"}}, ConsistentRead=True)
    assert got["Item"]["n"] == {"N": "2"}
    after = conflicts.counts()
    assert after["conflicts"] - before["conflicts"] == 2
    assert after["transactions"] - before["transactions"] == 3


def test_off_nothing_conflicts(client: Any) -> None:
    conflicts.set_transaction_time(0)
    before = conflicts.counts()
    threads = [
        threading.Thread(
            target=lambda: client.transact_write_items(TransactItems=[update("p", "a"), update("p", "b")])
        )
        for _ in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    got = client.get_item(TableName=TABLE, Key={"PK": {"S": "p"}, "SK": {"S": "a"}}, ConsistentRead=True)
    assert got["Item"]["n"] == {"N": "10"}
    assert conflicts.counts() == before
