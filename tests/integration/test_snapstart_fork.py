"""SnapStart, snapshotted the way Lambda does it: one process initialises a function with
`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start` and runs the before-snapshot hooks, and each
restored environment is a fork of it (`localapi.restore`). Every fork must generate its
own ids, tokens, nonces and idempotency lease tokens, and its first request must import
nothing: what it would import is what the before-snapshot hooks should have loaded."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from core.platform import keys
from localapi.restore import Restored, World, restore
from localapi.server import quiet_dynamodb_log

CHILDREN = 4


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    quiet_dynamodb_log()
    built = World()
    yield built
    built.close()


def _customer() -> dict[str, str | None]:
    return {"externalId": f"crm-{uuid.uuid4().hex[:12]}", "onchainId": None}


def _distinct(restored: list[Restored], sample: str) -> set[str]:
    return {child.samples[sample] for child in restored}


def test_every_restored_environment_generates_its_own_ids_tokens_and_leases(world: World) -> None:
    idempotency_keys = [str(uuid.uuid4()) for _ in range(CHILDREN)]
    children = [
        [world.event("customers_create", body=_customer(), idempotency_key=key)] for key in idempotency_keys
    ]
    restored = restore("customers/create", world.environment("customers/create"), children)

    assert [child.served[0].status for child in restored] == [201] * CHILDREN
    created = {json.loads(child.served[0].body)["id"] for child in restored}
    assert len(created) == CHILDREN
    for sample in ("id", "uuid7", "random", "token", "nonce", "apiKey"):
        assert len(_distinct(restored, sample)) == CHILDREN, sample
    leases = {
        world.store.get(keys.idempotency_key(world.tenant_id, key), consistent=True)["token"]
        for key in idempotency_keys
    }
    assert len(leases) == CHILDREN


def test_without_the_after_restore_hook_the_forks_share_random_state(world: World) -> None:
    """What the hook is for: a fork copies `random`'s state, so without renewing it every
    environment draws the same retry jitter and the same random choices."""
    children = [[world.event("accounts_get")] for _ in range(CHILDREN)]
    restored = restore("accounts/get", world.environment("accounts/get"), children, restore_hooks=False)

    assert len(_distinct(restored, "random")) == 1
    assert len(_distinct(restored, "token")) == CHILDREN  # secrets: the kernel's, never copied


# Functions whose first request would load something lazily without SnapStart's hooks
# (pycountry, http_sf, coincurve and bip32, clabe and stdnum, iso4217, uuid6), and a read.
@pytest.mark.parametrize(
    ("function", "event", "body"),
    [
        ("customers/create", "customers_create", _customer()),
        ("accounts/get", "accounts_get", None),
        ("accounts/blockchain_addresses", "accounts_blockchain_addresses", None),
        ("bank_information/create", "bank_information_create", None),
        ("ledger_transactions/create", "ledger_transactions_create", None),
        ("instruments/create", "instruments_create", {"code": "BRL", "name": "Real"}),
    ],
)
def test_the_first_request_after_a_restore_imports_nothing(
    world: World, function: str, event: str, body: dict[str, str | None] | None
) -> None:
    (child,) = restore(function, world.environment(function), [[world.event(event, body=body)]])
    first = child.served[0]

    assert first.status < 300, first.body
    assert first.imported == []
