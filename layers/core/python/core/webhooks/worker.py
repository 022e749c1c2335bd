"""The delivery worker: one queue message is one attempt of one delivery.

An attempt reads its delivery, endpoint, event and the endpoint's slots in one batch,
drops a message that is stale (the attempt was recorded already: a duplicate), takes one
of the endpoint's few delivery slots (so a slow endpoint occupies at most that many
workers, and the others keep delivering everyone else's events), checks the URL again,
signs (Standard Webhooks, every active secret) and posts. Then, in this order: the next
attempt is queued (or the delivery goes to the dead-letter queue), and the attempt is
recorded. A worker that dies between the two leaves its message on the queue, so the
attempt runs again; a worker that dies before either does the same.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from standardwebhooks.webhooks import Webhook

from core.events import events
from core.platform import clock, keys, observability
from core.platform.config import Settings
from core.platform.errors import StateConflict
from core.platform.store import Condition, Store
from core.webhooks import deliveries, endpoints, queue, signing_secrets, url_safety

TIMEOUT_SECONDS = 10.0
# A slot is held at most this long (a worker killed mid-attempt frees it by expiry): above
# the attempt's timeout, below the queue's visibility timeout.
SLOT_LEASE_SECONDS = 30
# A message that finds every slot of its endpoint taken waits, then tries again: 1 s, then
# twice as long each time up to 30 s (with jitter), so the backlog of an endpoint that
# times out costs few invocations while it lasts, and a short burst waits little.
BUSY_WAIT_FIRST = 1.0
BUSY_WAIT_MAX = 30.0


def busy_wait(deferrals: int) -> float:
    return min(BUSY_WAIT_MAX, BUSY_WAIT_FIRST * 2**deferrals) * random.uniform(0.75, 1.25)


@dataclass(frozen=True)
class Outcome:
    http_status: int | None
    error: str | None
    duration_ms: int

    @property
    def delivered(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


def slot_key(message: queue.Attempt) -> dict[str, str]:
    return keys.lease_key(message.tenantId, f"webhook_endpoint#{message.endpointId}")


def signed_headers(event_id: str, at: float, body: str, secrets: list[str]) -> dict[str, str]:
    """The three Standard Webhooks headers; during a rotation the signature header holds
    one signature per active secret, and a receiver that knows either accepts it."""
    moment = datetime.fromtimestamp(int(at), tz=UTC)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at)),
        "webhook-signature": " ".join(Webhook(secret).sign(event_id, moment, body) for secret in secrets),
    }


def _claim_slot(
    store: Store, message: queue.Attempt, slots: dict[str, Any], settings: Settings
) -> str | None:
    now = clock.now()
    names = [f"s{i}" for i in range(settings.webhook_endpoint_concurrency)]
    free = [name for name in names if float(slots.get(name, 0)) < now]
    random.shuffle(free)
    for name in free:
        try:
            store.update(
                slot_key(message),
                "SET #slot = :until",
                names={"#slot": name},
                values={":until": now + SLOT_LEASE_SECONDS},
                condition=Condition(
                    "attribute_not_exists(#slot) OR #slot < :now", {"#slot": name}, {":now": now}
                ),
                on_fail=StateConflict("slot taken"),
            )
            return name
        except StateConflict:
            continue  # another worker took it meanwhile
    return None


def _release_slot(store: Store, message: queue.Attempt, slot: str) -> None:
    try:
        store.update(slot_key(message), "REMOVE #slot", names={"#slot": slot})
    except Exception:
        observability.exception("could not release a webhook slot; it expires by itself")


def post(endpoint: dict[str, Any], event: dict[str, Any], settings: Settings) -> Outcome:
    """One signed POST of the event to the endpoint, to the address checked just before."""
    started = time.perf_counter()
    allow = settings.webhook_allow_loopback_http
    try:
        destination = url_safety.parse(endpoint["url"], allow_loopback_http=allow)
        address = url_safety.resolve(destination, allow_loopback_http=allow)
    except url_safety.UnsafeUrl as exc:
        return Outcome(None, f"refused: {exc}", int((time.perf_counter() - started) * 1000))
    now = clock.now()
    secrets = [
        signing_secrets.open_(s["sealed"], tenant_id=endpoint["tenantId"], endpoint_id=endpoint["id"])
        for s in endpoints.active_secrets(endpoint, now)
    ]
    body = json.dumps(events.render(event), separators=(",", ":"), ensure_ascii=False)
    headers = signed_headers(event["id"], now, body, secrets)
    try:
        response = url_safety.post(destination, address, body.encode(), headers, timeout=TIMEOUT_SECONDS)
    except url_safety.DeliveryFailed as exc:
        return Outcome(None, exc.error, exc.duration_ms)
    error = None
    if 300 <= response.status < 400:
        error = "redirects are not followed"
    elif not 200 <= response.status < 300:
        error = f"HTTP {response.status}"
    return Outcome(response.status, error, response.duration_ms)


def _record(
    store: Store, message: queue.Attempt, at: float, outcome: Outcome, status: str, next_at: float | None
) -> None:
    attempt = {
        "at": int(at),
        "httpStatus": outcome.http_status,
        "error": outcome.error,
        "durationMs": outcome.duration_ms,
    }
    expression = "SET attempts = list_append(attempts, :attempt), attemptCount = :n, #status = :status"
    expression += ", updatedAt = :now" + (
        ", nextAttemptAt = :next" if next_at is not None else " REMOVE nextAttemptAt"
    )
    values: dict[str, Any] = {
        ":attempt": [attempt],
        ":n": message.attempt,
        ":status": status,
        ":now": int(clock.now()),
    }
    if next_at is not None:
        values[":next"] = int(next_at)
    # A duplicate message's attempt recorded first wins: one record per attempt.
    with contextlib.suppress(StateConflict):
        store.update(
            keys.entity_key(message.tenantId, message.deliveryId),
            expression,
            names={"#status": "status"},
            values=values,
            condition=Condition(
                "attemptCount = :before AND #status = :pending",
                {"#status": "status"},
                {":before": message.attempt - 1, ":pending": "pending"},
            ),
            on_fail=StateConflict("recorded by another worker"),
        )


def settle(
    store: Store,
    settings: Settings,
    message: queue.Attempt,
    delivery: dict[str, Any],
    at: float,
    outcome: Outcome,
) -> str:
    """Queue what comes next, then record the attempt; answers the delivery's status."""
    if outcome.delivered:
        _record(store, message, at, outcome, "succeeded", None)
        return "succeeded"
    now = clock.now()
    wait = deliveries.retry_delay(message.attempt)
    final = wait is None or outcome.error in (ENDPOINT_DELETED, ENDPOINT_DISABLED)
    if final:
        queue.send_dead_letter(
            settings.webhook_dead_letter_queue_url, delivery, failed_at=now, attempts=message.attempt
        )
        _record(store, message, at, outcome, "failed", None)
        return "failed"
    assert wait is not None
    next_message = message.next(now + wait)
    queue.send(settings.webhook_queue_url, next_message, now=now)
    _record(store, message, at, outcome, "pending", next_message.notBefore)
    return "pending"


