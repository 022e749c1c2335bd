"""The local API's router (werkzeug test client) against moto, in-process."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from werkzeug.test import Client

from localapi.events import http_api_event
from localapi.server import LocalApi, functions_environment, load_handler, local_overrides
from localapi.template import Route, Template, load_template, routes
from partner_sdk import signing
from tests.support.harness import Partner

TEMPLATE = load_template()


class Recorder:
    """A fake handler: keeps the events it receives and answers a fixed response."""

    def __init__(self, response: Any = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.contexts: list[Any] = []
        self.response = response if response is not None else {"statusCode": 200, "body": ""}

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        self.contexts.append(context)
        return self.response


def fake_client(recorder: Recorder, template: Template = TEMPLATE) -> Client:
    """Every endpoint replaced by the recorder; the $default catch-all (404 / 405) is real."""
    return Client(
        LocalApi(template, loader=lambda route: load_handler(route) if route.path == "$default" else recorder)
    )


def assert_envelope(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    body = json.loads(response.get_data(as_text=True))
    assert body["error"]["code"] == code
    assert body["error"]["requestId"] == response.headers["Request-Id"]
    assert response.headers["Request-Id"].startswith("req_")
    return body


# -- routing, with a fake handler ------------------------------------------------------


def test_unknown_path_is_404_resource_missing() -> None:
    recorder = Recorder()
    response = fake_client(recorder).get("/v1/nope?x=1")
    body = assert_envelope(response, 404, "resource_missing")
    assert body["error"]["type"] == "invalid_request_error"
    assert recorder.events == []
    assert_envelope(fake_client(recorder).get("/v1/signing-keys/"), 404, "resource_missing")
    assert_envelope(fake_client(recorder).get("/v1/signing-keys/a/b"), 404, "resource_missing")


def test_known_path_with_another_method_is_405_with_allow() -> None:
    recorder = Recorder()
    response = fake_client(recorder).put("/v1/signing-keys", data=b"{}")
    assert_envelope(response, 405, "method_not_allowed")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "POST"}
    response = fake_client(recorder).get("/v1/signing-keys/sig_01ABC")
    assert_envelope(response, 405, "method_not_allowed")
    assert response.headers["Allow"] == "DELETE"
    assert recorder.events == []


def test_event_is_payload_2_with_raw_path_and_query_as_sent() -> None:
    recorder = Recorder()
    response = fake_client(recorder).get(
        "/v1/signing-keys?limit=5&x=%2F&x=a+b&empty=",
        headers=[("X-Custom", "one"), ("X-Custom", "two"), ("User-Agent", "tests/1.0")],
    )
    assert response.status_code == 200
    (event,) = recorder.events
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /v1/signing-keys"
    assert event["rawPath"] == "/v1/signing-keys"
    assert event["rawQueryString"] == "limit=5&x=%2F&x=a+b&empty="
    assert event["queryStringParameters"] == {"limit": "5", "x": "/,a b", "empty": ""}
    assert "pathParameters" not in event
    headers = event["headers"]
    assert all(name == name.lower() for name in headers)
    assert headers["x-forwarded-proto"] == "http"
    assert headers["host"] == "localhost"
    assert headers["user-agent"] == "tests/1.0"
    assert [v.strip() for v in headers["x-custom"].split(",")] == ["one", "two"]
    context = event["requestContext"]
    assert context["http"] == {
        "method": "GET",
        "path": "/v1/signing-keys",
        "protocol": "HTTP/1.1",
        "sourceIp": context["http"]["sourceIp"],
        "userAgent": "tests/1.0",
    }
    assert context["routeKey"] == "GET /v1/signing-keys"
    assert context["stage"] == "$default"
    assert context["domainName"] == "localhost"
    assert context["requestId"]
    assert abs(context["timeEpoch"] - time.time() * 1000) < 60_000
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    (lambda_context,) = recorder.contexts
    assert lambda_context.function_name == "ListSigningKeysFunction"
    assert lambda_context.memory_limit_in_mb == 512
    assert 0 < lambda_context.get_remaining_time_in_millis() <= 10_000
    assert lambda_context.aws_request_id


def test_percent_encoded_path_stays_raw_and_parameters_are_decoded() -> None:
    recorder = Recorder({"statusCode": 204, "headers": {"Request-Id": "req_x"}})
    response = fake_client(recorder).delete("/v1/signing-keys/sig_a%2Fb%20c")
    assert response.status_code == 204
    assert response.get_data() == b""
    (event,) = recorder.events
    assert event["rawPath"] == "/v1/signing-keys/sig_a%2Fb%20c"
    assert event["rawQueryString"] == ""
    assert "queryStringParameters" not in event
    assert event["pathParameters"] == {"keyId": "sig_a/b c"}
    assert event["routeKey"] == "DELETE /v1/signing-keys/{keyId}"


def test_raw_target_comes_from_the_request_uri() -> None:
    """What werkzeug's server puts in REQUEST_URI is what the handler sees, never PATH_INFO."""
    recorder = Recorder()
    app = LocalApi(TEMPLATE, loader=lambda route: recorder)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/v1/signing-keys",
        "QUERY_STRING": "limit=5&x=/",
        "REQUEST_URI": "/v1/signing-keys?limit=5&x=%2F",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": __import__("io").BytesIO(b""),
        "HTTP_HOST": "127.0.0.1:3000",
    }
    route = next(r for r in routes(TEMPLATE) if r.route_key == "GET /v1/signing-keys")
    event = app.build_event(environ, route, {})
    assert (event["rawPath"], event["rawQueryString"]) == ("/v1/signing-keys", "limit=5&x=%2F")
    assert event["headers"]["host"] == "127.0.0.1:3000"


