"""The queue of delivery attempts (SQS) and the dead-letter queue of failed deliveries.

One message per attempt: `{tenantId, endpointId, deliveryId, eventId, attempt,
notBefore}`. SQS delays a message by at most 15 minutes, so a longer wait is a chain: the
worker finds `notBefore` still ahead and sends the message on again with the rest of the
wait. The schedule thus lives in SQS (days), not in the stream (24 h).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from core.platform import aws, snapstart

MAX_DELAY_SECONDS = 900  # SQS's limit


@dataclass(frozen=True)
class Attempt:
    tenantId: str
    endpointId: str
    deliveryId: str
    eventId: str
    attempt: int
    notBefore: float
    # Times this attempt found every slot of its endpoint taken (it waits longer each time).
    deferrals: int = 0

    @classmethod
    def parse(cls, body: str) -> Attempt:
        data = json.loads(body)
        return cls(**{name: data[name] for name in cls.__dataclass_fields__ if name in data})

    def next(self, not_before: float) -> Attempt:
        return replace(self, attempt=self.attempt + 1, notBefore=not_before)

    def deferred(self, not_before: float) -> Attempt:
        return replace(self, notBefore=not_before, deferrals=self.deferrals + 1)


def first_attempt(delivery: dict[str, Any]) -> Attempt:
    return Attempt(
        tenantId=delivery["tenantId"],
        endpointId=delivery["endpointId"],
        deliveryId=delivery["id"],
        eventId=delivery["eventId"],
        attempt=1,
        notBefore=float(delivery["nextAttemptAt"]),
    )


def delay_for(message: Attempt, now: float) -> int:
    return max(0, min(MAX_DELAY_SECONDS, math.ceil(message.notBefore - now)))


def send(queue_url: str, message: Attempt, *, now: float) -> None:
    aws.client("sqs").send_message(
        QueueUrl=queue_url, MessageBody=json.dumps(asdict(message)), DelaySeconds=delay_for(message, now)
    )


def send_dead_letter(queue_url: str, delivery: dict[str, Any], *, failed_at: float, attempts: int) -> None:
    body = {
        "tenantId": delivery["tenantId"],
        "endpointId": delivery["endpointId"],
        "deliveryId": delivery["id"],
        "eventId": delivery["eventId"],
        "eventType": delivery["eventType"],
        "attempts": attempts,
        "failedAt": int(failed_at),
    }
    aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))


# Before a SnapStart snapshot: the SQS client (creating one costs ~30-60 ms).
snapstart.warm(lambda: aws.client("sqs"))
