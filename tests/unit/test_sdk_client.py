"""partner_sdk.client and partner_sdk.credentials against httpx.MockTransport."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
from http_message_signatures import HTTPMessageVerifier, MappingKeyResolver, algorithms

from partner_sdk import (
    ApiError,
    AuthenticationError,
    Credentials,
    CredentialsError,
    IdempotencyError,
    InvalidRequestError,
    PartnerApiError,
    PartnerClient,
    PermissionDeniedError,
    RateLimitError,
    load_credentials,
)

KEY_ID = "sig_01TESTKEY"
API_KEY = "sk_test_0123456789abcdef"
BASE = "https://api.example.test"
NOW = 1_760_000_000.0

ED_KEY = ed25519.Ed25519PrivateKey.generate()
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: Any) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def creds(
    scheme: str = "simple", *, key: Any = ED_KEY, algorithm: str = "ed25519", base: str = BASE
) -> Credentials:
    return Credentials(
        base_url=base,
        api_key=API_KEY,
        signing_key_id=KEY_ID,
        private_key_pem=_pem(key),
        algorithm=algorithm,
        scheme=scheme,
    )


def envelope(
    status: int, type_: str, code: str, *, param: str | None = None, headers: Any = None
) -> httpx.Response:
    error: dict[str, Any] = {"type": type_, "code": code, "message": f"{code} happened", "requestId": "req_1"}
    if param is not None:
        error["param"] = param
    return httpx.Response(status, json={"error": error}, headers={"Request-Id": "req_1", **(headers or {})})


class Recorder:
    """A MockTransport handler that answers from a script and records every request."""

    def __init__(
        self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]
    ) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(request)
        return answer


class Clock:
    def __init__(self, start: float = NOW) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.5
        return self.now


def make_client(
    recorder: Recorder, credentials: Credentials | None = None, **kwargs: Any
) -> tuple[PartnerClient, list[float]]:
    sleeps: list[float] = []
    kwargs.setdefault("clock", Clock())
    client = PartnerClient(
        credentials or creds(),
        http=httpx.Client(transport=httpx.MockTransport(recorder)),
        sleep=sleeps.append,
        **kwargs,
    )
    return client, sleeps


def verify_simple(request: httpx.Request, key: Any = ED_KEY) -> bytes:
    """Check X-Signature over what actually went on the wire; return the signed bytes."""
    raw_path, _, raw_query = request.url.raw_path.decode().partition("?")
    signed = (
        "\n".join([request.headers["X-Timestamp"], request.method, raw_path, raw_query]).encode()
        + b"\n"
        + request.content
    )
    signature = base64.b64decode(request.headers["X-Signature"])
    if isinstance(key, ed25519.Ed25519PrivateKey):
        key.public_key().verify(signature, signed)
    else:
        key.public_key().verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    return signed


# -- headers and signing --------------------------------------------------------------------


def test_get_sends_api_key_and_simple_signature_but_no_idempotency_key() -> None:
    recorder = Recorder(httpx.Response(200, json={"data": [], "nextCursor": None}))
    client, _ = make_client(recorder)
    response = client.get("/v1/customers")
    (request,) = recorder.requests
    assert response.status == 200
    assert response.json() == {"data": [], "nextCursor": None}
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["X-Key-Id"] == KEY_ID
    assert request.headers["X-Timestamp"] == str(int(NOW + 1.5))
    assert "Idempotency-Key" not in request.headers
    assert verify_simple(request) == f"{int(NOW + 1.5)}\nGET\n/v1/customers\n\n".encode()


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_writes_carry_a_uuid4_idempotency_key(method: str) -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    client, _ = make_client(recorder)
    client.request(method, "/v1/customers/cus_1/activate")
    key = recorder.requests[0].headers["Idempotency-Key"]
    assert uuid.UUID(key).version == 4


def test_a_given_idempotency_key_is_sent_as_is() -> None:
    recorder = Recorder(httpx.Response(201, json={"id": "cus_1"}))
    client, _ = make_client(recorder)
    client.post("/v1/customers", {"type": "individual"}, idempotency_key="order-42")
    assert recorder.requests[0].headers["Idempotency-Key"] == "order-42"


def test_json_bodies_are_compact_and_signed_byte_for_byte() -> None:
    recorder = Recorder(httpx.Response(201, json={"id": "cus_1"}))
    client, _ = make_client(recorder)
    client.post("/v1/customers", {"name": "Zoë", "metadata": {"a": "1"}, "tags": [1, 2]})
    (request,) = recorder.requests
    assert request.content == b'{"name":"Zo\\u00eb","metadata":{"a":"1"},"tags":[1,2]}'
    assert request.headers["Content-Type"] == "application/json"
    assert verify_simple(request).endswith(b"\n" + request.content)


def test_raw_content_is_sent_and_signed_unchanged() -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    client, _ = make_client(recorder)
    client.request("POST", "/v1/customers", content=b'{ "spaced" :  true }')
    assert recorder.requests[0].content == b'{ "spaced" :  true }'
    verify_simple(recorder.requests[0])


def test_the_query_string_is_signed_exactly_as_sent() -> None:
    # Given a path that carries a query and more params to append
    recorder = Recorder(httpx.Response(200, json={"data": [], "nextCursor": None}))
    client, _ = make_client(recorder)
    client.get(
        "/v1/bank-accounts?status=ACTIVE",
        params={"referenceId": "ref 1/é", "upsert": True, "limit": 5, "cursor": None},
    )
    (request,) = recorder.requests
    # Then the query on the wire is serialized once, in order, and is what was signed
    assert (
        request.url.raw_path
        == b"/v1/bank-accounts?status=ACTIVE&referenceId=ref%201%2F%C3%A9&upsert=true&limit=5"
    )
    signed = verify_simple(request)
    assert b"\n/v1/bank-accounts\nstatus=ACTIVE&referenceId=ref%201%2F%C3%A9&upsert=true&limit=5\n" in signed


def test_rsa_keys_sign_the_simple_scheme() -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    client, _ = make_client(recorder, creds(key=RSA_KEY, algorithm="rsa-v1_5-sha256"))
    client.get("/v1/customers?limit=1")
    verify_simple(recorder.requests[0], RSA_KEY)


def test_rfc9421_requests_verify_with_http_message_verifier() -> None:
    # Given a client on the RFC 9421 scheme with a real clock
    recorder = Recorder(httpx.Response(201, json={"id": "cus_1"}))
    client, _ = make_client(recorder, creds("rfc9421"), clock=__import__("time").time)
    client.post("/v1/customers?x=1", {"type": "individual"})
    (request,) = recorder.requests
    # Then the digest matches the bytes sent and the signature covers method, URI and digest
    digest = base64.b64encode(hashlib.sha256(request.content).digest()).decode()
    assert request.headers["Content-Digest"] == f"sha-256=:{digest}:"
    assert "X-Signature" not in request.headers
    message = SimpleNamespace(method=request.method, url=str(request.url), headers=request.headers)
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={KEY_ID: ED_KEY.public_key()}, private_keys={}),
    )
    (result,) = verifier.verify(
        message, require_components=["@method", "@target-uri", "content-digest"], body=request.content
    )
    assert result.covered_components['"@target-uri"'] == f"{BASE}/v1/customers?x=1"
    assert result.parameters["keyid"] == KEY_ID


def test_scheme_none_sends_no_signature() -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    client, _ = make_client(recorder, scheme="none")
    client.get("/v1/customers")
    headers = recorder.requests[0].headers
    assert not {"x-signature", "signature", "signature-input"} & set(headers.keys())
    assert headers["Authorization"] == f"Bearer {API_KEY}"


def test_a_base_url_ending_in_v1_is_not_doubled() -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    client, _ = make_client(recorder, creds(base="http://127.0.0.1:3000/v1/"))
    client.get("/v1/customers")
    assert str(recorder.requests[0].url) == "http://127.0.0.1:3000/v1/customers"
    assert verify_simple(recorder.requests[0]).split(b"\n")[2] == b"/v1/customers"


def test_response_reports_replays() -> None:
    recorder = Recorder(httpx.Response(201, json={"id": "cus_1"}, headers={"Idempotency-Replayed": "true"}))
    client, _ = make_client(recorder)
    response = client.post("/v1/customers", {})
    assert response.replayed is True
    assert response.data == {"id": "cus_1"}


# -- retries --------------------------------------------------------------------------------


def test_503_is_retried_with_the_same_key_and_a_fresh_signature() -> None:
    # Given a server that fails once
    recorder = Recorder(envelope(503, "api_error", "internal"), httpx.Response(201, json={"id": "cus_1"}))
    client, sleeps = make_client(recorder)
    # When a write is sent
    response = client.post("/v1/customers", {"type": "individual"})
    # Then it is retried once, after a backoff, with the same Idempotency-Key re-signed
    first, second = recorder.requests
    assert response.status == 201
    assert sleeps == [0.5]
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert first.headers["X-Timestamp"] != second.headers["X-Timestamp"]
    assert first.headers["X-Signature"] != second.headers["X-Signature"]
    verify_simple(first)
    verify_simple(second)


def test_retry_after_is_honoured_on_429() -> None:
    recorder = Recorder(
        envelope(429, "rate_limit_error", "too_many_requests", headers={"Retry-After": "3"}),
        httpx.Response(200, json={}),
    )
    client, sleeps = make_client(recorder)
    client.get("/v1/customers")
    assert sleeps == [3.0]
    assert len(recorder.requests) == 2


def test_idempotency_key_in_flight_is_retried_after_retry_after() -> None:
    recorder = Recorder(
        envelope(409, "idempotency_error", "idempotency_key_in_flight", headers={"Retry-After": "1"}),
        httpx.Response(201, json={"id": "cus_1"}),
    )
    client, sleeps = make_client(recorder)
    assert client.post("/v1/customers", {}).status == 201
    assert sleeps == [1.0]
    assert len({r.headers["Idempotency-Key"] for r in recorder.requests}) == 1


@pytest.mark.parametrize(
    "answer",
    [
        envelope(409, "idempotency_error", "duplicate_idempotency_key"),
        envelope(409, "invalid_request_error", "state_conflict"),
        envelope(400, "invalid_request_error", "parameter_missing", param="type"),
    ],
)
def test_other_4xx_are_not_retried(answer: httpx.Response) -> None:
    recorder = Recorder(answer)
    client, sleeps = make_client(recorder)
    with pytest.raises(PartnerApiError):
        client.post("/v1/customers", {})
    assert len(recorder.requests) == 1
    assert sleeps == []


def test_retries_stop_at_max_retries_with_exponential_backoff() -> None:
    recorder = Recorder(envelope(503, "api_error", "internal"))
    client, sleeps = make_client(recorder, max_retries=3)
    with pytest.raises(ApiError) as caught:
        client.get("/v1/customers")
    assert len(recorder.requests) == 4
    assert sleeps == [0.5, 1.0, 2.0]
    assert caught.value.status == 503


def test_a_retry_after_longer_than_the_cap_is_not_waited_for() -> None:
    recorder = Recorder(
        envelope(429, "rate_limit_error", "too_many_requests", headers={"Retry-After": "3600"})
    )
    client, sleeps = make_client(recorder)
    with pytest.raises(RateLimitError):
        client.get("/v1/customers")
    assert sleeps == []
    assert len(recorder.requests) == 1


def test_transport_errors_are_retried_then_raised() -> None:
    recorder = Recorder(httpx.ConnectError("refused"), httpx.Response(200, json={"ok": True}))
    client, sleeps = make_client(recorder)
    assert client.post("/v1/customers", {}).json() == {"ok": True}
    assert sleeps == [0.5]
    assert recorder.requests[0].headers["Idempotency-Key"] == recorder.requests[1].headers["Idempotency-Key"]

    failing = Recorder(httpx.ReadTimeout("slow"))
    client, sleeps = make_client(failing, max_retries=1)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/v1/customers")
    assert len(failing.requests) == 2


# -- typed errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "type_", "code", "cls"),
    [
        (400, "invalid_request_error", "parameter_invalid", InvalidRequestError),
        (404, "invalid_request_error", "resource_missing", InvalidRequestError),
        (401, "authentication_error", "signature_invalid", AuthenticationError),
        (403, "permission_error", "scope_missing", PermissionDeniedError),
        (409, "idempotency_error", "duplicate_idempotency_key", IdempotencyError),
        (429, "rate_limit_error", "too_many_requests", RateLimitError),
        (500, "api_error", "internal", ApiError),
        (418, "brand_new_error", "teapot", PartnerApiError),
    ],
)
def test_each_error_type_raises_its_class(
    status: int, type_: str, code: str, cls: type[PartnerApiError]
) -> None:
    recorder = Recorder(envelope(status, type_, code, param="metadata.color"))
    client, _ = make_client(recorder, max_retries=0)
    with pytest.raises(PartnerApiError) as caught:
        client.post("/v1/customers", {})
    error = caught.value
    assert type(error) is cls
    assert (error.status, error.type, error.code, error.param) == (status, type_, code, "metadata.color")
    assert error.request_id == "req_1"
    assert error.headers["request-id"] == "req_1"
    assert error.json()["error"]["code"] == code


def test_a_non_json_error_body_raises_the_base_class() -> None:
    recorder = Recorder(httpx.Response(502, text="<html>Bad Gateway</html>", headers={"Request-Id": "req_9"}))
    client, _ = make_client(recorder, max_retries=0)
    with pytest.raises(PartnerApiError) as caught:
        client.get("/v1/customers")
    assert type(caught.value) is PartnerApiError
    assert caught.value.status == 502
    assert caught.value.request_id == "req_9"
    assert caught.value.body == b"<html>Bad Gateway</html>"


# -- pagination and signing keys ------------------------------------------------------------


def test_iterate_follows_next_cursor() -> None:
    pages = iter(
        [
            httpx.Response(200, json={"data": [{"id": "a"}, {"id": "b"}], "nextCursor": "c2"}),
            httpx.Response(200, json={"data": [{"id": "c"}], "nextCursor": None}),
        ]
    )
    recorder = Recorder(lambda request: next(pages))
    client, _ = make_client(recorder)
    items = [item["id"] for item in client.iterate("/v1/customers", {"status": "active", "limit": 2})]
    assert items == ["a", "b", "c"]
    assert [r.url.params.get("cursor") for r in recorder.requests] == [None, "c2"]
    assert all(r.url.params["status"] == "active" for r in recorder.requests)


def test_signing_key_methods_call_their_endpoints() -> None:
    answers: Iterator[httpx.Response] = iter(
        [
            httpx.Response(201, json={"id": "sig_new", "algorithm": "ed25519"}),
            httpx.Response(200, json={"data": [{"id": "sig_new"}], "nextCursor": None}),
            httpx.Response(204),
        ]
    )
    recorder = Recorder(lambda request: next(answers))
    client, _ = make_client(recorder)
    assert client.signing_keys.create("-----BEGIN PUBLIC KEY-----...", "ed25519")["id"] == "sig_new"
    assert client.signing_keys.list(limit=10)["data"] == [{"id": "sig_new"}]
    assert client.signing_keys.delete("sig_new") is None
    create, listing, delete = recorder.requests
    assert (create.method, create.url.path) == ("POST", "/v1/signing-keys")
    assert json.loads(create.content) == {
        "publicKey": "-----BEGIN PUBLIC KEY-----...",
        "algorithm": "ed25519",
    }
    assert (listing.method, listing.url.raw_path) == ("GET", b"/v1/signing-keys?limit=10")
    assert (delete.method, delete.url.path) == ("DELETE", "/v1/signing-keys/sig_new")
    assert "Idempotency-Key" in delete.headers


def test_a_signing_scheme_without_a_key_is_refused() -> None:
    bare = Credentials(base_url=BASE, api_key=API_KEY)
    with pytest.raises(ValueError, match="signing key"):
        PartnerClient(bare, http=httpx.Client(transport=httpx.MockTransport(Recorder(httpx.Response(200)))))


# -- credentials ----------------------------------------------------------------------------


def _sandbox_file(path: Path, **overrides: Any) -> Path:
    document = {
        "baseUrl": "http://127.0.0.1:3000",
        "apiKey": "sk_sandbox",
        "apiKeyId": "key_1",
        "tenantId": "ten_1",
        "signingKeyId": "sig_sandbox",
        "algorithm": "ed25519",
        "privateKeyPem": _pem(ED_KEY),
        "somethingNew": {"ignored": True},
        **overrides,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


def test_environment_variables_come_first(tmp_path: Path) -> None:
    _sandbox_file(tmp_path / ".local" / "sandbox.json")
    env = {
        "PARTNER_API_KEY": "sk_env",
        "PARTNER_API_BASE_URL": "https://api.partner.test",
        "PARTNER_API_SIGNING_KEY_ID": "sig_env",
        "PARTNER_API_SIGNING_KEY": _pem(RSA_KEY),
        "PARTNER_API_SIGNING_ALGORITHM": "rsa-pss-sha512",
        "PARTNER_API_SIGNATURE_SCHEME": "simple",
    }
    loaded = load_credentials(env, cwd=tmp_path)
    assert loaded == Credentials(
        base_url="https://api.partner.test",
        api_key="sk_env",
        signing_key_id="sig_env",
        private_key_pem=_pem(RSA_KEY),
        algorithm="rsa-pss-sha512",
        scheme="simple",
    )
    assert "sk_env" not in repr(loaded)


def test_the_signing_key_variable_may_name_a_pem_file(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "k.pem").write_text(_pem(ED_KEY))
    env = {"PARTNER_API_KEY": "sk", "PARTNER_API_BASE_URL": BASE, "PARTNER_API_SIGNING_KEY": "keys/k.pem"}
    loaded = load_credentials(env, cwd=tmp_path)
    assert loaded.private_key_pem == _pem(ED_KEY)
    assert (loaded.algorithm, loaded.scheme) == ("ed25519", "rfc9421")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PARTNER_API_KEY": "sk"}, "PARTNER_API_BASE_URL"),
        (
            {"PARTNER_API_KEY": "sk", "PARTNER_API_BASE_URL": BASE, "PARTNER_API_SIGNING_KEY": "nope.pem"},
            "nope.pem",
        ),
        (
            {"PARTNER_API_KEY": "sk", "PARTNER_API_BASE_URL": BASE, "PARTNER_API_SIGNATURE_SCHEME": "hmac"},
            "scheme",
        ),
    ],
)
def test_bad_environment_is_a_clear_error(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(CredentialsError, match=message):
        load_credentials(env, cwd=tmp_path)


def test_the_sandbox_file_is_found_from_a_subdirectory(tmp_path: Path) -> None:
    _sandbox_file(tmp_path / ".local" / "sandbox.json")
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    loaded = load_credentials({}, cwd=deep)
    assert loaded == Credentials(
        base_url="http://127.0.0.1:3000",
        api_key="sk_sandbox",
        signing_key_id="sig_sandbox",
        private_key_pem=_pem(ED_KEY),
        algorithm="ed25519",
        scheme="rfc9421",
    )


def test_partner_api_credentials_names_the_file(tmp_path: Path) -> None:
    _sandbox_file(tmp_path / ".local" / "sandbox.json")
    other = _sandbox_file(tmp_path / "elsewhere.json", apiKey="sk_other")
    assert load_credentials({"PARTNER_API_CREDENTIALS": str(other)}, cwd=tmp_path).api_key == "sk_other"
    with pytest.raises(CredentialsError, match=re.escape(str(tmp_path / "missing.json"))):
        load_credentials({"PARTNER_API_CREDENTIALS": "missing.json"}, cwd=tmp_path)


def test_no_credentials_anywhere_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match=r"PARTNER_API_KEY.*sandbox\.json"):
        load_credentials({}, cwd=tmp_path)


@pytest.mark.parametrize("content", ["not json", "[]", json.dumps({"baseUrl": "http://x"})])
def test_a_broken_sandbox_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / ".local" / "sandbox.json"
    path.parent.mkdir()
    path.write_text(content)
    with pytest.raises(CredentialsError, match=r"sandbox\.json"):
        load_credentials({}, cwd=tmp_path)


def test_the_client_loads_credentials_when_none_are_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sandbox_file(tmp_path / ".local" / "sandbox.json")
    monkeypatch.chdir(tmp_path)
    for name in ("PARTNER_API_KEY", "PARTNER_API_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    recorder = Recorder(httpx.Response(200, json={}))
    client = PartnerClient(http=httpx.Client(transport=httpx.MockTransport(recorder)))
    client.get("/v1/customers")
    request = recorder.requests[0]
    assert request.headers["Authorization"] == "Bearer sk_sandbox"
    assert 'keyid="sig_sandbox"' in request.headers["Signature-Input"]
    assert str(request.url) == "http://127.0.0.1:3000/v1/customers"


def test_caller_headers_replace_defaults_whatever_their_case() -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    client, _ = make_client(recorder)
    client.get("/v1/customers", headers={"authorization": "Bearer sk_other", "X-Trace": "t1"})
    headers = recorder.requests[0].headers
    assert headers.get_list("Authorization") == ["Bearer sk_other"]
    assert headers["X-Trace"] == "t1"
