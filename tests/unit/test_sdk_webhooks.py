"""Receiving webhooks: `partner_sdk.webhooks` (the verifier, on `standardwebhooks`, and the
saved-request format), `client.webhook_endpoints` / `client.events.redeliver`, and the
CLI's receiving side: `partner webhooks verify` and `listen` (its `Listener` driven with a
stand-in for `client.webhook_endpoints` and real HTTP, and once as a real process)."""

from __future__ import annotations

import base64
import datetime
import io
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest
import standardwebhooks
from pytest_httpserver import HTTPServer
from rich.console import Console
from typer.testing import CliRunner
from werkzeug import Request, Response

from partner_sdk import Credentials, PartnerClient, webhooks
from partner_sdk.cli import app
from partner_sdk.cli.webhooks import LISTEN_DESCRIPTION, Listener

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


SECRET = new_secret()
OTHER_SECRET = new_secret()
EVENT_ID = "evt_01JABCDEFGHJKMNPQRSTVWXYZ0"
EVENT: dict[str, Any] = {
    "id": EVENT_ID,
    "object": "event",
    "type": "customer.created",
    "data": {"object": {"id": "cus_01JABCDEFGHJKMNPQRSTVWXYZ0", "name": "José"}},
    "createdAt": "2026-02-23T12:00:00Z",
}
BODY = json.dumps(EVENT, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def sign(
    body: bytes | str,
    *secrets: str,
    msg_id: str = EVENT_ID,
    at: datetime.datetime | None = None,
) -> dict[str, str]:
    """The headers the API sends: one `v1,` signature per secret (two during a rotation)."""
    at = at or now()
    signatures = " ".join(standardwebhooks.Webhook(s).sign(msg_id, at, body) for s in secrets or (SECRET,))
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
    }


# -- the verifier -------------------------------------------------------------------------


def test_verify_accepts_a_signed_body_as_bytes_and_as_text() -> None:
    assert webhooks.verify(BODY, sign(BODY), SECRET) == EVENT
    text = BODY.decode("utf-8")
    assert webhooks.verify(text, sign(text), SECRET) == EVENT


def test_verify_finds_the_headers_whatever_their_case() -> None:
    headers = {name.upper(): value for name, value in sign(BODY).items()}
    assert webhooks.verify(BODY, headers, SECRET) == EVENT
    assert webhooks.verify(BODY, httpx.Headers(sign(BODY)), SECRET) == EVENT
    title_case = {"Webhook-Id": EVENT_ID, **{k.title(): v for k, v in sign(BODY).items()}}
    assert webhooks.verify(BODY, title_case, SECRET) == EVENT


def test_verify_rejects_a_tampered_body() -> None:
    headers = sign(BODY)
    tampered = BODY.replace(b"Jos\xc3\xa9", b"Eve!")
    with pytest.raises(webhooks.WebhookVerificationError, match="no signature matches the secret"):
        webhooks.verify(tampered, headers, SECRET)


def test_verify_rejects_another_id_than_the_signed_one() -> None:
    headers = {**sign(BODY), "webhook-id": "evt_other"}
    with pytest.raises(webhooks.WebhookVerificationError, match="no signature matches"):
        webhooks.verify(BODY, headers, SECRET)


def test_verify_rejects_a_wrong_secret() -> None:
    with pytest.raises(webhooks.WebhookVerificationError, match="no signature matches the secret"):
        webhooks.verify(BODY, sign(BODY, OTHER_SECRET), SECRET)


def test_verify_rejects_a_stale_timestamp_and_one_from_the_future() -> None:
    stale = sign(BODY, at=now() - datetime.timedelta(minutes=6))
    with pytest.raises(webhooks.WebhookVerificationError, match="too old"):
        webhooks.verify(BODY, stale, SECRET)
    future = sign(BODY, at=now() + datetime.timedelta(minutes=6))
    with pytest.raises(webhooks.WebhookVerificationError, match="too new"):
        webhooks.verify(BODY, future, SECRET)


def test_verify_accepts_a_timestamp_inside_the_tolerance() -> None:
    assert webhooks.verify(BODY, sign(BODY, at=now() - datetime.timedelta(minutes=4)), SECRET) == EVENT


@pytest.mark.parametrize("missing", webhooks.HEADERS)
def test_verify_names_a_missing_header(missing: str) -> None:
    headers = {k: v for k, v in sign(BODY).items() if k != missing}
    with pytest.raises(webhooks.WebhookVerificationError, match=f"missing header\\(s\\): {missing}"):
        webhooks.verify(BODY, headers, SECRET)


