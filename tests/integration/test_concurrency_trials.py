"""Concurrency trials on every create endpoint (tests/support/create_endpoints.py), handlers
in-process against moto, from one pool of threads released together by a barrier:

- one Idempotency-Key, `RACERS` concurrent requests, `TRIALS` times: each trial makes
  exactly one resource and one event; one request runs, the others replay its answer
  byte for byte or get 409 `idempotency_key_in_flight` with Retry-After;
- `RACERS` concurrent creates sharing one unique value, each under its own key: exactly
  one 201, the others 409 `resource_already_exists` naming the field, one resource.

moto applies one request at a time (`serialise_emulator`), as DynamoDB applies each
request atomically; the threads interleave between requests, so the races are real races
between the handlers' reads and their conditional writes (the counters below show it).

How many: `CONCURRENCY_RACERS` requests at once (default 50), `CONCURRENCY_TRIALS` trials
of one key (default 10) and `CONCURRENCY_RACE_TRIALS` races (default 5) per create
endpoint. The defaults fit CI; the full 100 + 100 trials run with
`CONCURRENCY_TRIALS=100 CONCURRENCY_RACE_TRIALS=100`: moto in-process costs ~0.6-0.9 s of
CPU per trial of one key and ~1.7-2.6 s per race (2-core machine), ~25 min of one core for
four create endpoints. `-s` prints each test's counters and times.

A process that has served requests has paid its lazy first-use costs (deferred imports,
caches, request models built on first use), so later trials never race them. The cold
trial runs each endpoint's race and trial again in a fresh process, where the racers are
that process's first requests (this is how a first-load race in Keccak's import, hidden
from the trials that followed other tests, was found).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from core.platform.store import Store
from tests.integration.conftest import TABLE, emulated_table
from tests.support.create_endpoints import (
    DECLARED,
    CreateEndpoint,
    create_endpoint_ids,
    create_endpoints,
    create_routes,
)
from tests.support.harness import Partner, Reply
from tests.support.write_trials import (
    Tally,
    delete_items,
    expected_events,
    invoke,
    prepared,
    signed_event,
    tenant_items,
)

TRIALS = int(os.environ.get("CONCURRENCY_TRIALS", 10))
RACE_TRIALS = int(os.environ.get("CONCURRENCY_RACE_TRIALS", 5))
RACERS = int(os.environ.get("CONCURRENCY_RACERS", 50))
BARRIER_TIMEOUT = 120.0
# Set in the fresh processes of the cold trial (which must not start more of them).
COLD = "CONCURRENCY_COLD_PROCESS"
ROOT = Path(__file__).resolve().parents[2]

ENDPOINTS = pytest.mark.parametrize("endpoint", create_endpoints(), ids=create_endpoint_ids())


def test_every_create_route_is_declared() -> None:
    found = {r.route_key for r in create_routes()}
    assert found == set(DECLARED), (
        "Each create route (a handler answering 201) declares its resource, event and unique "
        f"field in tests/support/create_endpoints.py; undeclared: {sorted(found - set(DECLARED))}, "
        f"declared but not a create route: {sorted(set(DECLARED) - found)}"
    )


@pytest.fixture(scope="module")
def aws() -> Iterator[Any]:
    """One table for the module: each trial works in a partner (tenant) of its own."""
    with pytest.MonkeyPatch.context() as patch, emulated_table(patch) as client:
        yield client


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(RACERS, thread_name_prefix="racer") as executor:
        yield executor


def race(pool: ThreadPoolExecutor, calls: list[Callable[[], Reply]]) -> list[Reply]:
    """Run `calls` at once: every worker waits at the barrier until all have started."""
    barrier = threading.Barrier(len(calls))

    def run(fn: Callable[[], Reply]) -> Reply:
        barrier.wait(BARRIER_TIMEOUT)
        return fn()

    return list(pool.map(run, calls))


class Stopwatch:
    """Wall-clock and CPU time (all threads of the process) since it was made."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def report(self, trials: int) -> str:
        wall, cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        return f"{wall:.1f} s wall, {cpu:.1f} s CPU, {cpu / trials * 1000:.0f} ms CPU a trial"


class CommitLosses:
    """Counts transactions cancelled by a failed condition: requests that found the way
    clear when they read, and lost at commit to a request that wrote in between."""

    def __init__(self, store: Store) -> None:
        self.count = 0
        store.client.meta.events.register("after-call.dynamodb.TransactWriteItems", self._seen)

    def _seen(self, parsed: dict[str, Any], **kwargs: Any) -> None:
        reasons = parsed.get("CancellationReasons") or []
        if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
            self.count += 1