ENDPOINT_DELETED = "the endpoint was deleted"
ENDPOINT_DISABLED = "the endpoint is disabled"


def attempt(store: Store, settings: Settings, message: queue.Attempt) -> str:
    """One attempt; answers what became of it (for logs and tests)."""
    now = clock.now()
    if message.notBefore > now + 1:
        queue.send(settings.webhook_queue_url, message, now=now)  # the next link of a long wait
        return "waiting"
    tenant = keys.tenant_pk(message.tenantId)
    found = store.batch_get(
        [
            keys.entity_key(message.tenantId, message.deliveryId),
            keys.entity_key(message.tenantId, message.endpointId),
            keys.entity_key(message.tenantId, message.eventId),
            slot_key(message),
        ],
        consistent=True,
    )
    delivery = found.get((tenant, message.deliveryId))
    if delivery is None or delivery["status"] != "pending" or delivery["attemptCount"] != message.attempt - 1:
        return "stale"
    endpoint = found.get((tenant, message.endpointId))
    event = found.get((tenant, message.eventId))
    if endpoint is None or event is None or endpoint["status"] != "enabled":
        error = ENDPOINT_DISABLED if endpoint is not None and event is not None else ENDPOINT_DELETED
        return settle(store, settings, message, delivery, now, Outcome(None, error, 0))
    slot = _claim_slot(store, message, found.get((tenant, slot_key(message)["SK"])) or {}, settings)
    if slot is None:
        queue.send(settings.webhook_queue_url, message.deferred(now + busy_wait(message.deferrals)), now=now)
        return "busy"
    try:
        outcome = post(endpoint, event, settings)
    finally:
        _release_slot(store, message, slot)
    return settle(store, settings, message, delivery, now, outcome)


def handle(event: dict[str, Any], store: Store, settings: Settings) -> dict[str, Any]:
    """An SQS batch (ReportBatchItemFailures): a message whose attempt raised goes back to
    the queue and runs again after its visibility timeout."""
    failures = []
    for record in event.get("Records", []):
        try:
            attempt(store, settings, queue.Attempt.parse(record["body"]))
        except Exception:
            observability.exception("webhook attempt failed; the message is retried")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
