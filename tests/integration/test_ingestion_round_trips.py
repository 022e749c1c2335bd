"""An ingested row that names customers reads them in the same BatchGetItem as its guards,
and the answers stay what they were when they were read apart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.test_customers import active_customer
from tests.integration.test_ingestion import create_ba
from tests.support.harness import Partner


@pytest.fixture
def operations(store: Any) -> Iterator[Counter[str]]:
    """DynamoDB operations the handlers send, by name (they share the store's client)."""
    seen: Counter[str] = Counter()

    def count(model: Any, **kwargs: Any) -> None:
        seen[model.name] += 1

    store.client.meta.events.register("before-call.dynamodb", count)
    yield seen
    store.client.meta.events.unregister("before-call.dynamodb", count)


@pytest.mark.parametrize("upsert", [False, True])
def test_a_row_naming_customers_reads_them_with_its_guards(
    partner: Partner, operations: Counter[str], upsert: bool
) -> None:
    first, second = active_customer(partner), active_customer(partner)
    operations.clear()
    body = {"accountNumber": f"rt-{upsert}", "referenceId": f"rt-ref-{upsert}"}
    reply = create_ba(partner, {**body, "associatedClients": [first["id"], second["id"]]}, upsert=upsert)
    assert reply.status == 201, reply.text
    assert [c["id"] for c in reply.json["associatedClients"]] == [first["id"], second["id"]]
    assert operations["BatchGetItem"] == 1
    assert operations["TransactWriteItems"] == 1


def test_an_update_naming_customers_reads_them_with_its_guards(
    partner: Partner, operations: Counter[str]
) -> None:
    first, second = active_customer(partner), active_customer(partner)
    body = {"accountNumber": "rt-u", "referenceId": "rt-u-ref"}
    assert create_ba(partner, {**body, "associatedClients": [first["id"]]}, upsert=True).status == 201
    operations.clear()
    reply = create_ba(partner, {**body, "associatedClients": [first["id"], second["id"]]}, upsert=True)
    assert reply.status == 200, reply.text
    assert [c["id"] for c in reply.json["associatedClients"]] == [first["id"], second["id"]]
    # The guards and both customers; then the matched record (its id is in a guard), and
    # the API key's record re-read before the commit (auth.recheck).
    assert (operations["BatchGetItem"], operations["GetItem"]) == (1, 2)


@pytest.mark.parametrize("upsert", [False, True])
def test_unknown_and_malformed_customers_are_still_422_with_their_position(
    make_partner: Any, upsert: bool
) -> None:
    partner, other = make_partner(), make_partner()
    mine, theirs = active_customer(partner), active_customer(other)
    for clients, position in (
        ([mine["id"], theirs["id"]], 1),  # another tenant's customer
        (["not-a-customer", mine["id"]], 0),
        ([mine["id"], "cus_01JZZZZZZZZZZZZZZZZZZZZZZZ"], 1),  # well formed, no such customer
    ):
        reply = create_ba(
            partner, {"accountNumber": f"bad-{position}", "associatedClients": clients}, upsert=upsert
        )
        assert (reply.status, reply.code, reply.json["error"]["param"]) == (
            422,
            "reference_invalid",
            f"associatedClients[{position}]",
        ), (clients, reply.text)


def test_an_update_names_a_new_customer_after_the_ones_it_has(make_partner: Any) -> None:
    """The position in an error counts the customers not yet associated, as before."""
    partner, other = make_partner(), make_partner()
    mine, theirs = active_customer(partner), active_customer(other)
    body = {"accountNumber": "pos-1", "referenceId": "pos-1"}
    assert create_ba(partner, {**body, "associatedClients": [mine["id"]]}, upsert=True).status == 201
    reply = create_ba(partner, {**body, "associatedClients": [mine["id"], theirs["id"]]}, upsert=True)
    assert (reply.status, reply.json["error"]["param"]) == (422, "associatedClients[0]")