def test_verify_rejects_no_headers_and_malformed_ones() -> None:
    with pytest.raises(webhooks.WebhookVerificationError, match="webhook-id, webhook-timestamp, webhook-sig"):
        webhooks.verify(BODY, {}, SECRET)
    with pytest.raises(webhooks.WebhookVerificationError, match="not Unix seconds"):
        webhooks.verify(BODY, {**sign(BODY), "webhook-timestamp": "yesterday"}, SECRET)
    with pytest.raises(webhooks.WebhookVerificationError, match="no v1 signature"):
        webhooks.verify(BODY, {**sign(BODY), "webhook-signature": "v2,abc"}, SECRET)


def test_a_header_with_old_and_new_signatures_verifies_with_either_secret() -> None:
    """During a rotation the API signs with both secrets; a receiver holds one or the other."""
    headers = sign(BODY, OTHER_SECRET, SECRET)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert webhooks.verify(BODY, headers, SECRET) == EVENT
    assert webhooks.verify(BODY, headers, OTHER_SECRET) == EVENT
    with pytest.raises(webhooks.WebhookVerificationError, match="2 signature"):
        webhooks.verify(BODY, headers, new_secret())


def test_verify_with_several_secrets_accepts_any_of_them() -> None:
    assert webhooks.verify(BODY, sign(BODY), [OTHER_SECRET, SECRET]) == EVENT
    assert webhooks.verify(BODY, sign(BODY), (SECRET,)) == EVENT
    with pytest.raises(webhooks.WebhookVerificationError, match="any of the 2 secrets"):
        webhooks.verify(BODY, sign(BODY), [new_secret(), new_secret()])


@pytest.mark.parametrize("secret", ["whsec_", "whsec_not base64!", "", []])
def test_a_malformed_secret_is_a_value_error_not_a_failed_request(secret: Any) -> None:
    with pytest.raises(ValueError) as caught:
        webhooks.verify(BODY, sign(BODY), secret)
    assert not isinstance(caught.value, webhooks.WebhookVerificationError)


def test_a_secret_without_its_prefix_works_too() -> None:
    assert webhooks.verify(BODY, sign(BODY), SECRET.removeprefix("whsec_")) == EVENT


def test_a_signed_body_that_is_not_a_json_object_is_refused() -> None:
    for body in (b"not json", b"[1, 2]"):
        with pytest.raises(webhooks.WebhookVerificationError, match="not"):
            webhooks.verify(body, sign(body), SECRET)


# -- saved requests -----------------------------------------------------------------------


def test_save_and_load_round_trip_keeps_the_exact_body_and_still_verifies(tmp_path: Path) -> None:
    headers = sign(BODY)
    path = webhooks.save_request(tmp_path / "evt.json", headers, BODY)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document == {"headers": headers, "body": BODY.decode("utf-8")}
    loaded = webhooks.load_request(path)
    assert loaded.body == BODY
    assert loaded.headers == headers
    assert loaded.verify(SECRET) == EVENT


def test_a_body_that_is_not_utf8_round_trips_byte_for_byte(tmp_path: Path) -> None:
    body = b'{"name":"\xff\xfe"}'
    path = webhooks.save_request(tmp_path / "raw.json", sign(body), body)
    assert webhooks.load_request(path).body == body


@pytest.mark.parametrize(
    "text", ["not json", "[]", '{"headers": {}}', '{"headers": {"a": 1}, "body": ""}', '{"body": "x"}']
)
def test_load_request_refuses_another_shape(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match="is not a saved request"):
        webhooks.load_request(path)


# -- partner webhooks verify ----------------------------------------------------------------


