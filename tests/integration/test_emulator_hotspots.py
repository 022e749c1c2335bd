"""moto's DynamoDB with `localapi.moto_hotspots` applied answers what it answered before:
conditions parsed once still see each request's own values, a parse error is still an
error every time, the 400 KB item limit still holds, and Query and Scan keep DynamoDB's
key order (numbers as numbers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.emulator import emulated_dynamodb

TABLE = "hotspots"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with emulated_dynamodb(monkeypatch) as dynamodb:
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "n", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "n", "AttributeType": "N"},
                {"AttributeName": "g", "AttributeType": "S"},
                {"AttributeName": "rank", "AttributeType": "N"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "byRank",
                    "KeySchema": [
                        {"AttributeName": "g", "KeyType": "HASH"},
                        {"AttributeName": "rank", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield dynamodb


def key(pk: str, n: int) -> dict[str, Any]:
    return {"pk": {"S": pk}, "n": {"N": str(n)}}


def conditional_put(client: Any, n: int, expected: int) -> None:
    client.put_item(
        TableName=TABLE,
        Item={**key("c", 1), "version": {"N": str(n)}},
        ConditionExpression="attribute_not_exists(pk) OR version = :v",
        ExpressionAttributeValues={":v": {"N": str(expected)}},
    )


def test_one_condition_text_sees_each_request_values(client: Any) -> None:
    conditional_put(client, 1, 0)  # absent: the first branch
    conditional_put(client, 2, 1)
    with pytest.raises(ClientError) as stale:
        conditional_put(client, 3, 1)  # the same text and values as the put before: version is 2 now
    assert stale.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    conditional_put(client, 3, 2)
    item = client.get_item(TableName=TABLE, Key=key("c", 1))["Item"]
    assert item["version"] == {"N": "3"}


# moto lets these out raw in-process (its server answers 500): what matters is that each
# attempt fails and writes nothing, however often the same text comes.
REFUSED = (ClientError, KeyError, ValueError)


@pytest.mark.parametrize("condition", ["attribute_not_exists(pk) AND AND", "version = :missing"])
def test_a_malformed_condition_is_refused_every_time(client: Any, condition: str) -> None:
    for _ in range(3):
        with pytest.raises(REFUSED):
            client.put_item(TableName=TABLE, Item=key("m", 1), ConditionExpression=condition)
        with pytest.raises(REFUSED):
            client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": TABLE, "Item": key("m", 2), "ConditionExpression": condition}}
                ]
            )
    assert "Item" not in client.get_item(TableName=TABLE, Key=key("m", 1))
    assert "Item" not in client.get_item(TableName=TABLE, Key=key("m", 2))


def test_the_item_size_limit_still_holds(client: Any) -> None:
    many = {f"a{i:03d}": {"S": "x" * 1000} for i in range(380)}  # about 385 KB in all
    client.put_item(TableName=TABLE, Item={**key("s", 1), **many})
    with pytest.raises(ClientError) as too_big:
        client.put_item(TableName=TABLE, Item={**key("s", 2), **many, "last": {"S": "y" * 30_000}})
    assert too_big.value.response["Error"]["Code"] == "ValidationException"
    assert "size" in too_big.value.response["Error"]["Message"].lower()
    assert len(client.get_item(TableName=TABLE, Key=key("s", 1))["Item"]) == 382


def test_query_and_scan_keep_key_order(client: Any) -> None:
    ranks = [10, 2, 33, 1, 200, 21]
    for n, rank in enumerate(ranks):
        client.put_item(TableName=TABLE, Item={**key("o", n), "g": {"S": "all"}, "rank": {"N": str(rank)}})
    for n in (3, 20, 100):
        client.put_item(TableName=TABLE, Item=key("p", n))

    table = client.query(
        TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}
    )["Items"]
    assert [int(i["n"]["N"]) for i in table] == [3, 20, 100]

    def by_rank(**extra: Any) -> list[int]:
        pages, start = [], None
        while True:
            options = {"ExclusiveStartKey": start} if start else {}
            out = client.query(
                TableName=TABLE,
                IndexName="byRank",
                KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "all"}},
                Limit=2,
                **options,
                **extra,
            )
            pages += [int(i["rank"]["N"]) for i in out["Items"]]
            start = out.get("LastEvaluatedKey")
            if not start:
                return pages

    assert by_rank() == sorted(ranks)
    assert by_rank(ScanIndexForward=False) == sorted(ranks, reverse=True)

    scanned = client.scan(TableName=TABLE)["Items"]
    assert [(i["pk"]["S"], int(i["n"]["N"])) for i in scanned] == [
        *[("o", n) for n in range(len(ranks))],
        ("p", 3),
        ("p", 20),
        ("p", 100),
    ]
