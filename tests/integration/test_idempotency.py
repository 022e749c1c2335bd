"""Idempotency as API.md says: replay, both 409s, limits, expiry, and no double writes."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from core.platform import clock, idempotency
from core.platform.http import Request
from core.platform.store import Store
from partner_sdk import signing
from tests.integration.conftest import scan_all
from tests.support.harness import Partner, call, make_event

CREATE = "signing_keys/create"
LIST = "signing_keys/list"
DELETE = "signing_keys/delete"


def pem() -> str:
    return signing.public_key_pem(signing.generate_private_key("ed25519"))


def create(partner: Partner, body: dict[str, Any], key: str | None, **kw: Any):
    return call(CREATE, "POST", "/v1/signing-keys", partner=partner, body=body, idempotency_key=key, **kw)


def signing_key_items(client: Any) -> list[dict[str, Any]]:
    return [i for i in scan_all(client) if i.get("type", {}).get("S") == "signing_key"]


def test_same_key_same_request_replays_byte_for_byte(aws: Any, partner: Partner) -> None:
    body = {"publicKey": pem()}
    first = create(partner, body, "k-1")
    second = create(partner, body, "k-1")
    assert first.status == second.status == 201
    assert second.text == first.text
    assert second.headers["Idempotency-Replayed"] == "true"
    assert "Idempotency-Replayed" not in first.headers
    assert second.headers["Request-Id"] == first.headers["Request-Id"]
    assert len(signing_key_items(aws)) == 2  # the onboarding key and this one


def test_same_key_different_body_is_409_duplicate(partner: Partner) -> None:
    assert create(partner, {"publicKey": pem()}, "k-2").status == 201
    reply = create(partner, {"publicKey": pem()}, "k-2")
    assert (reply.status, reply.code) == (409, "duplicate_idempotency_key")
    assert reply.json["error"]["type"] == "idempotency_error"


def test_same_key_other_path_is_409_duplicate(partner: Partner) -> None:
    assert create(partner, {"publicKey": pem()}, "k-3").status == 201
    reply = call(
        DELETE,
        "DELETE",
        f"/v1/signing-keys/{partner.signing_key_id}",
        partner=partner,
        path_params={"keyId": partner.signing_key_id},
        idempotency_key="k-3",
    )
    assert (reply.status, reply.code) == (409, "duplicate_idempotency_key")


def test_in_flight_is_409_with_retry_after(store: Store, partner: Partner) -> None:
    body = {"publicKey": pem()}
    # A first request has claimed the key and not finished.
    raw = json.dumps(body).encode()
    request = Request.from_event(make_event("POST", "/v1/signing-keys", body=raw))
    claim = idempotency.claim(store, request, partner.tenant_id, "k-4", now=time.time(), lease_seconds=30)
    assert isinstance(claim, idempotency.Claim)
    reply = create(partner, body, "k-4")
    assert (reply.status, reply.code) == (409, "idempotency_key_in_flight")
    assert 1 <= int(reply.headers["Retry-After"]) <= 30
    # Once the lease of a request that died has passed, a retry runs.
    clock.set_source(lambda: time.time() + 31)
    assert create(partner, body, "k-4", now=time.time() + 31).status == 201


@pytest.mark.parametrize(("length", "status"), [(128, 201), (129, 400)])
def test_key_length_limit(partner: Partner, length: int, status: int) -> None:
    reply = create(partner, {"publicKey": pem()}, "k" * length)
    assert reply.status == status
    if status == 400:
        assert reply.code == "idempotency_key_invalid"
        assert reply.json["error"]["param"] == "Idempotency-Key"


def test_non_printable_key_is_400(partner: Partner) -> None:
    reply = create(partner, {"publicKey": pem()}, "bad\tkey")
    assert (reply.status, reply.code) == (400, "idempotency_key_invalid")


def test_a_4xx_from_the_endpoint_is_stored_and_replayed(aws: Any, partner: Partner) -> None:
    args = dict(partner=partner, path_params={"keyId": partner.signing_key_id}, idempotency_key="k-5")
    first = call(DELETE, "DELETE", f"/v1/signing-keys/{partner.signing_key_id}", **args)
    assert first.code == "state_conflict"
    # The situation changes (a second key now exists), but the key replays the first answer.
    assert create(partner, {"publicKey": pem()}, None).status == 201
    second = call(DELETE, "DELETE", f"/v1/signing-keys/{partner.signing_key_id}", **args)
    assert (second.status, second.code, second.text) == (409, "state_conflict", first.text)
    assert second.headers["Idempotency-Replayed"] == "true"


def test_validation_errors_are_not_stored(partner: Partner) -> None:
    assert create(partner, {"publicKey": pem(), "bogus": 1}, "k-6").status == 400
    # Same key, now a valid (different) body: runs, because nothing was stored.
    assert create(partner, {"publicKey": pem()}, "k-6").status == 201


def test_authentication_failures_are_not_stored(partner: Partner) -> None:
    body = {"publicKey": pem()}
    assert create(partner, body, "k-7", sign=False).code == "signature_missing"
    assert create(partner, body, "k-7").status == 201


def test_a_5xx_is_not_stored_and_the_retry_runs(aws: Any, partner: Partner, monkeypatch: Any) -> None:
    body = {"publicKey": pem()}
    original = Store.transact

    def failing(self: Store, writes: Any, **kw: Any) -> None:
        raise RuntimeError("dynamodb is down")

    monkeypatch.setattr(Store, "transact", failing)
    assert create(partner, body, "k-8").status == 500
    monkeypatch.setattr(Store, "transact", original)
    reply = create(partner, body, "k-8")
    assert reply.status == 201 and "Idempotency-Replayed" not in reply.headers
    assert len(signing_key_items(aws)) == 2


def test_crash_after_commit_before_response_then_retry_creates_nothing_twice(
    aws: Any, partner: Partner, monkeypatch: Any
) -> None:
    body = {"publicKey": pem()}
    original = Store.transact

    def commit_then_crash(self: Store, writes: Any, **kw: Any) -> None:
        original(self, writes, **kw)
        raise RuntimeError("the function was killed after the commit")

    monkeypatch.setattr(Store, "transact", commit_then_crash)
    assert create(partner, body, "k-9").status == 500
    monkeypatch.setattr(Store, "transact", original)
    retry = create(partner, body, "k-9")
    assert retry.status == 201
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert len(signing_key_items(aws)) == 2


def test_an_expired_record_is_ignored_on_read(aws: Any, partner: Partner) -> None:
    body = {"publicKey": pem()}
    first = create(partner, body, "k-10")
    later = time.time() + idempotency.RETENTION_SECONDS + 5
    clock.set_source(lambda: later)
    # The record is still in the table (TTL deletion lags), but it has expired: the request
    # runs again, and the duplicate public key now answers 409 from the endpoint itself.
    second = create(partner, body, "k-10", now=later)
    assert second.code == "resource_already_exists"
    assert first.status == 201


def test_records_carry_a_24h_ttl(aws: Any, partner: Partner) -> None:
    before = int(time.time())
    create(partner, {"publicKey": pem()}, "k-11")
    record = next(i for i in scan_all(aws) if i["SK"]["S"] == "IDEM#k-11")
    expires = int(record["expiresAt"]["N"])
    assert before + 24 * 3600 <= expires <= int(time.time()) + 24 * 3600
    assert record["state"]["S"] == "completed"


def test_without_a_key_nothing_is_deduplicated(aws: Any, partner: Partner) -> None:
    assert create(partner, {"publicKey": pem()}, None).status == 201
    assert not [i for i in scan_all(aws) if i["SK"]["S"].startswith("IDEM#")]


@pytest.mark.slow
def test_20_concurrent_requests_with_one_key_create_exactly_one(aws: Any, partner: Partner) -> None:
    body = {"publicKey": pem()}
    replies: list[Any] = []
    barrier = threading.Barrier(20)

    def worker() -> None:
        barrier.wait()
        replies.append(create(partner, body, "k-concurrent"))

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in replies)
    assert set(statuses) <= {201, 409}
    created_ids = {r.json["id"] for r in replies if r.status == 201}
    assert len(created_ids) == 1
    assert all(r.code == "idempotency_key_in_flight" for r in replies if r.status == 409)
    assert len(signing_key_items(aws)) == 2
