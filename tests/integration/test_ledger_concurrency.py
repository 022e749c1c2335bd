"""Races in the ledger hierarchy: creates under a parent racing its deletion never leave a
live child under a deleted parent, and a parent's count of live children always equals
what lives under it (threads released together; see test_accounts_concurrency)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from core.platform import keys
from core.platform.store import Store
from tests.integration.conftest import scan_all
from tests.integration.test_accounts_concurrency import race
from tests.support.harness import Partner
from tests.support.ledger import create, delete, world

RACERS = 20
pytestmark = pytest.mark.slow


def live_accounts(aws: Any, portfolio_id: str) -> list[dict[str, Any]]:
    from core.platform.store import deserialize

    items = [deserialize(i) for i in scan_all(aws)]
    return [
        i
        for i in items
        if i.get("type") == "ledger_account" and i.get("portfolioId") == portfolio_id and "deletedAt" not in i
    ]


def test_accounts_racing_their_portfolios_deletion(aws: Any, partner: Partner, store: Store) -> None:
    w = world(partner)
    calls = [lambda i=i: create(partner, "account", w.ids, {"alias": f"racer-{i}"}) for i in range(RACERS)]
    calls.insert(RACERS // 2, lambda: delete(partner, "portfolio", w.ids))
    replies = race(calls)
    deletion = replies[RACERS // 2]
    made = [r for i, r in enumerate(replies) if i != RACERS // 2 and r.status == 201]
    assert {r.status for r in replies} <= {201, 204, 404, 409}, [r.text for r in replies]
    portfolio = store.get(keys.entity_key(partner.tenant_id, w.ids["portfolioId"]), consistent=True)
    assert portfolio is not None
    live = live_accounts(aws, w.ids["portfolioId"])
    if deletion.status == 204:
        assert live == [] and made == [] and "deletedAt" in portfolio
    else:
        assert deletion.status == 409 and made
        assert "deletedAt" not in portfolio
    assert len(live) == len(made) == portfolio["children"]


def test_racing_creates_and_deletes_keep_every_count_exact(aws: Any, partner: Partner, store: Store) -> None:
    w = world(partner)
    first = [create(partner, "account", w.ids, {"productId": w.ids["productId"]}).json for _ in range(10)]
    calls = [lambda a=a: delete(partner, "account", {**w.ids, "accountId": a["id"]}) for a in first]
    calls += [lambda: create(partner, "account", w.ids, {"productId": w.ids["productId"]}) for _ in range(10)]
    replies = race(calls)
    assert Counter(r.status for r in replies) == Counter({204: 10, 201: 10}), [r.text for r in replies]
    live = live_accounts(aws, w.ids["portfolioId"])
    assert len(live) == 10
    for kind in ("portfolioId", "productId", "instrumentId"):
        item = store.get(keys.entity_key(partner.tenant_id, w.ids[kind]), consistent=True)
        assert item is not None and item["children"] == 10, kind
