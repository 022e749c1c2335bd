"""The sandbox KYC provider's pages, in-process against moto.

Most tests read the customer through a stub of `core.customers.customers.load` (the page only
renders what it returns); the last ones run the whole flow with the real customer
endpoints and the real callback handler, the decision's HTTP delivery short-circuited
into the callback handler in-process.
"""

from __future__ import annotations

import http.server
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from core.customers import customers, kyc, kyc_pages
from core.platform import observability, pipeline
from tests.support.harness import HOST, Partner, Reply, call, handler_module, make_event

SECRET = "test-kyc-sandbox-secret-0123456789abcdef"  # tests/integration/conftest.py
PAGE = "kyc/sandbox_page"
DECISION = "kyc/sandbox_decision"


def customer_doc(tenant_id: str, customer_id: str, **changes: Any) -> dict[str, Any]:
    doc = {
        "id": customer_id,
        "object": "customer",
        "type": "individual",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "country": "GB",
        "documentNumber": "AB1234567",
        "externalId": "crm-42",
        "onchainId": "eip155:1:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb",
        "status": "pending",
        "capabilities": [],
        "createdAt": "2026-02-23T12:00:00Z",
    }
    doc.update(changes)
    return doc


@pytest.fixture
def stored(aws: Any, monkeypatch: pytest.MonkeyPatch) -> dict[tuple[str, str], dict[str, Any]]:
    """Customers the stubbed `customers.load` returns, by (tenant, customer)."""
    table: dict[tuple[str, str], dict[str, Any]] = {}

    def load(store: Any, tenant_id: str, customer_id: str) -> dict[str, Any] | None:
        found = table.get((tenant_id, customer_id))
        return dict(found) if found is not None else None

    monkeypatch.setattr(customers, "load", load)
    return table


TENANT = "ptn_01KJ5Y0Q8S3T4V5W6X7Y8Z9A0B"
CUSTOMER = "cus_01KJ5YB2C3D4E5F6G7H8J9K0MN"


def token_for(tenant_id: str = TENANT, customer_id: str = CUSTOMER, now: float | None = None) -> str:
    return kyc.session_token(tenant_id, customer_id, now=time.time() if now is None else now, secret=SECRET)


def open_page(token: str) -> Reply:
    event = make_event(
        "GET",
        f"/sandbox/kyc/{token}",
        headers={"accept": "text/html"},
        path_params={"session": token},
        route_key="GET /sandbox/kyc/{session}",
    )
    out = handler_module(PAGE).lambda_handler(event, None)
    return Reply(out["statusCode"], out["headers"], out["body"])


def decide(token: str, form: Mapping[str, str] | bytes, content_type: str | None = None) -> Reply:
    body = form if isinstance(form, bytes) else urlencode(form).encode()
    event = make_event(
        "POST",
        f"/sandbox/kyc/{token}/decision",
        body=body,
        headers={"content-type": content_type or "application/x-www-form-urlencoded"},
        path_params={"session": token},
        route_key="POST /sandbox/kyc/{session}/decision",
    )
    out = handler_module(DECISION).lambda_handler(event, None)
    return Reply(out["statusCode"], out["headers"], out["body"])


Sent = list[tuple[str, bytes, dict[str, str]]]


@pytest.fixture
def sender(monkeypatch: pytest.MonkeyPatch) -> Callable[[kyc.Delivery], Sent]:
    """Point the decision handler's HTTP delivery at a stub answering `delivery`."""

    def install(delivery: kyc.Delivery) -> Sent:
        sent: Sent = []

        def send(url: str, body: bytes, headers: Mapping[str, str]) -> kyc.Delivery:
            sent.append((url, body, dict(headers)))
            return delivery

        monkeypatch.setattr(kyc_pages, "send", send)
        return sent

    return install