@pytest.mark.slow
@ENDPOINTS
def test_one_idempotency_key_many_concurrent_requests_make_one_resource(
    endpoint: CreateEndpoint,
    aws: Any,
    store: Store,
    make_partner: Callable[..., Partner],
    pool: ThreadPoolExecutor,
) -> None:
    outcomes: Counter[str] = Counter()
    stopwatch = Stopwatch()
    for trial in range(TRIALS):
        partner = prepared(endpoint, make_partner())
        before = Tally.of(tenant_items(aws, TABLE, partner.tenant_id))
        event = signed_event(endpoint, partner, idempotency_key=f"trial-{trial}")
        replies = race(pool, [partial(invoke, endpoint, event)] * RACERS)

        ran = [r for r in replies if r.status == 201 and "Idempotency-Replayed" not in r.headers]
        assert len(ran) == 1, f"trial {trial}: {Counter(r.status for r in replies)}"
        winner = ran[0]
        for reply in replies:
            if reply is winner:
                continue
            if reply.status == 201:
                assert reply.headers["Idempotency-Replayed"] == "true"
                assert reply.text == endpoint.as_replayed(winner.text)
                assert reply.headers["Request-Id"] == winner.headers["Request-Id"]
                outcomes["replayed"] += 1
            else:
                assert (reply.status, reply.code) == (409, "idempotency_key_in_flight"), reply.text
                assert int(reply.headers["Retry-After"]) >= 1
                outcomes["in flight"] += 1

        items = tenant_items(aws, TABLE, partner.tenant_id)
        after = Tally.of(items)
        assert after.created_since(before, endpoint) == (1, expected_events(endpoint)), f"trial {trial}"
        assert after.idempotency == Counter(completed=1)
        delete_items(aws, TABLE, items)
    # Both kinds of loser occur: the trials overlap the first request's run, not follow it.
    # (A single trial may see only one kind: a cold process's first request outlasts them all.)
    print(f"\n{endpoint.route_key}: {TRIALS} trials x {RACERS}: {dict(outcomes)}, {stopwatch.report(TRIALS)}")
    if TRIALS > 1:
        assert outcomes["in flight"] > 0 and outcomes["replayed"] > 0, dict(outcomes)


@pytest.mark.slow
@ENDPOINTS
def test_concurrent_creates_of_one_unique_value_make_one_resource(
    endpoint: CreateEndpoint,
    aws: Any,
    store: Store,
    make_partner: Callable[..., Partner],
    pool: ThreadPoolExecutor,
) -> None:
    unique = endpoint.declared.unique
    if unique is None:
        pytest.skip(f"{endpoint.route_key} declares no unique field")
    losses = CommitLosses(store)
    bodies = [endpoint.racer_body(i) for i in range(RACERS)]
    stopwatch = Stopwatch()
    for trial in range(RACE_TRIALS):
        partner = prepared(endpoint, make_partner())
        before = Tally.of(tenant_items(aws, TABLE, partner.tenant_id))
        # Without the sample's query: a plain create (an upsert would update instead).
        events = [
            signed_event(endpoint, partner, body=body, query="", idempotency_key=f"race-{trial}-{i}")
            for i, body in enumerate(bodies)
        ]
        replies = race(pool, [partial(invoke, endpoint, e) for e in events])

        statuses = Counter(r.status for r in replies)
        assert statuses == Counter({201: 1, 409: RACERS - 1}), f"trial {trial}: {statuses}"
        for reply in replies:
            if reply.status == 409:
                assert reply.code == "resource_already_exists", reply.text
                assert reply.json["error"]["param"] == unique

        items = tenant_items(aws, TABLE, partner.tenant_id)
        after = Tally.of(items)
        assert after.created_since(before, endpoint) == (1, expected_events(endpoint)), f"trial {trial}"
        # Every answer, the 409s too, is stored under its own key.
        assert after.idempotency == Counter(completed=RACERS)
        delete_items(aws, TABLE, items)
    summary = f"{RACE_TRIALS} races x {RACERS}: {losses.count} lost at commit"
    print(f"\n{endpoint.route_key}: {summary}, {stopwatch.report(RACE_TRIALS)}")
    # Some requests read no owner of the value and lost at commit: the trials are races.
    # (One race alone may be won before any racer reads: that is the cold trial's case.)
    if RACE_TRIALS > 1:
        assert losses.count > 0


@pytest.mark.slow
@pytest.mark.skipif(bool(os.environ.get(COLD)), reason="already in a cold trial's process")
@ENDPOINTS
def test_the_first_requests_of_a_fresh_process_race_cleanly(
    endpoint: CreateEndpoint, request: pytest.FixtureRequest
) -> None:
    """One race of a unique value, then one trial of one key, as the first requests of a
    fresh process: every first-use path runs under `RACERS` threads at once."""
    case = request.node.callspec.id
    here = Path(__file__).relative_to(ROOT)
    node_ids = [
        f"{here}::test_concurrent_creates_of_one_unique_value_make_one_resource[{case}]",
        f"{here}::test_one_idempotency_key_many_concurrent_requests_make_one_resource[{case}]",
    ]
    env = {**os.environ, COLD: "1", "CONCURRENCY_TRIALS": "1", "CONCURRENCY_RACE_TRIALS": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", *node_ids]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1], done.stdout[-2000:]
