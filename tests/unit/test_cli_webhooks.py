"""`partner webhook-endpoints ...` and `partner events redeliver` through typer's CliRunner,
the client on an httpx.MockTransport."""

from __future__ import annotations

import json
from typing import Any

import httpx
from typer.testing import CliRunner

from partner_sdk import Credentials, PartnerClient
from partner_sdk.cli import app

CREDENTIALS = Credentials(base_url="https://api.example.test", api_key="sk_test", scheme="none")
ENDPOINT: dict[str, Any] = {
    "id": "whk_01JABCDEFGHJKMNPQRSTVWXYZ0",
    "object": "webhook_endpoint",
    "url": "https://example.com/hooks",
    "events": ["customer.created"],
    "description": None,
    "metadata": {},
    "status": "enabled",
    "createdAt": "2026-02-23T12:00:00Z",
    "updatedAt": "2026-02-23T12:00:00Z",
}
DELIVERY: dict[str, Any] = {
    "id": "dlv_01JABCDEFGHJKMNPQRSTVWXYZ0",
    "object": "webhook_delivery",
    "endpointId": ENDPOINT["id"],
    "eventId": "evt_01JABCDEFGHJKMNPQRSTVWXYZ0",
    "eventType": "customer.created",
    "status": "failed",
    "attempts": [
        {"at": "2026-02-23T12:00:01Z", "httpStatus": 500, "error": None, "durationMs": 12},
        {"at": "2026-02-23T12:00:06Z", "httpStatus": None, "error": "timeout", "durationMs": 10000},
    ],
    "nextAttemptAt": None,
    "createdAt": "2026-02-23T12:00:00Z",
}

runner = CliRunner()


class Api:
    def __init__(self, status: int, body: Any) -> None:
        self.status, self.body = status, body
        self.requests: list[httpx.Request] = []

    def factory(self, scheme: str | None) -> PartnerClient:
        def answer(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return httpx.Response(self.status, json=self.body)

        return PartnerClient(CREDENTIALS, http=httpx.Client(transport=httpx.MockTransport(answer)))

    def invoke(self, *args: str) -> Any:
        return runner.invoke(app, list(args), obj={"client_factory": self.factory})

    def sent(self) -> list[tuple[str, str, Any]]:
        return [
            (r.method, r.url.raw_path.decode(), json.loads(r.content) if r.content else None)
            for r in self.requests
        ]


def test_create_sends_the_events_and_prints_the_secret_once() -> None:
    api = Api(201, {**ENDPOINT, "secret": "whsec_c2VjcmV0"})
    result = api.invoke(
        "webhook-endpoints",
        "create",
        "--url",
        "https://example.com/hooks",
        "--events",
        "customer.created,customer.updated",
        "--events",
        "account.created",
        "--metadata",
        "team=ops",
    )
    assert result.exit_code == 0, result.output
    assert api.sent() == [
        (
            "POST",
            "/v1/webhook-endpoints",
            {
                "url": "https://example.com/hooks",
                "events": ["customer.created", "customer.updated", "account.created"],
                "metadata": {"team": "ops"},
            },
        )
    ]
    assert "whsec_c2VjcmV0" in result.stdout
    assert "shown only now" in result.stdout


def test_create_defaults_to_every_event_type() -> None:
    api = Api(201, {**ENDPOINT, "secret": "whsec_c2VjcmV0"})
    result = api.invoke("webhook-endpoints", "create", "--url", "https://example.com/hooks", "--json")
    assert result.exit_code == 0, result.output
    assert api.sent()[0][2] == {"url": "https://example.com/hooks", "events": ["*"]}
    assert json.loads(result.stdout)["secret"] == "whsec_c2VjcmV0"


def test_update_sends_only_the_given_fields_and_refuses_nothing() -> None:
    api = Api(200, ENDPOINT)
    result = api.invoke("webhook-endpoints", "update", ENDPOINT["id"], "--status", "disabled")
    assert result.exit_code == 0, result.output
    assert api.sent() == [("PATCH", f"/v1/webhook-endpoints/{ENDPOINT['id']}", {"status": "disabled"})]
    nothing = api.invoke("webhook-endpoints", "update", ENDPOINT["id"])
    assert nothing.exit_code == 2
    assert "nothing to update" in nothing.stderr


def test_get_list_delete_and_rotate_secret() -> None:
    api = Api(200, {"data": [ENDPOINT], "nextCursor": "c2"})
    listed = api.invoke("webhook-endpoints", "list", "--limit", "1")
    assert listed.exit_code == 0, listed.output
    assert ENDPOINT["id"] in listed.stdout
    assert "--cursor c2" in listed.stdout
    api.body = ENDPOINT
    assert api.invoke("webhook-endpoints", "get", ENDPOINT["id"]).exit_code == 0
    api.body = {**ENDPOINT, "secret": "whsec_bmV3"}
    rotated = api.invoke("webhook-endpoints", "rotate-secret", ENDPOINT["id"])
    assert rotated.exit_code == 0, rotated.output
    assert "whsec_bmV3" in rotated.stdout
    api.status, api.body = 204, None
    deleted = api.invoke("webhook-endpoints", "delete", ENDPOINT["id"])
    assert deleted.exit_code == 0, deleted.output
    assert f"Deleted {ENDPOINT['id']}" in deleted.stdout
    path = f"/v1/webhook-endpoints/{ENDPOINT['id']}"
    assert [(m, p) for m, p, _ in api.sent()] == [
        ("GET", "/v1/webhook-endpoints?limit=1"),
        ("GET", path),
        ("POST", f"{path}/rotate-secret"),
        ("DELETE", path),
    ]


def test_deliveries_table_shows_the_attempts_and_the_last_outcome() -> None:
    api = Api(200, {"data": [DELIVERY], "nextCursor": None})
    result = runner.invoke(
        app,
        ["webhook-endpoints", "deliveries", ENDPOINT["id"]],
        obj={"client_factory": api.factory},
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    assert api.sent() == [("GET", f"/v1/webhook-endpoints/{ENDPOINT['id']}/deliveries", None)]
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    row = next(line for line in result.stdout.splitlines() if DELIVERY["eventId"] in line)
    cells = [c.strip() for c in row.split("│")]
    assert cells[1] == DELIVERY["eventId"]  # whole, whatever the width; the other columns fold
    assert cells[3:6] == ["failed", "2", "timeout"], result.stdout


def test_an_api_error_exits_1_with_the_envelope() -> None:
    error = {"error": {"type": "invalid_request_error", "code": "parameter_invalid", "param": "url"}}
    api = Api(400, error)
    result = api.invoke("webhook-endpoints", "create", "--url", "http://10.0.0.1/")
    assert result.exit_code == 1
    assert "parameter_invalid" in result.stdout


def test_events_redeliver_posts_the_endpoint_and_prints_the_delivery() -> None:
    api = Api(202, {**DELIVERY, "status": "pending", "attempts": []})
    result = api.invoke("events", "redeliver", DELIVERY["eventId"], "--endpoint", ENDPOINT["id"])
    assert result.exit_code == 0, result.output
    assert api.sent() == [
        ("POST", f"/v1/events/{DELIVERY['eventId']}/redeliver", {"endpointId": ENDPOINT["id"]})
    ]
    assert "pending" in result.stdout
    as_json = api.invoke("events", "redeliver", DELIVERY["eventId"], "--endpoint", ENDPOINT["id"], "--json")
    assert json.loads(as_json.stdout)["status"] == "pending"
