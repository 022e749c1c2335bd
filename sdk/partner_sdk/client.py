"""The partner's HTTP client: API key, request signing, idempotency and retries, and the
resource groups built on them (`client.customers.create(...)`, `partner_sdk.resources`).

Every attempt is built once and signed over exactly what goes on the wire: the raw
percent-encoded path, the raw query string and the raw body bytes, read back from the
httpx request that is then sent unchanged.
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

import httpx

from partner_sdk import resources
from partner_sdk.credentials import SCHEMES, Credentials, load_credentials
from partner_sdk.errors import PartnerApiError, error_from_response
from partner_sdk.signing import PrivateKey, load_private_key, rfc9421_headers, simple_headers

__all__ = ["PartnerClient", "Response"]

USER_AGENT: Final = "partner-sdk-python/0.1.0"
WRITE_METHODS: Final = frozenset({"POST", "PATCH", "DELETE"})
QueryParams = Mapping[str, Any] | None


class Response:
    """A successful (1xx-3xx) answer."""

    def __init__(self, status: int, headers: httpx.Headers, content: bytes) -> None:
        self.status = status
        self.headers = headers
        self.content = content

    def json(self) -> Any:
        """The parsed JSON body; None for an empty body (204)."""
        return jsonlib.loads(self.content) if self.content else None

    @property
    def data(self) -> Any:
        """Same as `json()`."""
        return self.json()

    @property
    def request_id(self) -> str | None:
        return self.headers.get("Request-Id")

    @property
    def replayed(self) -> bool:
        """True when the API replayed a stored answer for this Idempotency-Key."""
        return self.headers.get("Idempotency-Replayed", "").lower() == "true"

    def __repr__(self) -> str:
        return f"Response(status={self.status}, request_id={self.request_id!r}, replayed={self.replayed})"


class PartnerClient:
    """A client for the partner API.

    `credentials` default to `load_credentials()`. `scheme` overrides the credentials'
    signature scheme ("rfc9421", "simple" or "none"). `clock` gives the signing time,
    `sleep` waits between retries (both injectable for tests). `http` is an
    `httpx.Client` to use (its transport, timeouts, proxies); the client closes only an
    `httpx.Client` it made itself.
    """

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        http: httpx.Client | None = None,
        scheme: str | None = None,
        clock: Callable[[], float] = time.time,
        max_retries: int = 2,
        sleep: Callable[[float], None] = time.sleep,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        max_retry_after: float = 60.0,
        timeout: float = 30.0,
    ) -> None:
        self.credentials = credentials if credentials is not None else load_credentials()
        self.scheme = scheme or self.credentials.scheme
        if self.scheme not in SCHEMES:
            raise ValueError(
                f"unknown signature scheme {self.scheme!r}; expected one of {', '.join(SCHEMES)}"
            )
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self._private_key: PrivateKey | None = None
        if self.scheme != "none":
            if not self.credentials.private_key_pem:
                raise ValueError(f"the {self.scheme} scheme needs a signing key (or use scheme 'none')")
            if self.scheme == "rfc9421" and not self.credentials.signing_key_id:
                raise ValueError("the rfc9421 scheme needs a signing key id (keyid)")
            self._private_key = load_private_key(self.credentials.private_key_pem)
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout)
        self._clock = clock
        self._sleep = sleep
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        # The resource groups: paths, bodies and filters; every call goes through `request`.
        self.signing_keys = resources.SigningKeys(self)
        self.customers = resources.Customers(self)
        self.events = resources.Events(self)
        self.bank_accounts = resources.BankAccounts(self)
        self.blockchain_wallets = resources.BlockchainWallets(self)
        self.webhook_endpoints = resources.WebhookEndpoints(self)
        self.accounts = resources.Accounts(self)
        self.bank_information = resources.BankInformation(self)
        self.supported_banks = resources.SupportedBanks(self)
        # The ledger hierarchy: `ledger.organizations`, `ledger.ledgers`, ... `ledger.accounts`.
        self.ledger = resources.Ledger(self)

    @property
    def http(self) -> httpx.Client:
        """The underlying httpx client, for the few requests outside the API (the sandbox's
        KYC page: `customers.decide_in_sandbox`)."""
        return self._http

    # -- lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> PartnerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one request method -------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: QueryParams = None,
        idempotency_key: str | None = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Send one API request, retrying what is safe to retry.

        `path` is the API path (`/v1/customers`), optionally with its query string;
        `params` are appended to it. `json` is sent compact; `content` sends raw bytes
        instead. Writes (POST, PATCH, DELETE) carry an `Idempotency-Key`, a new uuid4
        unless given, the same on every retry. Raises a `PartnerApiError` subclass for
        a 4xx/5xx answer once retries are exhausted, and `httpx.TransportError` when the
        connection keeps failing.
        """
        method = method.upper()
        if json is not None and content is not None:
            raise ValueError("pass either json or content, not both")
        url = self._url(path, params)
        body = content if content is not None else b""
        base_headers = httpx.Headers(
            {
                "Authorization": f"Bearer {self.credentials.api_key}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            }
        )
        if json is not None:
            body = jsonlib.dumps(json, separators=(",", ":")).encode("utf-8")
            base_headers["Content-Type"] = "application/json"
        elif content is not None:
            base_headers["Content-Type"] = "application/json"
        if idempotency_key is None and method in WRITE_METHODS:
            idempotency_key = str(uuid.uuid4())
        if idempotency_key is not None:
            base_headers["Idempotency-Key"] = idempotency_key
        base_headers.update(headers or {})

        attempt = 0
        while True:
            request = self._http.build_request(method, url, content=body or None, headers=base_headers)
            self._sign(request, body)
            try:
                raw = self._http.send(request)
            except httpx.TransportError:
                if attempt >= self.max_retries:
                    raise
                self._sleep(self._backoff(attempt))
                attempt += 1
                continue
            if raw.status_code < 400:
                return Response(raw.status_code, raw.headers, raw.content)
            error = error_from_response(raw.status_code, raw.headers, raw.content)
            delay = self._retry_delay(error, attempt)
            if delay is None:
                raise error
            self._sleep(delay)
            attempt += 1

    # -- conveniences -----------------------------------------------------------------

    def get(
        self, path: str, *, params: QueryParams = None, headers: Mapping[str, str] | None = None
    ) -> Response:
        return self.request("GET", path, params=params, headers=headers)

    def post(
        self,
        path: str,
        json: Any = None,
        *,
        params: QueryParams = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        return self.request(
            "POST", path, json=json, params=params, idempotency_key=idempotency_key, headers=headers
        )

    def patch(
        self,
        path: str,
        json: Any = None,
        *,
        params: QueryParams = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        return self.request(
            "PATCH", path, json=json, params=params, idempotency_key=idempotency_key, headers=headers
        )

    def delete(
        self,
        path: str,
        *,
        params: QueryParams = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        return self.request("DELETE", path, params=params, idempotency_key=idempotency_key, headers=headers)

    def iterate(self, path: str, params: QueryParams = None) -> Iterator[Any]:
        """Every item of a list endpoint, following `nextCursor` page after page."""
        query = {k: v for k, v in (params or {}).items() if k != "cursor"}
        cursor = (params or {}).get("cursor")
        while True:
            page = self.get(path, params={**query, "cursor": cursor}).json() or {}
            yield from page.get("data", [])
            cursor = page.get("nextCursor")
            if not cursor:
                return

    # -- internals --------------------------------------------------------------------

    def _url(self, path: str, params: QueryParams) -> str:
        """Base URL + path + query, the query serialized once here.

        A base URL that already ends in `/v1` is not doubled by a `/v1/...` path.
        """
        if path.startswith(("http://", "https://")):
            raise ValueError("pass an API path such as /v1/customers, not an absolute URL")
        path, _, query = path.partition("?")
        if not path.startswith("/"):
            path = "/" + path
        base = self.credentials.base_url.rstrip("/")
        base_path = urllib.parse.urlsplit(base).path
        if base_path and (path == base_path or path.startswith(base_path + "/")):
            path = path[len(base_path) :]
        extra = _encode_params(params)
        if extra:
            query = f"{query}&{extra}" if query else extra
        return base + path + (f"?{query}" if query else "")

    def _sign(self, request: httpx.Request, body: bytes) -> None:
        if self._private_key is None:
            return
        timestamp = int(self._clock())
        if self.scheme == "simple":
            raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
            signed = simple_headers(
                private_key=self._private_key,
                key_id=self.credentials.signing_key_id,
                method=request.method,
                path=raw_path,
                query=raw_query,
                body=body,
                timestamp=timestamp,
            )
        else:
            assert self.credentials.signing_key_id is not None  # checked in __init__
            signed = rfc9421_headers(
                private_key=self._private_key,
                key_id=self.credentials.signing_key_id,
                algorithm=self.credentials.algorithm,
                method=request.method,
                url=str(request.url),
                body=body,
                created=timestamp,
            )
        request.headers.update(signed)

    def _backoff(self, attempt: int) -> float:
        return float(min(self.backoff_base * (2**attempt), self.backoff_max))

    def _retry_delay(self, error: PartnerApiError, attempt: int) -> float | None:
        """Seconds to wait before retrying `error`, or None to give up."""
        retryable = (
            error.status == 429
            or error.status >= 500
            or (error.status == 409 and error.code == "idempotency_key_in_flight")
        )
        if not retryable or attempt >= self.max_retries:
            return None
        retry_after = self._retry_after(error.headers.get("Retry-After"))
        if retry_after is None:
            return self._backoff(attempt)
        if retry_after > self.max_retry_after:
            return None  # the server asks for longer than a client should block
        return retry_after

    def _retry_after(self, value: str | None) -> float | None:
        if value is None:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - self._clock())


def _encode_params(params: QueryParams) -> str:
    """`application/x-www-form-urlencoded` (spaces as %20); None values are dropped,
    booleans are `true`/`false`, sequences repeat the name."""
    if not params:
        return ""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None:
                continue
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            pairs.append((name, text))
    return urllib.parse.urlencode(pairs, quote_via=urllib.parse.quote)
