"""Webhook delivery end to end in-process: a change commits its event, the stream brings it
to the dispatcher, the queue to the worker, and a receiver on a real socket verifies it
with the `standardwebhooks` library (not our signing code)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Request, Response

from core.webhooks import deliveries, worker
from tests.integration.conftest import TABLE
from tests.support.harness import Partner, call
from tests.support.webhooks import Delivery, create_customer, create_endpoint, deliveries_of, webhook_delivery


@pytest.fixture
def delivery(monkeypatch: pytest.MonkeyPatch, aws: Any) -> Iterator[Delivery]:
    with webhook_delivery(monkeypatch, aws, TABLE, time.time()) as world:
        yield world


class Receiver:
    """Records every request; answers with the statuses it is given, then 200."""

    def __init__(self, server: HTTPServer, path: str, statuses: list[int] | None = None) -> None:
        self.server, self.path = server, path
        self.statuses = list(statuses or [])
        self.requests: list[tuple[dict[str, str], bytes]] = []
        server.expect_request(path, method="POST").respond_with_handler(self._answer)

    def _answer(self, request: Request) -> Response:
        self.requests.append(({k.lower(): v for k, v in request.headers.items()}, request.get_data()))
        return Response("ok", status=self.statuses.pop(0) if self.statuses else 200)

    @property
    def url(self) -> str:
        return self.server.url_for(self.path)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]


def _verify(secret: str, headers: dict[str, str], body: bytes) -> Any:
    return Webhook(secret).verify(body, headers)


def _at(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The library's own signature check at the moment the request was signed (the tests
    that move the clock cannot use its check of the timestamp against real time)."""
    expected = Webhook(secret).sign(
        headers["webhook-id"], datetime.fromtimestamp(int(headers["webhook-timestamp"]), tz=UTC), body
    )
    return expected.split(",", 1)[1] in [s.split(",", 1)[1] for s in headers["webhook-signature"].split()]


def test_a_customer_created_is_delivered_signed(
    partner: Partner, delivery: Delivery, httpserver: HTTPServer
) -> None:
    receiver = Receiver(httpserver, "/hooks")
    endpoint = create_endpoint(partner, receiver.url, ["customer.created"])
    customer = create_customer(partner)
    delivery.run()
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    event = _verify(endpoint["secret"], headers, body)
    assert event["type"] == "customer.created" and event["data"]["object"]["id"] == customer["id"]
    assert headers["webhook-id"] == event["id"]
    # The body is the event as GET /v1/events/{id} answers it.
    got = call(
        "events/get",
        "GET",
        f"/v1/events/{event['id']}",
        partner=partner,
        path_params={"eventId": event["id"]},
    )
    assert got.json == event
    (record,) = deliveries_of(partner, endpoint["id"], now=delivery.now)
    assert record["status"] == "succeeded" and record["eventId"] == event["id"]
    assert record["attempts"][0]["httpStatus"] == 200 and record["nextAttemptAt"] is None
    with pytest.raises(WebhookVerificationError):
        _verify("whsec_" + "A" * 43 + "=", headers, body)


def test_only_subscribed_and_enabled_endpoints_get_events(
    partner: Partner, make_partner: Any, delivery: Delivery, httpserver: HTTPServer
) -> None:
    wanted = Receiver(httpserver, "/wanted")
    other_type = Receiver(httpserver, "/other-type")
    disabled = Receiver(httpserver, "/disabled")
    other_tenant = Receiver(httpserver, "/other-tenant")
    create_endpoint(partner, wanted.url, ["*"])
    create_endpoint(partner, other_type.url, ["bank_account.created"])
    off = create_endpoint(partner, disabled.url, ["customer.created"])
    call(
        "webhook_endpoints/update",
        "PATCH",
        f"/v1/webhook-endpoints/{off['id']}",
        partner=partner,
        body={"status": "disabled"},
        path_params={"endpointId": off["id"]},
    )
    create_endpoint(make_partner(), other_tenant.url, ["customer.created"])
    create_customer(partner)
    delivery.run()
    assert "customer.created" in [e["type"] for e in wanted.events()]
    assert other_type.requests == [] and disabled.requests == [] and other_tenant.requests == []


def test_fails_three_times_then_succeeds_on_the_fourth_with_the_same_id(
    partner: Partner, delivery: Delivery, httpserver: HTTPServer
) -> None:
    receiver = Receiver(httpserver, "/flaky", statuses=[500, 503, 302])
    endpoint = create_endpoint(partner, receiver.url, ["customer.created"])
    create_customer(partner)
    start = delivery.now
    delivery.run(follow_time=True)
    assert len(receiver.requests) == 4
    ids = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert len(ids) == 1
    assert all(_at(endpoint["secret"], h, b) for h, b in receiver.requests)
    (record,) = deliveries_of(partner, endpoint["id"], now=delivery.now)
    assert record["status"] == "succeeded"
    assert [a["httpStatus"] for a in record["attempts"]] == [500, 503, 302, 200]
    assert record["attempts"][2]["error"] == "redirects are not followed"
    # The waits followed the schedule, with their jitter.
    waited = delivery.now - start
    low = sum(deliveries.SCHEDULE_SECONDS[:3]) * (1 - deliveries.JITTER)
    high = sum(deliveries.SCHEDULE_SECONDS[:3]) * (1 + deliveries.JITTER) + 5
    assert low <= waited <= high


