"""moto's TransactWriteItems as the local API and the tests run it (`localapi.dynamodb.
prepare_emulator`): it saves and restores only the items a transaction writes, and stays
all or nothing, as DynamoDB is, on a table with a range key and GSIs (template.yaml's) and
on one with a hash key alone, both with streams."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.emulator import emulated_dynamodb
from tests.support.template_table import create_table

RANGED = "emulator-ranged"  # template.yaml's table: PK + SK, GSI1..3
PLAIN = "emulator-plain"  # a hash key alone


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with emulated_dynamodb(monkeypatch) as dynamodb:
        create_table(dynamodb, RANGED)
        dynamodb.create_table(
            TableName=PLAIN,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        for item in (
            ranged("p", "a", GSI1PK="g", GSI1SK="1", n=1, doc={"M": {"k": {"L": [{"S": "v"}]}}}),
            ranged("p", "b", GSI1PK="g", GSI1SK="2", n=1),
            ranged("q", "c", GSI1PK="g", GSI1SK="3", n=1),
        ):
            dynamodb.put_item(TableName=RANGED, Item=item)
        for item in (plain("x", n=1), plain("w", n=1)):
            dynamodb.put_item(TableName=PLAIN, Item=item)
        yield dynamodb


def value(v: Any) -> dict[str, Any]:
    if isinstance(v, dict):
        return v
    return {"N": str(v)} if isinstance(v, int) else {"S": v}


def ranged(pk: str, sk: str, **attributes: Any) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}, **{k: value(v) for k, v in attributes.items()}}


def plain(key: str, **attributes: Any) -> dict[str, Any]:
    return {"id": {"S": key}, **{k: value(v) for k, v in attributes.items()}}


def stream_records(table: str) -> list[tuple[str, str]]:
    """The table's stream as moto holds it: (event, keys) per record. (moto's DynamoDB
    Streams API answers "Not yet implemented" under `mock_aws`.)"""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[table].stream_shard
    return [(r.record["eventName"], repr(r.record["dynamodb"]["Keys"])) for r in shard.items]


def snapshot(client: Any) -> dict[str, Any]:
    """Everything a transaction could change, as a client sees it."""

    def scan(table: str) -> list[dict[str, Any]]:
        items = client.scan(TableName=table, ConsistentRead=True)["Items"]
        return sorted(items, key=repr)

    gsi = client.query(
        TableName=RANGED,
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :g",
        ExpressionAttributeValues={":g": {"S": "g"}},
    )["Items"]
    return {
        RANGED: scan(RANGED),
        PLAIN: scan(PLAIN),
        "GSI1": gsi,
        "counts": [client.describe_table(TableName=t)["Table"]["ItemCount"] for t in (RANGED, PLAIN)],
        "streams": [stream_records(t) for t in (RANGED, PLAIN)],
    }


def writes() -> list[dict[str, Any]]:
    """Puts (new item under an existing hash key, new hash key, overwrite), Updates
    (existing item, GSI key removed; new item) and Deletes, in both tables."""
    return [
        {"Put": {"TableName": RANGED, "Item": ranged("p", "new", GSI1PK="g", GSI1SK="0", n=7)}},
        {"Put": {"TableName": RANGED, "Item": ranged("fresh", "x", n=8)}},
        {"Put": {"TableName": RANGED, "Item": ranged("p", "a", GSI1PK="g", GSI1SK="9", n=9)}},
        {
            "Update": {
                "TableName": RANGED,
                "Key": ranged("p", "b"),
                "UpdateExpression": "SET n = n + :one REMOVE GSI1PK",
                "ConditionExpression": "n = :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {
            "Update": {
                "TableName": RANGED,
                "Key": ranged("r", "made"),
                "UpdateExpression": "SET n = :n",
                "ExpressionAttributeValues": {":n": {"N": "5"}},
            }
        },
        {
            "Delete": {
                "TableName": RANGED,
                "Key": ranged("q", "c"),
                "ConditionExpression": "attribute_exists(PK)",
            }
        },
        {"Put": {"TableName": PLAIN, "Item": plain("y", n=2)}},
        {
            "Update": {
                "TableName": PLAIN,
                "Key": plain("x"),
                "UpdateExpression": "SET n = :n, added = :a",
                "ExpressionAttributeValues": {":n": {"N": "3"}, ":a": {"S": "yes"}},
            }
        },
    ]


FAILING_LAST = {
    "condition check": {
        "ConditionCheck": {
            "TableName": PLAIN,
            "Key": plain("w"),
            "ConditionExpression": "attribute_not_exists(id)",
        }
    },
    "conditional put": {
        "Put": {
            "TableName": PLAIN,
            "Item": plain("w", n=4),
            "ConditionExpression": "attribute_not_exists(id)",
        }
    },
    "conditional delete": {
        "Delete": {
            "TableName": PLAIN,
            "Key": plain("w"),
            "ConditionExpression": "n = :two",
            "ExpressionAttributeValues": {":two": {"N": "2"}},
        }
    },
}


@pytest.mark.parametrize("last", list(FAILING_LAST))
def test_a_transaction_whose_last_condition_fails_changes_nothing(client: Any, last: str) -> None:
    before = snapshot(client)
    with pytest.raises(ClientError) as failed:
        client.transact_write_items(TransactItems=[*writes(), FAILING_LAST[last]])
    assert failed.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in failed.value.response["CancellationReasons"]]
    assert reasons == ["None"] * len(writes()) + ["ConditionalCheckFailed"]
    assert snapshot(client) == before


def test_a_transaction_refused_midway_changes_nothing(client: Any) -> None:
    """moto refuses a second operation on one item only when it reaches it, after the
    earlier ones were applied."""
    before = snapshot(client)
    again = {"Delete": {"TableName": RANGED, "Key": ranged("p", "new")}}
    with pytest.raises(ClientError) as failed:
        client.transact_write_items(TransactItems=[*writes(), again])
    assert failed.value.response["Error"]["Code"] == "ValidationException"
    assert snapshot(client) == before


def test_an_operation_naming_no_whole_key_still_rolls_back_the_others(client: Any) -> None:
    """The journal cannot name the item of a key without its range key; moto's own table
    copy then undoes the writes before it."""
    before = snapshot(client)
    partial = {"Delete": {"TableName": RANGED, "Key": {"PK": {"S": "p"}}}}
    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=[*writes(), partial])
    assert snapshot(client) == before


def test_a_transaction_that_succeeds_applies_every_write(client: Any) -> None:
    before = snapshot(client)
    client.transact_write_items(TransactItems=writes())
    after = snapshot(client)

    def get(table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        found: dict[str, Any] | None = client.get_item(TableName=table, Key=key, ConsistentRead=True).get(
            "Item"
        )
        return found

    assert get(RANGED, ranged("p", "new")) == ranged("p", "new", GSI1PK="g", GSI1SK="0", n=7)
    assert get(RANGED, ranged("fresh", "x")) == ranged("fresh", "x", n=8)
    assert get(RANGED, ranged("p", "a")) == ranged("p", "a", GSI1PK="g", GSI1SK="9", n=9)
    assert get(RANGED, ranged("p", "b")) == ranged("p", "b", GSI1SK="2", n=2)
    assert get(RANGED, ranged("r", "made")) == ranged("r", "made", n=5)
    assert get(RANGED, ranged("q", "c")) is None
    assert get(PLAIN, plain("y")) == plain("y", n=2)
    assert get(PLAIN, plain("x")) == plain("x", n=3, added="yes")
    assert [item["SK"]["S"] for item in after["GSI1"]] == ["new", "a"]
    assert after["counts"] == [before["counts"][0] + 2, before["counts"][1] + 1]
    # The stream gained records for the written items (moto records an Update that
    # creates an item twice).
    written = [
        {
            repr({"PK": {"S": pk}, "SK": {"S": sk}})
            for pk, sk in (k.split() for k in ("p new", "fresh x", "p a", "p b", "r made", "q c"))
        },
        {repr({"id": {"S": key}}) for key in ("y", "x")},
    ]
    assert [{keys for _, keys in after["streams"][i][len(before["streams"][i]) :]} for i in (0, 1)] == written


def test_memory_follows_the_table_not_the_writes(client: Any) -> None:
    """moto kept a deep copy of the table per transaction item and every item instance it
    ever made; now the live items are those the table holds (plus a few in flight)."""
    from moto.dynamodb.models.dynamo_type import Item

    def live_items() -> int:  # in this process; other tests' may linger, hence a difference
        gc.collect()
        return sum(1 for obj in gc.get_objects() if isinstance(obj, Item))

    def held_items() -> int:
        return sum(client.describe_table(TableName=t)["Table"]["ItemCount"] for t in (RANGED, PLAIN))

    live_before, held_before = live_items(), held_items()
    rows = 150
    for i in range(rows):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": RANGED, "Item": ranged(f"t{i}", "record", GSI1PK="g", GSI1SK=f"t{i}")}},
                {"Put": {"TableName": RANGED, "Item": ranged(f"t{i}", "guard", of=f"t{i}")}},
                {
                    "Update": {
                        "TableName": PLAIN,
                        "Key": plain("x"),
                        "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )
        if i % 10 == 9:  # a cancelled one now and then: its journal is dropped too
            with pytest.raises(ClientError):
                client.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": RANGED, "Item": ranged(f"t{i}", "extra")}},
                        {
                            "Put": {
                                "TableName": RANGED,
                                "Item": ranged(f"t{i}", "guard"),
                                "ConditionExpression": "attribute_not_exists(PK)",
                            }
                        },
                    ]
                )
    live, held = live_items() - live_before, held_items() - held_before
    assert held == 2 * rows
    assert live <= held + 10, (live, held)
