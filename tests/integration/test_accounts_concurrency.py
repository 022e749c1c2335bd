"""Races on issuing: 50 concurrent requests for account numbers and deposit addresses, on
one account and across accounts and tenants. No number, address or index is issued
twice; every request that may succeed does; an account's limit holds under the race.

The handlers run in-process against moto, from threads released together by a barrier
(moto applies one request at a time, as DynamoDB applies each request atomically, so the
races are between the handlers' reads and their conditional writes)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from core.accounts import addresses, deposit_keys, numbers
from core.platform import keys, pipeline
from core.platform.store import Store
from tests.support.accounts import approved_customer, get_account, issue_address, issue_number, opened
from tests.support.deposit_vectors import vector_address
from tests.support.harness import Partner, Reply

RACERS = 50
pytestmark = pytest.mark.slow


def race(calls: list[Callable[[], Reply]]) -> list[Reply]:
    barrier = threading.Barrier(len(calls))

    def run(fn: Callable[[], Reply]) -> Reply:
        barrier.wait(120)
        return fn()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def accounts_of(partners: list[Partner], per_partner: int, **body: Any) -> list[tuple[Partner, str]]:
    out = []
    for partner in partners:
        customer = approved_customer(partner)
        out += [(partner, opened(partner, customer["id"], **body)["id"]) for _ in range(per_partner)]
    return out


def test_fifty_numbers_across_accounts_and_tenants_are_fifty_distinct_numbers(
    make_partner: Callable[..., Partner],
) -> None:
    targets = accounts_of([make_partner(), make_partner()], 5, currency="MXN")
    calls = [
        (lambda p=p, a=a: issue_number(p, a)) for p, a in targets for _ in range(numbers.MAX_PER_ACCOUNT)
    ]
    assert len(calls) == RACERS
    replies = race(calls)
    assert Counter(r.status for r in replies) == Counter({201: RACERS}), [
        r.text for r in replies if r.status != 201
    ]
    assert len({r.json["number"] for r in replies}) == RACERS
    assert len({r.json["id"] for r in replies}) == RACERS


def test_fifty_numbers_on_one_account_stop_at_its_limit(partner: Partner, store: Store) -> None:
    ((_, account_id),) = accounts_of([partner], 1, currency="EUR")
    replies = race([lambda: issue_number(partner, account_id)] * RACERS)
    statuses = Counter((r.status, r.json.get("error", {}).get("code")) for r in replies)
    assert statuses == Counter({(201, None): numbers.MAX_PER_ACCOUNT, (422, "limit_exceeded"): RACERS - 5})
    issued = {r.json["number"] for r in replies if r.status == 201}
    assert len(issued) == numbers.MAX_PER_ACCOUNT
    held = get_account(partner, account_id).json["accountNumbers"]
    assert {n["number"] for n in held} == issued
    account = store.get(keys.entity_key(partner.tenant_id, account_id), consistent=True)
    assert account is not None and account["numberCount"] == numbers.MAX_PER_ACCOUNT


def _index(reply: Reply) -> int:
    return int(reply.json["derivationPath"].rsplit("/", 1)[1])


def test_fifty_addresses_on_one_account_take_fifty_consecutive_indexes(partner: Partner) -> None:
    ((_, account_id),) = accounts_of(
        [partner], 1, type="wallet", currency=None, asset="USDC", chain="ethereum"
    )
    replies = race([lambda: issue_address(partner, account_id)] * RACERS)
    assert Counter(r.status for r in replies) == Counter({201: RACERS}), [
        r.text for r in replies if r.status != 201
    ]
    indexes = sorted(_index(r) for r in replies)
    assert indexes == list(range(RACERS))  # none twice, none skipped
    for reply in replies:
        assert reply.json["address"] == vector_address("evm", _index(reply))
    assert len(get_account(partner, account_id).json["blockchainAddresses"]) == RACERS


def test_fifty_addresses_across_accounts_and_tenants_share_one_index_sequence(
    make_partner: Callable[..., Partner], store: Store
) -> None:
    targets = accounts_of(
        [make_partner(), make_partner()], 5, type="wallet", currency=None, asset="BTC", chain="bitcoin"
    )
    replies = race([(lambda p=p, a=a: issue_address(p, a)) for p, a in targets for _ in range(5)])
    assert Counter(r.status for r in replies) == Counter({201: RACERS}), [
        r.text for r in replies if r.status != 201
    ]
    assert sorted(_index(r) for r in replies) == list(range(RACERS))
    assert len({r.json["address"] for r in replies}) == RACERS
    key = next(iter({r.json["derivationPath"] for r in replies}))  # any: they share the key
    assert key.startswith("m/84'/0'/0'/0/")
    counter = store.get(
        keys.deployment_guard_key(
            addresses.KEY_GUARD, deposit_keys.deposit_key(pipeline.runtime()[0], "bitcoin").fingerprint
        ),
        consistent=True,
    )
    assert counter is not None and counter["nextIndex"] == RACERS