def test_cli_verify_prints_the_event_of_a_saved_request(tmp_path: Path) -> None:
    path = webhooks.save_request(tmp_path / "evt.json", sign(BODY), BODY)
    result = runner.invoke(
        app, ["webhooks", "verify", str(path), "--secret", OTHER_SECRET, "--secret", SECRET]
    )
    assert result.exit_code == 0, result.output
    assert "verified ✓" in result.stdout
    assert f"customer.created {EVENT['id']}" in result.stdout
    as_json = runner.invoke(app, ["webhooks", "verify", str(path), "--secret", SECRET, "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == EVENT


def test_cli_verify_exits_1_with_the_reason(tmp_path: Path) -> None:
    path = webhooks.save_request(tmp_path / "evt.json", sign(BODY), BODY)
    wrong = runner.invoke(app, ["webhooks", "verify", str(path), "--secret", OTHER_SECRET])
    assert wrong.exit_code == 1
    assert "not verified: no signature matches the secret" in wrong.stderr
    stale = webhooks.save_request(
        tmp_path / "old.json", sign(BODY, at=now() - datetime.timedelta(minutes=10)), BODY
    )
    old = runner.invoke(app, ["webhooks", "verify", str(stale), "--secret", SECRET])
    assert old.exit_code == 1
    assert "too old" in old.stderr


def test_cli_verify_usage_errors_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = runner.invoke(app, ["webhooks", "verify", str(bad), "--secret", SECRET])
    assert result.exit_code == 2
    assert "is not a saved request" in result.stderr
    path = webhooks.save_request(tmp_path / "evt.json", sign(BODY), BODY)
    result = runner.invoke(app, ["webhooks", "verify", str(path), "--secret", "whsec_!!"])
    assert result.exit_code == 2
    assert "--secret" in result.stderr


def test_cli_verify_help_mentions_the_five_minutes() -> None:
    result = runner.invoke(app, ["webhooks", "verify", "--help"])
    assert "within 5 minutes of now" in " ".join(result.stdout.split())


# -- the resource groups ------------------------------------------------------------------


CREDENTIALS = Credentials(base_url="https://api.example.test", api_key="sk_test", scheme="none")


class Recorder:
    def __init__(self, answers: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def client(self) -> PartnerClient:
        def transport(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return self.answers(request)

        return PartnerClient(CREDENTIALS, http=httpx.Client(transport=httpx.MockTransport(transport)))


def test_webhook_endpoints_calls() -> None:
    endpoint = {"id": "whk_1", "object": "webhook_endpoint", "url": "https://example.com/hooks"}
    recorder = Recorder(
        lambda request: httpx.Response(204 if request.method == "DELETE" else 200, json=endpoint)
    )
    with recorder.client() as api:
        api.webhook_endpoints.create("https://example.com/hooks", idempotency_key="k-1")
        api.webhook_endpoints.create("https://example.com/hooks", "customer.created", "mine", {"a": "b"})
        api.webhook_endpoints.get("whk_1")
        api.webhook_endpoints.list(limit=5, cursor="c1")
        api.webhook_endpoints.update("whk_1", status="disabled")
        api.webhook_endpoints.update(
            "whk_1", events=["customer.created", "customer.updated"], url="https://x.io"
        )
        api.webhook_endpoints.delete("whk_1")
        api.webhook_endpoints.rotate_secret("whk_1")
        api.webhook_endpoints.deliveries("whk_1", limit=2)
        api.events.redeliver("evt_1", "whk_1")
        with pytest.raises(ValueError, match="nothing to update"):
            api.webhook_endpoints.update("whk_1")
    calls = [
        (r.method, r.url.raw_path.decode(), json.loads(r.content) if r.content else None)
        for r in recorder.requests
    ]
    assert calls == [
        ("POST", "/v1/webhook-endpoints", {"url": "https://example.com/hooks", "events": ["*"]}),
        (
            "POST",
            "/v1/webhook-endpoints",
            {
                "url": "https://example.com/hooks",
                "events": ["customer.created"],
                "description": "mine",
                "metadata": {"a": "b"},
            },
        ),
        ("GET", "/v1/webhook-endpoints/whk_1", None),
        ("GET", "/v1/webhook-endpoints?limit=5&cursor=c1", None),
        ("PATCH", "/v1/webhook-endpoints/whk_1", {"status": "disabled"}),
        (
            "PATCH",
            "/v1/webhook-endpoints/whk_1",
            {"url": "https://x.io", "events": ["customer.created", "customer.updated"]},
        ),
        ("DELETE", "/v1/webhook-endpoints/whk_1", None),
        ("POST", "/v1/webhook-endpoints/whk_1/rotate-secret", None),
        ("GET", "/v1/webhook-endpoints/whk_1/deliveries?limit=2", None),
        ("POST", "/v1/events/evt_1/redeliver", {"endpointId": "whk_1"}),
    ]
    assert recorder.requests[0].headers["Idempotency-Key"] == "k-1"


def test_iterate_deliveries_follows_the_cursor() -> None:
    pages = {
        None: {"data": [{"id": "dlv_1"}, {"id": "dlv_2"}], "nextCursor": "c2"},
        "c2": {"data": [{"id": "dlv_3"}], "nextCursor": None},
    }
    recorder = Recorder(lambda request: httpx.Response(200, json=pages[request.url.params.get("cursor")]))
    with recorder.client() as api:
        ids = [d["id"] for d in api.webhook_endpoints.iterate_deliveries("whk_1", limit=2)]
    assert ids == ["dlv_1", "dlv_2", "dlv_3"]
    assert {r.url.path for r in recorder.requests} == {"/v1/webhook-endpoints/whk_1/deliveries"}


# -- partner webhooks listen: the Listener -----------------------------------------------


class FakeEndpoints:
    """Stands in for `client.webhook_endpoints`: records what the listener creates and deletes."""

    def __init__(self, secret: str = SECRET, fail_with: Exception | None = None) -> None:
        self.secret = secret
        self.fail_with = fail_with
        self.created: list[dict[str, Any]] = []
        self.deleted: list[str] = []
        self.ready = threading.Event()

    def create(
        self, url: str, events: Iterable[str] = ("*",), description: str | None = None, metadata: Any = None
    ) -> Any:
        if self.fail_with is not None:
            raise self.fail_with
        self.created.append({"url": url, "events": list(events), "description": description})
        self.ready.set()
        return {"id": "whk_TEST", "object": "webhook_endpoint", "url": url, "secret": self.secret}

    def delete(self, endpoint_id: str) -> None:
        self.deleted.append(endpoint_id)


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, highlight=False, soft_wrap=True), out


def test_listener_verifies_forwards_saves_and_deletes_its_endpoint(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    httpserver.expect_request("/hooks", method="POST").respond_with_data("thanks", status=202)
    fake = FakeEndpoints()
    screen, out = console()
    listener = Listener(
        fake,
        events=["customer.created"],
        forward_to=httpserver.url_for("/hooks"),
        save_dir=tmp_path / "saved",
        count=1,
        console=screen,
    )
    listener.start()
    try:
        assert fake.created == [
            {
                "url": f"http://127.0.0.1:{listener.port}/",
                "events": ["customer.created"],
                "description": LISTEN_DESCRIPTION,
            }
        ]
        with httpx.Client() as http:
            forged = http.post(listener.url, content=BODY, headers=sign(BODY, OTHER_SECRET))
            assert forged.status_code == 401
            assert "no signature matches" in forged.json()["error"]
            assert http.get(listener.url).status_code == 405
            headers = sign(BODY)
            delivered = http.post(listener.url, content=BODY, headers=headers)
            assert delivered.status_code == 200
        listener.wait()
    finally:
        listener.stop()
    assert fake.deleted == ["whk_TEST"]

    (forwarded, _), *more = httpserver.log
    assert more == []  # only the verified request is forwarded
    assert forwarded.get_data() == BODY
    assert forwarded.headers["webhook-id"] == EVENT["id"]
    assert forwarded.headers["webhook-signature"] == headers["webhook-signature"]
    assert forwarded.headers["webhook-timestamp"] == headers["webhook-timestamp"]
    assert webhooks.verify(forwarded.get_data(), dict(forwarded.headers.items()), SECRET) == EVENT

    saved = tmp_path / "saved" / f"{EVENT['id']}.json"
    assert webhooks.load_request(saved).verify(SECRET) == EVENT
    assert (tmp_path / "saved" / f"{EVENT['id']}.unverified.json").exists()

    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    verified = next(line for line in lines if "verified ✓" in line)
    assert f"customer.created  {EVENT['id']}  verified ✓  forwarded 202  saved {saved}" in verified
    assert any("✗ no signature matches" in line and "(401)" in line for line in lines)
    assert any("GET is not a delivery (405)" in line for line in lines)
    assert listener.verified == 1


def test_listener_reports_a_forward_that_fails_and_keeps_going() -> None:
    fake = FakeEndpoints()
    screen, out = console()
    listener = Listener(fake, forward_to="http://127.0.0.1:9/", count=2, console=screen, as_json=True)
    listener.start()
    try:
        with httpx.Client() as http:
            for n in (1, 2):
                body = json.dumps({**EVENT, "id": f"evt_{n}"}).encode()
                assert (
                    http.post(listener.url, content=body, headers=sign(body, msg_id=f"evt_{n}")).status_code
                    == 200
                )
        listener.wait()
    finally:
        listener.stop()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sorted(line["id"] for line in lines) == ["evt_1", "evt_2"]
    assert all(line["verified"] and line["forwardError"] and line["forwardStatus"] is None for line in lines)
    assert fake.deleted == ["whk_TEST"]


def test_listener_leaves_nothing_behind_when_the_api_refuses_the_endpoint() -> None:
    fake = FakeEndpoints(fail_with=RuntimeError("refused"))
    listener = Listener(fake, console=console()[0])
    with pytest.raises(RuntimeError):
        listener.start()
    assert listener.stop() is None
    assert fake.deleted == []


# -- partner webhooks listen: the command ------------------------------------------------


class FakeClient:
    def __init__(self, endpoints: FakeEndpoints) -> None:
        self.webhook_endpoints = endpoints

    def __enter__(self) -> FakeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def deliver_when_ready(fake: FakeEndpoints, body: bytes = BODY) -> threading.Thread:
    """Posts one signed delivery once the listener registered its endpoint."""

    def post() -> None:
        if fake.ready.wait(30):
            httpx.post(fake.created[0]["url"], content=body, headers=sign(body, fake.secret))

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread


def test_cli_listen_once_prints_ready_and_the_event_then_deletes_the_endpoint(tmp_path: Path) -> None:
    fake = FakeEndpoints()
    poster = deliver_when_ready(fake)
    result = runner.invoke(
        app,
        [
            "webhooks",
            "listen",
            "--events",
            "customer.created,customer.updated",
            "--once",
            "--save",
            str(tmp_path),
        ],
        obj={"client_factory": lambda scheme: FakeClient(fake)},
    )
    poster.join()
    assert result.exit_code == 0, result.output
    assert fake.created[0]["events"] == ["customer.created", "customer.updated"]
    assert fake.deleted == ["whk_TEST"]
    lines = result.stdout.splitlines()
    assert re.match(
        r"Ready: forwarding customer\.created, customer\.updated events to http://127\.0\.0\.1:\d+/", lines[0]
    )
    assert lines[0].endswith(f"secret {SECRET}")
    assert any(f"customer.created  {EVENT['id']}  verified ✓" in line for line in lines)
    assert lines[-1] == "Deleted endpoint whk_TEST"
    assert (tmp_path / f"{EVENT['id']}.json").exists()


def test_cli_listen_refuses_once_with_another_count() -> None:
    result = runner.invoke(
        app, ["webhooks", "listen", "--once", "--count", "2"], obj={"client_factory": None}
    )
    assert result.exit_code == 2


def test_listen_as_a_process_streams_lines_and_deletes_on_sigterm(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """The real command against a stand-in API: each line reaches a parent reading stdout as
    it happens (the process is still running), and SIGTERM deletes the endpoint, exit 0."""
    deleted = threading.Event()

    def create(request: Request) -> Response:
        body = json.loads(request.get_data())
        answer = {"id": "whk_PROC", "object": "webhook_endpoint", "secret": SECRET, **body}
        return Response(json.dumps(answer), status=201, content_type="application/json")

    def delete(request: Request) -> Response:
        deleted.set()
        return Response(status=204)

    httpserver.expect_request("/v1/webhook-endpoints", method="POST").respond_with_handler(create)
    httpserver.expect_request("/v1/webhook-endpoints/whk_PROC", method="DELETE").respond_with_handler(delete)
    env = {
        **os.environ,
        "PARTNER_API_BASE_URL": httpserver.url_for("/"),
        "PARTNER_API_KEY": "sk_test",
        "PARTNER_API_SIGNATURE_SCHEME": "none",
        "PYTHONPATH": str(ROOT / "sdk"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "partner_sdk.cli", "webhooks", "listen", "--json"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout or ():
            lines.put(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def next_line() -> dict[str, Any]:
        try:
            return json.loads(lines.get(timeout=60))  # a guard against hanging, not a time limit
        except queue.Empty:
            process.kill()
            pytest.fail(f"no line from the listener; stderr: {process.communicate()[1]}")

    try:
        ready = next_line()
        assert ready["ready"] and ready["endpoint"] == "whk_PROC" and ready["secret"] == SECRET
        answer = httpx.post(ready["url"], content=BODY, headers=sign(BODY))
        assert answer.status_code == 200
        line = next_line()
        assert process.poll() is None  # the line came while the listener still runs
        assert (line["type"], line["id"], line["verified"]) == ("customer.created", EVENT["id"], True)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert next_line() == {"deleted": "whk_PROC"}
        assert deleted.is_set()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
