"""Faults on every create endpoint (tests/support/create_endpoints.py), handlers in-process
against moto.

Crashes at each boundary of a write (tests/support/crashes.py), then a retry with the same
Idempotency-Key: exactly one resource and one event, and an answer byte-identical to what
the request would have answered unbroken. Byte-identical means: the retry's status, body
bytes and headers are those the crashed request built and stored (its Request-Id included;
a replay adds only `Idempotency-Replayed: true`), and every later replay repeats them
exactly. A run of the same request by another partner cannot share the bytes (ids, times,
tokens and nonces differ by nature); it shares the status, the header names and the body's
structure, which is checked too.

DynamoDB throttling and transaction conflicts (tests/support/dynamodb_faults.py): the
request succeeds after retries, or fails with a clean 500 envelope having written nothing
and released its claim, so a later retry with the same key runs.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.retries import standard

from core.platform import clock, pipeline
from core.platform.store import TRANSACTION_CONFLICT_RETRIES, Store
from tests.integration.conftest import TABLE, emulated_table
from tests.support import crashes
from tests.support.create_endpoints import CreateEndpoint, create_endpoint_ids, create_endpoints
from tests.support.dynamodb_faults import DynamoDBFaults
from tests.support.harness import Partner, Reply
from tests.support.write_trials import (
    Tally,
    body_shape,
    expected_events,
    invoke,
    prepared,
    signed_event,
    tenant_items,
)

ENDPOINTS = pytest.mark.parametrize("endpoint", create_endpoints(), ids=create_endpoint_ids())
REPLAYED = "Idempotency-Replayed"


def send(endpoint: CreateEndpoint, partner: Partner, key: str, *, now: float | None = None) -> Reply:
    return invoke(endpoint, signed_event(endpoint, partner, idempotency_key=key, now=now))


def items_of(aws: Any, partner: Partner) -> list[dict[str, Any]]:
    return tenant_items(aws, TABLE, partner.tenant_id)


def without_idempotency(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i.get("type") != "idempotency"]


def assert_created_once(aws: Any, partner: Partner, endpoint: CreateEndpoint, before: Tally) -> None:
    after = Tally.of(items_of(aws, partner))
    assert after.created_since(before, endpoint) == (1, expected_events(endpoint))
    assert after.idempotency == Counter(completed=1)


def assert_replays_repeat(endpoint: CreateEndpoint, partner: Partner, key: str, answer: Reply) -> None:
    """Every later request with the key replays `answer` exactly (plus the replay header)."""
    again = send(endpoint, partner, key)
    assert again.status == answer.status
    assert again.text == endpoint.as_replayed(answer.text)
    assert again.headers == {**answer.headers, REPLAYED: "true"}
    assert send(endpoint, partner, key).headers == again.headers


def assert_like_unbroken(endpoint: CreateEndpoint, answer: Reply, unbroken: Reply) -> None:
    """Another partner's unbroken run of the request: the same status, header names and
    body structure (its ids, times and tokens are its own; a replay leaves out what is
    shown once)."""
    assert answer.status == unbroken.status
    assert set(answer.headers) - {REPLAYED} == set(unbroken.headers)
    if REPLAYED in answer.headers:
        unbroken = Reply(unbroken.status, unbroken.headers, endpoint.as_replayed(unbroken.text))
    assert body_shape(answer) == body_shape(unbroken)


@pytest.fixture(scope="module")
def aws() -> Iterator[Any]:
    """One table for the module: each test works in partners (tenants) of its own."""
    with pytest.MonkeyPatch.context() as patch, emulated_table(patch) as client:
        yield client


@pytest.fixture(autouse=True)
def real_clock() -> Iterator[None]:
    # A new DynamoDB client per test: botocore's retry quota is per client, and the
    # module's many injected failures would otherwise spend it before the last tests.
    pipeline.reset_runtime()
    yield
    clock.reset()


@pytest.fixture
def partner(make_partner: Callable[..., Partner], endpoint: CreateEndpoint) -> Partner:
    """A new partner whose tenant holds what the endpoint's sample needs."""
    return prepared(endpoint, make_partner())


@pytest.fixture
def lease(store: Store) -> int:
    """IDEMPOTENCY_LEASE_SECONDS, as the handlers read it."""
    return pipeline.runtime()[0].idempotency_lease_seconds


# -- crashes ---------------------------------------------------------------------------


