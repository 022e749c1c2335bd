"""Races on create-or-update (API.md: "race-safe like the upserts of seed 000"): 20
concurrent posts of one record leave one record; racing posts of different versions of
it leave one record holding one of them, every post answered 201 or 200.

Threads released together by a barrier run the handlers in-process against moto (see
test_accounts_concurrency)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from core.platform import keys
from core.platform.store import Store
from tests.integration.test_accounts import events_of
from tests.integration.test_accounts_concurrency import race
from tests.support.accounts import approved_customer
from tests.support.bank_information import get, list_, mx_body, post
from tests.support.harness import Partner

RACERS = 20
pytestmark = pytest.mark.slow


def test_twenty_posts_of_one_record_leave_one_record(aws: Any, partner: Partner) -> None:
    user = approved_customer(partner)
    replies = race([lambda: post(partner, mx_body(user["id"]))] * RACERS)
    assert Counter(r.status for r in replies) == Counter({201: 1, 200: RACERS - 1}), [r.text for r in replies]
    assert len({r.json["id"] for r in replies}) == 1
    [record] = list_(partner).json["data"]
    assert record == replies[0].json
    assert len(events_of(aws, partner, "bank_information.created")) == 1
    # The same body again and again changes nothing: no update was written.
    assert events_of(aws, partner, "bank_information.updated") == []


def test_racing_versions_of_one_record_leave_one_of_them(aws: Any, partner: Partner, store: Store) -> None:
    user = approved_customer(partner)
    bodies = [mx_body(user["id"], rampType=("ON_RAMP" if i % 2 else "OFF_RAMP")) for i in range(RACERS)]
    replies = race([lambda b=b: post(partner, b) for b in bodies])
    assert Counter(r.status for r in replies).get(201) == 1, [r.text for r in replies]
    assert {r.status for r in replies} <= {200, 201}
    [record] = list_(partner).json["data"]
    assert get(partner, record["id"]).json == record
    # One event per version written: the creation, then one per update that changed it.
    created = events_of(aws, partner, "bank_information.created")
    updated = events_of(aws, partner, "bank_information.updated")
    item = store.get(keys.entity_key(partner.tenant_id, record["id"]), consistent=True)
    assert item is not None and item["version"] == len(created) + len(updated)
    assert len(created) == 1 and len(updated) >= 1
    assert record["rampType"] in {e["data"]["object"]["rampType"] for e in created + updated}
