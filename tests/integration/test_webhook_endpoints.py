"""Webhook endpoints (API.md "Webhooks"): create with its secret shown once, read, list,
update, delete, rotate, and every refusal with its `param`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from core.platform import keys
from tests.integration.conftest import TABLE, scan_all
from tests.support.harness import Partner, call
from tests.support.webhooks import Delivery, create_endpoint, webhook_delivery

URL = "https://hooks.partner.test/events"


@pytest.fixture(autouse=True)
def delivery(monkeypatch: pytest.MonkeyPatch, aws: Any) -> Iterator[Delivery]:
    with webhook_delivery(monkeypatch, aws, TABLE, time.time()) as world:
        yield world


def _path(endpoint_id: str, tail: str = "") -> str:
    return f"/v1/webhook-endpoints/{endpoint_id}{tail}"


def _get(partner: Partner, endpoint_id: str) -> Any:
    return call(
        "webhook_endpoints/get",
        "GET",
        _path(endpoint_id),
        partner=partner,
        path_params={"endpointId": endpoint_id},
    )


def _patch(partner: Partner, endpoint_id: str, body: dict[str, Any]) -> Any:
    return call(
        "webhook_endpoints/update",
        "PATCH",
        _path(endpoint_id),
        partner=partner,
        body=body,
        path_params={"endpointId": endpoint_id},
    )


def _create(partner: Partner, body: dict[str, Any], **options: Any) -> Any:
    return call(
        "webhook_endpoints/create", "POST", "/v1/webhook-endpoints", partner=partner, body=body, **options
    )


def test_create_answers_the_secret_once_and_stores_it_sealed(partner: Partner, aws: Any) -> None:
    created = create_endpoint(partner, URL, ["customer.created"], description="CRM", metadata={"team": "a"})
    assert created["id"].startswith("whk_") and created["object"] == "webhook_endpoint"
    assert created["secret"].startswith("whsec_")
    assert created["status"] == "enabled" and created["events"] == ["customer.created"]
    got = _get(partner, created["id"])
    assert got.status == 200 and "secret" not in got.json
    assert {k: v for k, v in created.items() if k != "secret"} == got.json
    secret_text = created["secret"].removeprefix("whsec_")
    for item in scan_all(aws):
        assert secret_text not in str(item), "the secret is stored in clear"


def test_an_idempotent_replay_of_create_leaves_the_secret_out(partner: Partner) -> None:
    body = {"url": URL, "events": ["*"]}
    first = _create(partner, body, idempotency_key="wh-1")
    again = _create(partner, body, idempotency_key="wh-1")
    assert first.status == again.status == 201
    assert again.headers.get("Idempotency-Replayed") == "true"
    assert "secret" in first.json and "secret" not in again.json
    assert again.json["id"] == first.json["id"]


def test_list_update_and_delete(partner: Partner) -> None:
    a = create_endpoint(partner, URL, metadata={"keep": "1", "drop": "2"})
    b = create_endpoint(partner, URL + "/b", ["customer.updated", "customer.created", "customer.updated"])
    assert b["events"] == ["customer.created", "customer.updated"]
    listed = call("webhook_endpoints/list", "GET", "/v1/webhook-endpoints", partner=partner)
    assert {e["id"] for e in listed.json["data"]} == {a["id"], b["id"]}
    assert all("secret" not in e for e in listed.json["data"])

    patched = _patch(partner, a["id"], {"status": "disabled", "metadata": {"drop": None, "new": "3"}})
    assert patched.status == 200, patched.text
    assert patched.json["status"] == "disabled"
    assert patched.json["metadata"] == {"keep": "1", "new": "3"}
    cleared = _patch(partner, a["id"], {"description": None, "events": ["bank_account.created"]})
    assert cleared.json["description"] is None and cleared.json["events"] == ["bank_account.created"]

    deleted = call(
        "webhook_endpoints/delete",
        "DELETE",
        _path(a["id"]),
        partner=partner,
        path_params={"endpointId": a["id"]},
    )
    assert deleted.status == 204
    assert _get(partner, a["id"]).status == 404


def test_changes_emit_events(partner: Partner) -> None:
    created = create_endpoint(partner, URL)
    _patch(partner, created["id"], {"status": "disabled"})
    events = call("events/list", "GET", "/v1/events", partner=partner).json["data"]
    by_type = {e["type"]: e for e in events}  # made in one millisecond, their order is not kept
    assert by_type["webhook_endpoint.updated"]["data"]["previousAttributes"] == {"status": "enabled"}
    assert "secret" not in by_type["webhook_endpoint.created"]["data"]["object"]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"url": URL, "events": ["customer.created", "customer.exploded"]}, "events[1]"),
        ({"url": URL, "events": ["*", "customer.created"]}, "events"),
        ({"url": URL, "events": []}, "events"),
        ({"url": "http://hooks.partner.test/", "events": ["*"]}, "url"),
        ({"url": "https://localhost/hook", "events": ["*"]}, "url"),
        ({"url": "https://api.localhost/hook", "events": ["*"]}, "url"),
        ({"url": "https://10.0.0.1/hook", "events": ["*"]}, "url"),
        ({"url": "https://169.254.169.254/latest/meta-data", "events": ["*"]}, "url"),
        ({"url": "https://user:pw@hooks.partner.test/", "events": ["*"]}, "url"),
        ({"url": "not a url", "events": ["*"]}, "url"),
        ({"url": URL, "events": ["*"], "status": "disabled"}, "status"),
        ({"url": URL, "events": ["*"], "secret": "whsec_AAAA"}, "secret"),
    ],
)
def test_refusals_name_their_param(
    partner: Partner, body: dict[str, Any], param: str, monkeypatch: Any
) -> None:
    # Without the sandbox's loopback setting, as deployed.
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK_HTTP", "false")
    from core.platform import pipeline

    pipeline.reset_runtime()
    reply = _create(partner, body)
    assert reply.status == 400, reply.text
    assert reply.json["error"]["param"] == param


def test_a_name_that_does_not_resolve_yet_is_accepted(partner: Partner) -> None:
    created = create_endpoint(partner, "https://not-yet.invalid/hooks")
    assert created["url"] == "https://not-yet.invalid/hooks"


def test_patch_checks_the_url_again(partner: Partner) -> None:
    created = create_endpoint(partner, URL)
    reply = _patch(partner, created["id"], {"url": "https://192.168.1.10/x"})
    assert reply.status == 400 and reply.json["error"]["param"] == "url"
    assert _get(partner, created["id"]).json["url"] == URL


def test_rotation_answers_a_new_secret_and_keeps_the_old_one_for_a_day(partner: Partner, store: Any) -> None:
    created = create_endpoint(partner, URL)
    rotated = call(
        "webhook_endpoints/rotate_secret",
        "POST",
        _path(created["id"], "/rotate-secret"),
        partner=partner,
        body={},
        path_params={"endpointId": created["id"]},
    )
    assert rotated.status == 200, rotated.text
    assert rotated.json["secret"].startswith("whsec_") and rotated.json["secret"] != created["secret"]
    item = store.get(keys.entity_key(partner.tenant_id, created["id"]))
    newest, previous = item["secrets"]
    assert newest["expiresAt"] is None
    assert previous["expiresAt"] - newest["createdAt"] == 24 * 3600


def test_another_tenants_endpoint_is_not_found(make_partner: Any) -> None:
    owner, other = make_partner(), make_partner()
    created = create_endpoint(owner, URL)
    assert _get(other, created["id"]).status == 404
    assert _patch(other, created["id"], {"status": "disabled"}).status == 404
    assert _get(owner, created["id"]).json["status"] == "enabled"


def test_at_most_twenty_endpoints(partner: Partner) -> None:
    for n in range(20):
        create_endpoint(partner, f"{URL}/{n}")
    reply = _create(partner, {"url": URL, "events": ["*"]})
    assert reply.json["error"]["code"] == "limit_exceeded", reply.text


def test_scopes(make_partner: Any) -> None:
    reader = make_partner(scope_list=["webhooks:read"])
    assert _create(reader, {"url": URL, "events": ["*"]}).status == 403
    assert call("webhook_endpoints/list", "GET", "/v1/webhook-endpoints", partner=reader).status == 200