@ENDPOINTS
@pytest.mark.parametrize("kind", sorted(crashes.KINDS))
@pytest.mark.parametrize("boundary", crashes.BOUNDARIES)
def test_crash_at_a_boundary_then_retry_with_the_same_key(
    endpoint: CreateEndpoint,
    boundary: str,
    kind: str,
    aws: Any,
    make_partner: Callable[..., Partner],
    lease: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unbroken = send(endpoint, prepared(endpoint, make_partner()), "unbroken")
    assert unbroken.status == 201, unbroken.text

    partner, key = prepared(endpoint, make_partner()), "crash-1"
    before_items = items_of(aws, partner)
    before = Tally.of(before_items)
    plan = crashes.install(monkeypatch, boundary, kind)

    # The crash.
    if kind == "killed" or boundary == "before_response":
        # Nothing answers: the function died (API Gateway answers 502 / 500 by itself).
        with pytest.raises(plan.error):
            send(endpoint, partner, key)
    else:
        first = send(endpoint, partner, key)
        assert (first.status, first.code) == (500, "internal")
    assert plan.fired

    # What the crash left, and the retry.
    if boundary == "after_claim":
        left = items_of(aws, partner)
        assert without_idempotency(left) == without_idempotency(before_items)  # nothing written
        if kind == "exception":
            assert Tally.of(left).idempotency == Counter()  # the claim was released
            answer = send(endpoint, partner, key)
        else:
            # The dead request's claim holds the key until its lease ends.
            assert Tally.of(left).idempotency == Counter(in_progress=1)
            blocked = send(endpoint, partner, key)
            assert (blocked.status, blocked.code) == (409, "idempotency_key_in_flight")
            assert 1 <= int(blocked.headers["Retry-After"]) <= lease
            assert items_of(aws, partner) == left
            later = time.time() + lease + 1
            clock.set_source(lambda: later)
            answer = send(endpoint, partner, key, now=later)
        assert answer.status == 201 and REPLAYED not in answer.headers, answer.text
    else:
        answer = send(endpoint, partner, key)
        assert answer.status == 201 and answer.headers.get(REPLAYED) == "true", answer.text
        # Byte-identical to what the crashed request built and stored.
        stored = plan.stored
        assert stored is not None
        assert (answer.status, answer.text) == (stored.status, endpoint.as_replayed(stored.body))
        assert answer.headers["Request-Id"] == stored.request_id
        if plan.output is not None:  # before_response: the very event the function would have returned
            assert answer.headers == {**plan.output["headers"], REPLAYED: "true"}
            assert answer.text == endpoint.as_replayed(plan.output["body"])

    assert_created_once(aws, partner, endpoint, before)
    assert_replays_repeat(endpoint, partner, key, answer)
    assert_like_unbroken(endpoint, answer, unbroken)


# -- throttling and transaction conflicts -----------------------------------------------


@pytest.fixture
def faults(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDBFaults]:
    # botocore waits up to 1, 2, 4, 8 s between attempts: the attempts are what is tested.
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    injected = DynamoDBFaults(store.client)
    yield injected
    injected.close()


@ENDPOINTS
@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_throttled_calls_are_retried_and_the_request_succeeds(
    endpoint: CreateEndpoint,
    code: str,
    aws: Any,
    partner: Partner,
    faults: DynamoDBFaults,
) -> None:
    before = Tally.of(items_of(aws, partner))
    for operation in ("GetItem", "PutItem", "TransactWriteItems"):
        faults.refuse(operation, code, times=2)
    answer = send(endpoint, partner, "throttled")
    assert answer.status == 201, answer.text
    # One claim and one commit, each sent three times by botocore.
    assert faults.attempts["PutItem"] == 3
    assert faults.attempts["TransactWriteItems"] == 3
    assert_created_once(aws, partner, endpoint, before)
    assert_replays_repeat(endpoint, partner, "throttled", answer)


@ENDPOINTS
@pytest.mark.parametrize("reason", ["TransactionConflict", "ThrottlingError"])
def test_a_cancelled_commit_is_retried_with_the_same_token(
    endpoint: CreateEndpoint,
    reason: str,
    aws: Any,
    partner: Partner,
    faults: DynamoDBFaults,
) -> None:
    before = Tally.of(items_of(aws, partner))
    faults.refuse("TransactWriteItems", "TransactionCanceledException", times=2, reason=reason)
    answer = send(endpoint, partner, "conflict")
    assert answer.status == 201, answer.text
    sent = faults.bodies["TransactWriteItems"]
    assert len(sent) == 3
    # The same transaction each time, under one ClientRequestToken: applied at most once.
    assert len({b["ClientRequestToken"] for b in sent}) == 1
    assert all(b["TransactItems"] == sent[0]["TransactItems"] for b in sent)
    assert_created_once(aws, partner, endpoint, before)


@ENDPOINTS
def test_a_claim_conflicting_with_a_transaction_is_retried(
    endpoint: CreateEndpoint, aws: Any, partner: Partner, faults: DynamoDBFaults
) -> None:
    """A single write on an item that a transaction holds is refused with
    TransactionConflictException (a concurrent request committing under the same key)."""
    before = Tally.of(items_of(aws, partner))
    faults.refuse("PutItem", "TransactionConflictException", times=2)
    answer = send(endpoint, partner, "claim-conflict")
    assert answer.status == 201, answer.text
    assert faults.attempts["PutItem"] == 3
    assert_created_once(aws, partner, endpoint, before)


@ENDPOINTS
@pytest.mark.parametrize(
    ("code", "reason", "retried_by"),
    [
        ("ProvisionedThroughputExceededException", None, "botocore"),
        ("TransactionCanceledException", "TransactionConflict", "store"),
        ("InternalServerError", None, "botocore"),
    ],
)
def test_a_commit_that_keeps_failing_is_a_clean_500_and_a_later_retry_runs(
    endpoint: CreateEndpoint,
    code: str,
    reason: str | None,
    retried_by: str,
    aws: Any,
    store: Store,
    partner: Partner,
    faults: DynamoDBFaults,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Conflicts: the store's retries, then the pipeline's re-runs (3 here, the time budget
    # out of the way), each re-run a transaction with the store's retries.
    monkeypatch.setattr(pipeline, "RACE_RETRIES", 3)
    monkeypatch.setattr(pipeline, "CONTENTION_SECONDS", 600.0)
    attempts = {
        "botocore": store.client.meta.config.retries["total_max_attempts"],
        "store": TRANSACTION_CONFLICT_RETRIES + 1,
    }[retried_by]
    before_items = items_of(aws, partner)
    before = Tally.of(before_items)
    faults.refuse("TransactWriteItems", code, reason=reason)
    failed = send(endpoint, partner, "persistent")
    assert (failed.status, failed.code) == (500, "internal")
    # The envelope says nothing of the cause (that is in the log).
    assert failed.json == {
        "error": {
            "type": "api_error",
            "code": "internal",
            "message": "An internal error occurred.",
            "requestId": failed.headers["Request-Id"],
        }
    }
    reruns = 3 if retried_by == "store" else 1
    assert faults.attempts["TransactWriteItems"] == attempts * reruns
    # Nothing written, and the claim released.
    assert items_of(aws, partner) == before_items

    faults.clear()
    answer = send(endpoint, partner, "persistent")
    assert answer.status == 201 and REPLAYED not in answer.headers, answer.text
    assert_created_once(aws, partner, endpoint, before)


@ENDPOINTS
def test_when_the_release_fails_too_the_lease_frees_the_key(
    endpoint: CreateEndpoint,
    aws: Any,
    partner: Partner,
    faults: DynamoDBFaults,
    lease: int,
) -> None:
    """DynamoDB refuses every write after the claim, the claim's release included: a 500,
    nothing but the claim written, a 409 until the lease ends, then the retry runs."""
    before_items = items_of(aws, partner)
    before = Tally.of(before_items)
    faults.refuse("TransactWriteItems", "ProvisionedThroughputExceededException")
    faults.refuse("DeleteItem", "ProvisionedThroughputExceededException")
    failed = send(endpoint, partner, "stuck")
    assert (failed.status, failed.code) == (500, "internal")
    left = items_of(aws, partner)
    assert without_idempotency(left) == without_idempotency(before_items)
    assert Tally.of(left).idempotency == Counter(in_progress=1)

    faults.clear()
    blocked = send(endpoint, partner, "stuck")
    assert (blocked.status, blocked.code) == (409, "idempotency_key_in_flight")
    assert 1 <= int(blocked.headers["Retry-After"]) <= lease
    later = math.ceil(time.time()) + lease + 1
    clock.set_source(lambda: later)
    answer = send(endpoint, partner, "stuck", now=later)
    assert answer.status == 201 and REPLAYED not in answer.headers, answer.text
    assert_created_once(aws, partner, endpoint, before)


# -- answers lost after DynamoDB applied the write ----------------------------------------


@ENDPOINTS
@pytest.mark.parametrize("operation", ["PutItem", "TransactWriteItems"])
def test_a_write_applied_whose_answer_is_lost_is_retried_safely(
    endpoint: CreateEndpoint, operation: str, aws: Any, partner: Partner, faults: DynamoDBFaults
) -> None:
    """botocore sends a write again when its answer is lost (a 500, a timeout): the claim
    (PutItem) must recognise itself, the commit (TransactWriteItems) carries the same
    ClientRequestToken so DynamoDB does not apply it twice."""
    before = Tally.of(items_of(aws, partner))
    faults.lose(operation)
    answer = send(endpoint, partner, "lost")
    assert answer.status == 201 and REPLAYED not in answer.headers, answer.text
    assert faults.attempts[operation] == 2
    assert_created_once(aws, partner, endpoint, before)
    assert_replays_repeat(endpoint, partner, "lost", answer)


@pytest.mark.parametrize(
    "endpoint",
    [e for e in create_endpoints() if e.declared.resource == "ledger_transaction"],
    ids=["booking"],
)
def test_conflicts_past_the_contention_budget_answer_500_without_rerunning(
    endpoint: CreateEndpoint, partner: Partner, faults: DynamoDBFaults, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past CONTENTION_SECONDS a request stops re-running a transaction DynamoDB keeps
    cancelling: one round of the store's retries here, then a clean 500."""
    monkeypatch.setattr(pipeline, "CONTENTION_SECONDS", 0.0)
    faults.refuse("TransactWriteItems", "TransactionCanceledException", reason="TransactionConflict")
    failed = send(endpoint, partner, "budget")
    assert (failed.status, failed.code) == (500, "internal")
    assert faults.attempts["TransactWriteItems"] == TRANSACTION_CONFLICT_RETRIES + 1