def text_of(page: str) -> str:
    """The page's visible text, roughly (tags dropped, whitespace collapsed)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split("<body>", 1)[1])).strip()


def assert_html_page(reply: Reply, status: int) -> None:
    assert reply.status == status, reply.text
    headers = reply.headers
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert re.fullmatch(r"req_[0-9A-Z]{26}", headers["Request-Id"])
    assert headers["Request-Id"] in reply.text
    assert headers["X-Frame-Options"] == "DENY"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert "script-src" not in csp and "unsafe-inline" not in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert reply.text.startswith("<!doctype html>")
    assert (
        "<script" not in reply.text.lower() and "http://" not in reply.text and "https://" not in reply.text
    )
    assert "Traceback" not in reply.text


# -- the page --------------------------------------------------------------------------


def test_the_page_shows_the_pending_customer_and_both_buttons(stored: dict) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    token = token_for()

    reply = open_page(token)

    assert_html_page(reply, 200)
    text = text_of(reply.text)
    for shown in ("Ada Lovelace", "Individual", "ada@example.com", "GB", "crm-42", CUSTOMER, "pending"):
        assert shown in text
    assert "eip155:1:0xab16a96D359eC26a11e2C2b3d8f8B8942d5Bfcdb" in text
    assert "•••••4567" in text and "AB1234567" not in reply.text
    assert '<button id="approve"' in reply.text and '<button id="reject"' in reply.text
    actions = re.findall(r'<form method="post" action="([^"]+)"', reply.text)
    assert actions == [f"{token}/decision"] * 2  # relative: /sandbox/kyc/{token}/decision
    assert 'name="decision" value="approved"' in reply.text
    assert 'name="decision" value="rejected"' in reply.text


def test_the_inline_stylesheet_is_the_one_the_csp_hash_allows(stored: dict) -> None:
    import base64
    import hashlib

    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    reply = open_page(token_for())
    style = re.search(r"<style>(.*?)</style>", reply.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in reply.headers["Content-Security-Policy"]


def test_everything_the_customer_holds_is_escaped(stored: dict) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    stored[TENANT, CUSTOMER] = customer_doc(
        TENANT,
        CUSTOMER,
        name=evil,
        email='"><b>x</b>@example.com',
        externalId="</dd><form action=//evil>",
        documentNumber="<i>12345678</i>",
        status="<blink>",
    )
    reply = open_page(token_for())
    assert_html_page(reply, 200)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in reply.text
    assert "<img" not in reply.text and "<b>x</b>" not in reply.text and "<blink>" not in reply.text
    assert "action=//evil" not in reply.text.replace("&lt;form action=//evil&gt;", "")


@pytest.mark.parametrize("status", ["active", "rejected", "inactive"])
def test_a_decided_customer_gets_no_buttons(stored: dict, status: str) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER, status=status)
    reply = open_page(token_for())
    assert_html_page(reply, 200)
    assert 'id="approve"' not in reply.text and 'id="reject"' not in reply.text and "<form" not in reply.text
    text = text_of(reply.text)
    assert "This verification is complete" in text and status in text


def test_missing_fields_read_not_provided(stored: dict) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(
        TENANT, CUSTOMER, email=None, documentNumber=None, externalId=None, onchainId=None, type="business"
    )
    text = text_of(open_page(token_for()).text)
    assert text.count("Not provided") == 4 and "Business" in text


@pytest.mark.parametrize(
    "make_token",
    [
        lambda: token_for()[:-1] + ("A" if not token_for().endswith("A") else "B"),
        lambda: kyc.session_token(TENANT, CUSTOMER, now=time.time(), secret="another-secret-" + "x" * 30),
        lambda: token_for(now=time.time() - 8 * 24 * 3600),
        lambda: "not-a-token",
    ],
    ids=["tampered", "other-secret", "expired", "garbage"],
)
def test_a_forged_or_expired_token_is_a_404_page(stored: dict, make_token: Callable[[], str]) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    reply = open_page(make_token())
    assert_html_page(reply, 404)
    assert "Ada Lovelace" not in reply.text
    assert "invalid or has expired" in text_of(reply.text)


def test_a_token_for_a_customer_that_is_not_there_is_a_404_page(stored: dict) -> None:
    stored["ptn_01KJ5Y0Q8S3T4V5W6X7Y8ZOTHR", CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    assert_html_page(open_page(token_for()), 404)


def test_a_crash_is_a_500_page_with_no_detail(stored: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> None:
        raise RuntimeError("db password is hunter2")

    monkeypatch.setattr(customers, "load", broken)
    reply = open_page(token_for())
    assert_html_page(reply, 500)
    assert "hunter2" not in reply.text and "RuntimeError" not in reply.text
    assert "Something went wrong" in reply.text


def test_a_short_secret_is_a_500_page_never_a_signature(
    stored: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    token = token_for()
    monkeypatch.setenv("KYC_SANDBOX_SECRET", "short")
    pipeline.reset_runtime()
    assert_html_page(open_page(token), 500)


def test_one_log_line_per_page_without_the_token(stored: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    lines: list[tuple[str, int, dict[str, Any]]] = []
    monkeypatch.setattr(
        observability, "record", lambda route, status, ms, fields: lines.append((route, status, fields))
    )
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    token = token_for()

    reply = open_page(token)
    open_page("forged")

    (route, status, fields), (_, missing_status, missing_fields) = lines
    assert (route, status) == ("GET /sandbox/kyc/{session}", 200)
    assert fields["requestId"] == reply.headers["Request-Id"]
    assert fields["tenant"] == TENANT and fields["customerId"] == CUSTOMER
    assert token not in json.dumps(fields)
    assert missing_status == 404 and missing_fields["errorCode"] == "resource_missing"


# -- the decision ------------------------------------------------------------------------


def test_a_decision_sends_a_correctly_signed_callback(stored: dict, sender: Callable[..., Sent]) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    sent = sender(kyc.Delivery(200, b'{"id":"' + CUSTOMER.encode() + b'","status":"rejected"}'))
    before = time.time()

    reply = decide(token_for(), {"decision": "rejected", "reason": "The document has expired"})

    assert_html_page(reply, 200)
    ((url, body, headers),) = sent
    assert url == f"https://{HOST}/v1/kyc/callbacks/sandbox"
    assert headers["Content-Type"] == "application/json"
    lowered = {k.lower(): v for k, v in headers.items()}
    decision = kyc.get_provider("sandbox").parse_callback(headers=lowered, body=body, now=time.time())
    assert (decision.tenant_id, decision.customer_id) == (TENANT, CUSTOMER)
    assert decision.approved is False and decision.reason == "The document has expired"
    document = json.loads(body)
    assert document["type"] == "verification.completed" and document["id"] == decision.event_id
    timestamp = int(lowered["sandbox-signature"].split(",")[0].removeprefix("t="))
    assert int(before) <= timestamp <= time.time()
    text = text_of(reply.text)
    assert "Decision recorded" in text and "HTTP 200" in text and decision.event_id in text


def test_an_approval_carries_no_reason(stored: dict, sender: Callable[..., Sent]) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    sent = sender(kyc.Delivery(200, b"{}"))
    decide(token_for(), {"decision": "approved", "reason": "ignored"})
    assert json.loads(sent[0][1])["reason"] is None and json.loads(sent[0][1])["decision"] == "approved"


def test_the_callback_goes_to_the_public_base_url_when_one_is_set(
    stored: dict, sender: Callable[..., Sent], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://api.partner.example/")
    pipeline.reset_runtime()
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    sent = sender(kyc.Delivery(200, b"{}"))
    decide(token_for(), {"decision": "approved"})
    assert sent[0][0] == "https://api.partner.example/v1/kyc/callbacks/sandbox"


def test_a_decision_on_a_decided_customer_says_so(stored: dict, sender: Callable[..., Sent]) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER, status="active")
    envelope = {"error": {"type": "invalid_request_error", "code": "state_conflict", "message": "no"}}
    sender(kyc.Delivery(409, json.dumps(envelope).encode()))
    reply = decide(token_for(), {"decision": "rejected"})
    assert_html_page(reply, 409)
    text = text_of(reply.text)
    assert "already decided" in text and "HTTP 409" in text and "state_conflict" in text and "active" in text


def test_an_undeliverable_callback_is_a_502_page(stored: dict, sender: Callable[..., Sent]) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    sender(kyc.Delivery(None, b"", "URLError: [Errno 111] Connection refused"))
    reply = decide(token_for(), {"decision": "approved"})
    assert_html_page(reply, 502)
    assert "could not be delivered" in text_of(reply.text) and "pending" in text_of(reply.text)


def test_a_refused_callback_shows_the_error_code(stored: dict, sender: Callable[..., Sent]) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    envelope = {"error": {"type": "authentication_error", "code": "signature_invalid", "message": "<bad>"}}
    sender(kyc.Delivery(401, json.dumps(envelope).encode()))
    reply = decide(token_for(), {"decision": "approved"})
    assert_html_page(reply, 502)
    assert "signature_invalid" in reply.text and "&lt;bad&gt;" in reply.text and "<bad>" not in reply.text


@pytest.mark.parametrize(
    ("form", "content_type", "status"),
    [
        ({"decision": "maybe"}, None, 400),
        ({}, None, 400),
        (b'{"decision": "approved"}', "application/json", 400),
        (b"decision=approved&x=" + b"y" * 5000, None, 413),
    ],
)
def test_a_bad_form_sends_nothing(
    stored: dict,
    sender: Callable[..., Sent],
    form: Any,
    content_type: str | None,
    status: int,
) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    sent = sender(kyc.Delivery(200, b"{}"))
    assert_html_page(decide(token_for(), form, content_type), status)
    assert sent == []


def test_a_forged_token_sends_nothing(stored: dict, sender: Callable[..., Sent]) -> None:
    stored[TENANT, CUSTOMER] = customer_doc(TENANT, CUSTOMER)
    sent = sender(kyc.Delivery(200, b"{}"))
    token = kyc.session_token(TENANT, CUSTOMER, now=time.time(), secret="x" * 40)
    assert_html_page(decide(token, {"decision": "approved"}), 404)
    assert sent == []


# -- the real HTTP sender ---------------------------------------------------------------------


class _Receiver(http.server.BaseHTTPRequestHandler):
    answers: list[tuple[int, bytes, dict[str, str]]] = []
    received: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.received.append((self.path, dict(self.headers.items()), body))
        status, answer, headers = self.answers.pop(0)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"answers": [], "received": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_send_posts_the_body_and_reports_any_answer(receiver: tuple[str, type[_Receiver]]) -> None:
    base, handler = receiver
    handler.answers += [
        (200, b'{"status":"active"}', {}),
        (409, b'{"error":{"code":"state_conflict"}}', {}),
        (302, b"", {"Location": "http://127.0.0.1:9/elsewhere"}),
    ]
    url = kyc.callback_url(base)
    headers = {"Content-Type": "application/json", "Sandbox-Signature": "t=1,v1=ab"}

    assert kyc.send(url, b'{"a":1}', headers) == kyc.Delivery(200, b'{"status":"active"}')
    assert kyc.send(url, b"{}", headers) == kyc.Delivery(409, b'{"error":{"code":"state_conflict"}}')
    assert kyc.send(url, b"{}", headers).status == 302  # never followed with a signed body

    path, seen, body = handler.received[0]
    assert path == "/v1/kyc/callbacks/sandbox" and body == b'{"a":1}'
    assert seen["Sandbox-Signature"] == "t=1,v1=ab" and seen["Content-Type"] == "application/json"
    assert len(handler.received) == 3


def test_send_reports_an_unreachable_receiver() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    delivery = kyc.send(f"http://127.0.0.1:{port}/v1/kyc/callbacks/sandbox", b"{}", {})
    assert delivery.status is None and delivery.error


# -- the whole flow, with the real customer domain ------------------------------------------


def _in_process_callback(url: str, body: bytes, headers: Mapping[str, str]) -> kyc.Delivery:
    """Deliver the callback to the real callback handler, as API Gateway would."""
    path = urlsplit(url).path
    event = make_event(
        "POST",
        path,
        body=body,
        headers=dict(headers),
        path_params={"provider": path.rsplit("/", 1)[1]},
        route_key="POST /v1/kyc/callbacks/{provider}",
    )
    out = handler_module("kyc/callback").lambda_handler(event, None)
    return kyc.Delivery(out["statusCode"], out["body"].encode())


def test_create_open_approve_then_the_customer_is_active(
    aws: Any, partner: Partner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kyc_pages, "send", _in_process_callback)
    created = call(
        "customers/create",
        "POST",
        "/v1/customers",
        partner=partner,
        body={
            "type": "individual",
            "name": "Ada <Lovelace>",
            "email": "ada@example.com",
            "country": "GB",
            "externalId": "kyc-pages-flow",
        },
        idempotency_key="kyc-pages-flow",
    )
    assert created.status == 201, created.text
    url = created.json["verificationUrl"]
    assert url.startswith(f"https://{HOST}/sandbox/kyc/")
    token = url.rsplit("/", 1)[1]

    page = open_page(token)
    assert_html_page(page, 200)
    assert "Ada &lt;Lovelace&gt;" in page.text and 'id="approve"' in page.text

    result = decide(token, {"decision": "approved"})
    assert_html_page(result, 200)
    assert "HTTP 200" in text_of(result.text) and "active" in text_of(result.text)

    customer_id = created.json["id"]
    got = call(
        "customers/get",
        "GET",
        f"/v1/customers/{customer_id}",
        partner=partner,
        path_params={"customerId": customer_id},
    )
    assert got.json["status"] == "active" and "accounts" in got.json["capabilities"]

    again = decide(token, {"decision": "rejected"})
    assert_html_page(again, 409)
    assert "already decided" in text_of(again.text)

    done = open_page(token)
    assert 'id="approve"' not in done.text and "This verification is complete" in done.text


def test_another_tenants_token_never_shows_this_tenants_customer(
    aws: Any, make_partner: Callable[..., Partner]
) -> None:
    owner, other = make_partner(), make_partner()
    created = call(
        "customers/create",
        "POST",
        "/v1/customers",
        partner=owner,
        body={"type": "individual", "name": "Grace Hopper", "country": "US", "externalId": "gh-1"},
        idempotency_key="kyc-pages-tenant",
    )
    assert created.status == 201, created.text
    forged = token_for(other.tenant_id, created.json["id"])  # validly signed, wrong tenant
    reply = open_page(forged)
    assert_html_page(reply, 404)
    assert "Grace Hopper" not in reply.text
