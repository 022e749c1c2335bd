"""Idempotency as API.md says: claim, replay, the two 409s, and a stored answer that
commits in the same transaction as the business writes.

Record states: `in_progress` (claimed, with a lease and a token) and `completed` (the
answer). A record whose `expiresAt` (24 h, also the TTL attribute) has passed counts as
absent even before DynamoDB's TTL sweeper deletes it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import secrets
from dataclasses import dataclass
from typing import Any

from core.platform import keys
from core.platform.errors import DuplicateIdempotencyKey, IdempotencyKeyInFlight, IdempotencyKeyInvalid
from core.platform.http import Request, Response
from core.platform.store import Condition, Store, Tx

RETENTION_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 128
HEADER = "idempotency-key"


@dataclass(frozen=True)
class Claim:
    tenant_id: str
    key: str
    token: str
    fingerprint: str

    @property
    def record_key(self) -> dict[str, str]:
        return keys.idempotency_key(self.tenant_id, self.key)


def key_from(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all(33 <= ord(c) <= 126 or c == " " for c in key):
        raise IdempotencyKeyInvalid(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
            param="Idempotency-Key",
        )
    return key


def fingerprint(request: Request) -> str:
    """Same key + same request means same method, path, query and body bytes."""
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.raw_path.encode(), request.raw_query.encode()):
        digest.update(part + b"\x00")
    digest.update(request.body)
    return digest.hexdigest()


def claim(
    store: Store, request: Request, tenant_id: str, key: str, *, now: float, lease_seconds: int
) -> Claim | Response:
    """Claim the key for this request, or answer with the stored response / a 409."""
    result = Claim(tenant_id, key, secrets.token_hex(16), fingerprint(request))
    item = {
        "type": "idempotency",
        "state": "in_progress",
        "token": result.token,
        "fingerprint": result.fingerprint,
        "leaseUntil": int(now) + lease_seconds,
        "expiresAt": int(now) + RETENTION_SECONDS,
        "createdAt": int(now),
    }
    condition = Condition(
        "attribute_not_exists(PK) OR expiresAt < :now OR (#state = :inProgress AND leaseUntil < :now)",
        {"#state": "state"},
        {":now": int(now), ":inProgress": "in_progress"},
    )
    holder: dict[str, Any] = {}

    def remember(old: dict[str, Any] | None) -> IdempotencyKeyInFlight:
        holder["old"] = old
        return IdempotencyKeyInFlight("A request with this Idempotency-Key is still in progress.")

    try:
        store.put(result.record_key, item, condition=condition, on_fail=remember)
    except IdempotencyKeyInFlight as exc:
        old = holder.get("old") or {}
        if old.get("token") == result.token and old.get("state") == "in_progress":
            # Our own claim: the put was applied, its answer lost, and botocore sent it again.
            return result
        if old.get("fingerprint") != result.fingerprint:
            raise DuplicateIdempotencyKey(
                "This Idempotency-Key was used with a different request.", param="Idempotency-Key"
            ) from None
        if old.get("state") == "completed":
            return replay(old)
        retry_after = max(1, math.ceil(float(old.get("leaseUntil", now + 1)) - now))
        exc.headers["Retry-After"] = str(retry_after)
        raise
    return result


def replay(record: dict[str, Any]) -> Response:
    stored = record["response"]
    headers = dict(stored.get("headers") or {})
    headers["Idempotency-Replayed"] = "true"
    return Response(status=int(stored["status"]), headers=headers, text=stored.get("body") or "")


def _stored(response: Response, request_id: str) -> dict[str, Any]:
    return {
        "status": response.status,
        # As text: a DynamoDB map does not keep key order, and a replay is byte-identical.
        "body": response.body_text()
        if response.replay_body is None
        else json.dumps(response.replay_body, separators=(",", ":"), ensure_ascii=False),
        "headers": {"Request-Id": request_id, **response.headers},
    }


def _completion(claim_: Claim, response: Response, request_id: str) -> tuple[str, dict[str, Any], Condition]:
    expression = "SET #state = :completed, #response = :response REMOVE leaseUntil"
    values = {":completed": "completed", ":response": _stored(response, request_id)}
    condition = Condition(
        "#state = :inProgress AND #token = :token",
        {"#token": "token"},
        {":inProgress": "in_progress", ":token": claim_.token},
    )
    return expression, values, condition


def complete_in(tx: Tx, claim_: Claim, response: Response, request_id: str, on_fail: Any) -> None:
    """Store the answer in the same transaction as the business writes. The condition on
    our own token means a request whose lease was taken over cannot commit twice."""
    expression, values, condition = _completion(claim_, response, request_id)
    tx.update(
        claim_.record_key,
        expression,
        names={"#state": "state", "#response": "response"},
        values=values,
        condition=condition,
        on_fail=on_fail,
    )


def read(store: Store, claim_: Claim) -> dict[str, Any] | None:
    return store.get(claim_.record_key, consistent=True)


def release(store: Store, claim_: Claim) -> None:
    """Drop our claim (a 5xx or an authentication failure): a retry runs again."""
    with contextlib.suppress(IdempotencyKeyInFlight):  # already taken over: not ours to drop
        store.delete(
            claim_.record_key,
            # Only a claim still in progress: a committed answer (the crash came after the
            # commit) must stay, so the retry replays it instead of running twice.
            condition=Condition(
                "#token = :token AND #state = :inProgress",
                {"#token": "token", "#state": "state"},
                {":token": claim_.token, ":inProgress": "in_progress"},
            ),
            on_fail=IdempotencyKeyInFlight("released by another request"),
        )