def test_never_succeeding_ends_failed_in_the_dead_letter_queue_and_redeliver_succeeds(
    partner: Partner, delivery: Delivery, httpserver: HTTPServer
) -> None:
    receiver = Receiver(httpserver, "/down", statuses=[500] * deliveries.MAX_ATTEMPTS)
    endpoint = create_endpoint(partner, receiver.url, ["customer.created"])
    create_customer(partner)
    start = delivery.now
    delivery.run(follow_time=True)
    assert len(receiver.requests) == deliveries.MAX_ATTEMPTS == 11
    assert delivery.now - start >= sum(deliveries.SCHEDULE_SECONDS) * (1 - deliveries.JITTER)
    (record,) = deliveries_of(partner, endpoint["id"], now=delivery.now)
    assert record["status"] == "failed" and record["nextAttemptAt"] is None
    assert len(record["attempts"]) == 11
    (dead,) = delivery.dead_letters()
    assert dead["deliveryId"] == record["id"] and dead["eventId"] == record["eventId"]

    again = call(
        "webhooks/redeliver",
        "POST",
        f"/v1/events/{record['eventId']}/redeliver",
        partner=partner,
        body={"endpointId": endpoint["id"]},
        path_params={"eventId": record["eventId"]},
        now=delivery.now,
    )
    assert again.status == 202, again.text
    assert again.json["status"] == "pending" and again.json["id"] != record["id"]
    delivery.run()
    assert len(receiver.requests) == 12
    assert receiver.requests[-1][0]["webhook-id"] == record["eventId"]
    statuses = {d["id"]: d["status"] for d in deliveries_of(partner, endpoint["id"], now=delivery.now)}
    assert statuses == {record["id"]: "failed", again.json["id"]: "succeeded"}


def test_redeliver_refusals(partner: Partner, make_partner: Any, delivery: Delivery) -> None:
    endpoint = create_endpoint(partner, "https://hooks.partner.test/x")
    events = call("events/list", "GET", "/v1/events", partner=partner).json["data"]
    event_id = events[0]["id"]

    def redeliver(who: Partner, event: str, endpoint_id: str) -> Any:
        return call(
            "webhooks/redeliver",
            "POST",
            f"/v1/events/{event}/redeliver",
            partner=who,
            body={"endpointId": endpoint_id},
            path_params={"eventId": event},
        )

    assert (
        redeliver(partner, "evt_01JQ0000000000000000000000", endpoint["id"]).json["error"]["param"]
        == "eventId"
    )
    assert (
        redeliver(partner, event_id, "whk_01JQ0000000000000000000000").json["error"]["param"] == "endpointId"
    )
    assert redeliver(make_partner(), event_id, endpoint["id"]).status == 404


def test_rotation_signs_with_both_secrets_for_a_day_then_only_the_new(
    partner: Partner, delivery: Delivery, httpserver: HTTPServer
) -> None:
    receiver = Receiver(httpserver, "/rotating")
    endpoint = create_endpoint(partner, receiver.url, ["customer.created"])
    rotated = call(
        "webhook_endpoints/rotate_secret",
        "POST",
        f"/v1/webhook-endpoints/{endpoint['id']}/rotate-secret",
        partner=partner,
        body={},
        path_params={"endpointId": endpoint["id"]},
    ).json
    old, new = endpoint["secret"], rotated["secret"]
    create_customer(partner)
    delivery.run()
    headers, body = receiver.requests[-1]
    assert _verify(old, headers, body) and _verify(new, headers, body)
    assert len(headers["webhook-signature"].split()) == 2

    delivery.now += 24 * 3600 + 1
    create_customer(partner, now=delivery.now)
    delivery.run()
    headers, body = receiver.requests[-1]
    assert _at(new, headers, body) and not _at(old, headers, body)
    assert len(headers["webhook-signature"].split()) == 1


