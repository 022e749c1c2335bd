"""Webhook delivery in-process: template.yaml's key and queues on moto, the dispatcher and
the worker driven by the local API's own pollers (localapi.webhooks), and a clock the
tests move instead of sleeping."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from core.platform import clock, pipeline
from core.webhooks import queue
from localapi import webhooks as local
from localapi.template import EventSource, event_sources, load_template
from tests.support.harness import Partner, call, handler_module

WEBHOOK_ENV = {
    **local.RESOURCE_ENV,  # the key and queues every integration test's moto has
    # The receivers of these tests listen on 127.0.0.1 over http, as in the sandbox.
    "WEBHOOK_ALLOW_LOOPBACK_HTTP": "true",
}


def _source(kind: str) -> EventSource:
    (source,) = [s for s in event_sources(load_template()) if s.kind == kind]
    return source


@dataclass
class Delivery:
    """The dispatcher and the worker, and the moto clients to look at what they did."""

    aws: Any  # the table's boto3 client
    table: str
    now: float
    stream: local.StreamPoller = field(init=False)
    queue: local.QueuePoller = field(init=False)

    def __post_init__(self) -> None:
        stream_arn = self.aws.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        dispatch = handler_module("webhooks/dispatch").lambda_handler
        deliver = handler_module("webhooks/deliver").lambda_handler
        self.stream = local.StreamPoller(_source("DynamoDB"), dispatch, stream_arn)
        self.queue = local.QueuePoller(
            _source("SQS"), deliver, WEBHOOK_ENV["WEBHOOK_QUEUE_URL"], concurrency=1
        )
        self.sqs = local.client("sqs")
        clock.set_source(lambda: self.now)

    def dispatch(self) -> int:
        handled = 0
        while (n := self.stream.poll_once()) > 0:
            handled += n
        return handled

    def due_messages(self) -> list[dict[str, Any]]:
        out = self.sqs.receive_message(
            QueueUrl=self.queue.queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0, AttributeNames=["All"]
        )
        return out.get("Messages") or []

    def deliver(self, *, follow_time: bool = False, max_rounds: int = 200) -> int:
        """Run the worker until the queue is empty. With `follow_time`, the clock jumps to
        each message's `notBefore` (the retry schedule without waiting for it)."""
        handled = 0
        for _ in range(max_rounds):
            waiting = [queue.Attempt.parse(m["Body"]).notBefore for m in self.due_messages()]
            if not waiting:
                return handled
            if follow_time:
                self.now = max(self.now, min(waiting))
            elif min(waiting) > self.now + 1:
                return handled  # only later retries are left
            handled += self.queue.poll_once()
        raise AssertionError("the delivery queue did not drain")

    def run(self, *, follow_time: bool = False) -> None:
        """Dispatch and deliver until nothing is left."""
        for _ in range(50):
            moved = self.dispatch()
            moved += self.deliver(follow_time=follow_time)
            if moved == 0:
                return
        raise AssertionError("deliveries kept coming")

    def dead_letters(self) -> list[dict[str, Any]]:
        url = WEBHOOK_ENV["WEBHOOK_DEAD_LETTER_QUEUE_URL"]
        out = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        return [json.loads(m["Body"]) for m in out.get("Messages") or []]


@contextmanager
def webhook_delivery(monkeypatch: pytest.MonkeyPatch, aws: Any, table: str, now: float) -> Iterator[Delivery]:
    for name, value in WEBHOOK_ENV.items():
        monkeypatch.setenv(name, value)
    # SQS holds a delayed message for real seconds; these tests move the clock instead,
    # so the chain of waits is made of links of zero seconds that the worker re-checks.
    monkeypatch.setattr(queue, "MAX_DELAY_SECONDS", 0)
    pipeline.reset_runtime()
    try:
        yield Delivery(aws, table, now)
    finally:
        clock.reset()
        pipeline.reset_runtime()


def create_customer(partner: Partner, now: float | None = None) -> dict[str, Any]:
    reply = call(
        "customers/create",
        "POST",
        "/v1/customers",
        partner=partner,
        body={
            "type": "individual",
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "country": "GB",
            "externalId": f"crm-{uuid.uuid4().hex[:12]}",
        },
        now=now,
    )
    assert reply.status == 201, reply.text
    return dict(reply.json)


def create_endpoint(
    partner: Partner, url: str, events: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    reply = call(
        "webhook_endpoints/create",
        "POST",
        "/v1/webhook-endpoints",
        partner=partner,
        body={"url": url, "events": events or ["*"], **extra},
    )
    assert reply.status == 201, reply.text
    return dict(reply.json)


def deliveries_of(partner: Partner, endpoint_id: str, now: float | None = None) -> list[dict[str, Any]]:
    path = f"/v1/webhook-endpoints/{endpoint_id}/deliveries"
    reply = call(
        "webhook_endpoints/deliveries",
        "GET",
        path,
        partner=partner,
        path_params={"endpointId": endpoint_id},
        now=now,
    )
    assert reply.status == 200, reply.text
    return list(reply.json["data"])