def test_bodies_text_or_base64() -> None:
    recorder = Recorder()
    client = fake_client(recorder)
    client.post("/v1/signing-keys", data='{"a":"é"}'.encode(), content_type="application/json")
    client.post("/v1/signing-keys", data=b"\xff\x00binary", content_type="application/octet-stream")
    text, binary = recorder.events
    assert text["body"] == '{"a":"é"}' and text["isBase64Encoded"] is False
    assert text["headers"]["content-type"] == "application/json"
    assert text["headers"]["content-length"] == str(len('{"a":"é"}'.encode()))
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\xff\x00binary"


def test_proxy_response_is_returned_as_http() -> None:
    recorder = Recorder(
        {
            "statusCode": 201,
            "headers": {"Request-Id": "req_1", "Content-Type": "application/json", "X-Extra": "yes"},
            "body": base64.b64encode(b'{"ok":true}').decode(),
            "isBase64Encoded": True,
            "cookies": ["a=1; Path=/"],
        }
    )
    response = fake_client(recorder).post("/v1/signing-keys", data=b"{}")
    assert response.status_code == 201
    assert response.get_json() == {"ok": True}
    assert response.headers["X-Extra"] == "yes"
    assert response.headers["Request-Id"] == "req_1"
    assert response.headers.getlist("Set-Cookie") == ["a=1; Path=/"]


def test_a_handler_that_returns_a_plain_value_answers_200_json() -> None:
    response = fake_client(Recorder({"hello": "world"})).get("/v1/signing-keys")
    assert response.status_code == 200
    assert response.get_json() == {"hello": "world"}


def test_a_handler_that_raises_is_a_500_envelope_without_internals() -> None:
    def broken(route: Route) -> Any:
        def handler(event: dict[str, Any], context: Any) -> Any:
            raise RuntimeError("secret internals")

        return handler

    logged: list[str] = []
    client = Client(LocalApi(TEMPLATE, loader=broken, log=logged.append))
    response = client.get("/v1/signing-keys")
    assert_envelope(response, 500, "internal")
    assert "secret internals" not in response.get_data(as_text=True)
    assert "secret internals" in logged[0]


def test_builder_keeps_raw_values_byte_for_byte() -> None:
    event = http_api_event(
        method="get",
        raw_path="/v1/things/%7Eid",
        raw_query="a=%2f&b=%C3%A9&a=2",
        headers={"host": "h", "cookie": "a=1; b=2"},
        body=b"",
        route_key="GET /v1/things/{id}",
        path_parameters={"id": "~id"},
    )
    assert event["rawPath"] == "/v1/things/%7Eid"
    assert event["rawQueryString"] == "a=%2f&b=%C3%A9&a=2"
    assert event["queryStringParameters"] == {"a": "/,2", "b": "é"}
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["cookies"] == ["a=1", "b=2"]
    assert "cookie" not in event["headers"]


# -- every route, with the real handlers -----------------------------------------------


@pytest.mark.parametrize("route", routes(TEMPLATE), ids=lambda r: r.route_key)
def test_every_route_resolves_to_an_importable_handler(route: Route) -> None:
    handler = load_handler(route)
    assert callable(handler)
    assert load_handler(route) is handler  # imported once, cached


def test_local_environment_is_one_for_all_functions() -> None:
    env = functions_environment(TEMPLATE, local_overrides("t", "s" * 32))
    assert env["TABLE_NAME"] == "t"
    assert env["CURSOR_SECRET"] == "s" * 32


def _signed(partner: Partner, method: str, target: str, body: bytes = b"") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {partner.api_key}"}
    headers.update(
        signing.rfc9421_headers(
            private_key=partner.private_key,
            key_id=partner.signing_key_id,
            algorithm=partner.algorithm,
            method=method,
            url=f"http://localhost{target}",
            body=body,
            created=int(time.time()),
        )
    )
    return headers


def test_real_handlers_behind_the_router(aws: Any, partner: Partner) -> None:
    client = Client(LocalApi(TEMPLATE))

    response = client.get("/v1/signing-keys")
    assert_envelope(response, 401, "api_key_missing")

    response = client.get("/v1/signing-keys", headers={"Authorization": f"Bearer {partner.api_key}"})
    assert_envelope(response, 401, "signature_missing")

    target = "/v1/signing-keys?limit=5"
    response = client.get(target, headers=_signed(partner, "GET", target))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Request-Id"].startswith("req_")
    listed = response.get_json()
    assert [k["id"] for k in listed["data"]] == [partner.signing_key_id]

    # The signature covers the raw query as sent: a percent-encoded one verifies, and the
    # request then fails validation (an unknown parameter), not authentication.
    target = "/v1/signing-keys?limit=5&x=%2F"
    response = client.get(target, headers=_signed(partner, "GET", target))
    body = assert_envelope(response, 400, "parameter_unknown")
    assert body["error"]["param"] == "x"

    new_key = signing.generate_private_key("ed25519")
    payload = json.dumps({"publicKey": signing.public_key_pem(new_key)}).encode()
    headers = _signed(partner, "POST", "/v1/signing-keys", payload)
    headers["Idempotency-Key"] = "router-test-1"
    response = client.post("/v1/signing-keys", data=payload, headers=headers, content_type="application/json")
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert created["id"].startswith("sig_")

    target = f"/v1/signing-keys/{created['id']}"
    response = client.delete(target, headers=_signed(partner, "DELETE", target))
    assert response.status_code == 204, response.get_data(as_text=True)