def test_a_refused_address_at_delivery_is_a_failed_attempt_and_nothing_connects(
    partner: Partner, delivery: Delivery, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name that resolved public at registration and private at delivery (rebinding)."""
    from core.webhooks import url_safety

    answers = iter([["93.184.215.14"], ["10.0.0.7"]])
    monkeypatch.setattr(url_safety, "_getaddrinfo", lambda host, port: next(answers))
    connections: list[Any] = []
    monkeypatch.setattr(url_safety.socket, "create_connection", lambda *a, **k: connections.append(a))
    endpoint = create_endpoint(partner, "https://rebinding.partner.test/hook", ["customer.created"])
    create_customer(partner)
    delivery.dispatch()
    delivery.queue.poll_once()
    (record,) = deliveries_of(partner, endpoint["id"], now=delivery.now)
    assert record["status"] == "pending" and record["attempts"][0]["httpStatus"] is None
    assert "10.0.0.7" in record["attempts"][0]["error"]
    assert connections == []


def test_the_dispatcher_crashing_mid_batch_loses_nothing(
    partner: Partner, delivery: Delivery, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.webhooks import dispatch

    receiver = Receiver(httpserver, "/crash")
    create_endpoint(partner, receiver.url, ["customer.created"])
    customers = [create_customer(partner) for _ in range(4)]
    real = dispatch.fan_out
    calls = {"n": 0}

    def crashing(store: Any, event: dict[str, Any], now: float) -> int:
        calls["n"] += 1
        made = real(store, event, now)
        if calls["n"] == 3:
            raise RuntimeError("the dispatcher dies after its third event's writes")
        return made

    monkeypatch.setattr(dispatch, "fan_out", crashing)
    delivery.run()
    delivered = [e["data"]["object"]["id"] for e in receiver.events()]
    assert set(delivered) == {c["id"] for c in customers}
    by_id: dict[str, set[str]] = {}
    for headers, body in receiver.requests:
        by_id.setdefault(json.loads(body)["data"]["object"]["id"], set()).add(headers["webhook-id"])
    assert all(len(ids) == 1 for ids in by_id.values())  # a duplicate carries the same id


def test_the_worker_dying_mid_attempt_is_retried(
    partner: Partner, delivery: Delivery, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.webhooks import url_safety

    receiver = Receiver(httpserver, "/dies")
    endpoint = create_endpoint(partner, receiver.url, ["customer.created"])
    create_customer(partner)
    delivery.sqs.set_queue_attributes(
        QueueUrl=delivery.queue.queue_url, Attributes={"VisibilityTimeout": "1"}
    )
    real = url_safety.post

    def dies_after_sending(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise RuntimeError("killed before the attempt was recorded")

    monkeypatch.setattr(url_safety, "post", dies_after_sending)
    delivery.dispatch()
    delivery.queue.poll_once()
    (record,) = deliveries_of(partner, endpoint["id"], now=delivery.now)
    assert record["attempts"] == [] and record["status"] == "pending"
    monkeypatch.setattr(url_safety, "post", real)
    time.sleep(1.1)  # the queue's visibility timeout, shortened for the test
    delivery.deliver()
    (record,) = deliveries_of(partner, endpoint["id"], now=delivery.now)
    assert record["status"] == "succeeded" and len(record["attempts"]) == 1
    assert len(receiver.requests) == 2 and len({h["webhook-id"] for h, _ in receiver.requests}) == 1


@pytest.mark.slow
def test_a_slow_endpoint_does_not_delay_another(
    partner: Partner,
    delivery: Delivery,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """The slow endpoint times out on every attempt; with one slot per endpoint it holds
    one of the three workers, and the healthy endpoint's deliveries all complete while
    the slow one has finished at most two attempts."""
    from core.platform import clock, pipeline

    clock.reset()
    monkeypatch.setenv("WEBHOOK_ENDPOINT_CONCURRENCY", "1")
    pipeline.reset_runtime()
    monkeypatch.setattr(worker, "TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(worker, "BUSY_WAIT_FIRST", 0.05)
    monkeypatch.setattr(worker, "BUSY_WAIT_MAX", 0.2)
    slow_done: list[float] = []
    healthy_done: list[int] = []

    def slow(_: Request) -> Response:
        time.sleep(1.5)
        slow_done.append(time.monotonic())
        return Response("late", status=200)

    def healthy(_: Request) -> Response:
        healthy_done.append(len(slow_done))
        return Response("ok", status=200)

    slow_server = HTTPServer(threaded=True)  # its requests hang in threads of their own
    slow_server.start()
    request.addfinalizer(slow_server.stop)
    slow_server.expect_request("/slow").respond_with_handler(slow)
    httpserver.expect_request("/healthy").respond_with_handler(healthy)
    create_endpoint(partner, slow_server.url_for("/slow"), ["customer.created"])
    create_endpoint(partner, httpserver.url_for("/healthy"), ["customer.created"])
    for _ in range(6):
        create_customer(partner)
    delivery.dispatch()

    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            if delivery.queue.poll_once(wait_seconds=0) == 0:
                time.sleep(0.02)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(healthy_done) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
    assert len(healthy_done) == 6
    assert max(healthy_done) <= 2, healthy_done


def test_a_busy_endpoint_waits_longer_each_time_up_to_half_a_minute() -> None:
    waits = [worker.busy_wait(n) for n in range(8)]
    assert 0.75 <= waits[0] <= 1.25 and 1.5 <= waits[1] <= 2.5
    assert all(22.5 <= w <= 37.5 for w in waits[5:])
