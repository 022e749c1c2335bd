"""KYC providers: the interface the customer domain talks to, and the sandbox provider.

A provider starts a verification session for a customer (`start` returns the URL the
person opens) and authenticates the provider's callback that reports the outcome
(`parse_callback` returns a `KycDecision`). What a decision does to the customer is the
customer domain's business (`core.customers.customers`), including a replayed event.

The sandbox provider is served by this API itself:

- Session tokens, the last segment of `{base_url}/sandbox/kyc/{token}`, are opaque to
  their holder: `base64url(payload) "." base64url(HMAC-SHA256(k, base64url(payload)))`
  with payload `v1|<tenantId>|<customerId>|<expires unix seconds>` and `k` a key derived
  from `KYC_SANDBOX_SECRET` for this one purpose (so a token's MAC can never pass as a
  callback signature). Valid 7 days; checked in constant time.
- Callbacks are signed Stripe-style: `Sandbox-Signature: t=<unix seconds>,v1=<hex
  HMAC-SHA256(KYC_SANDBOX_SECRET, "<t>.<raw body>")>`, accepted within +-300 s. Several
  `v1` entries may be sent (secret rotation); one matching is enough.

A secret shorter than 32 characters makes every sandbox operation fail with
`KycNotConfigured` (a 500 with the reason in the log): nothing is ever signed with an
empty or guessable key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

from core.platform import snapstart
from core.platform.errors import (
    BodyNotJson,
    BodyTooLarge,
    ParameterInvalid,
    ResourceMissing,
    SignatureInvalid,
)
from core.platform.ids import is_id

SANDBOX: Final = "sandbox"
MIN_SECRET_LENGTH: Final = 32
SESSION_TTL_SECONDS: Final = 7 * 24 * 3600
SESSION_PATH: Final = "/sandbox/kyc/"
CALLBACK_PATH: Final = "/v1/kyc/callbacks/"
SIGNATURE_HEADER: Final = "Sandbox-Signature"
SIGNATURE_TOLERANCE_SECONDS: Final = 300
CALLBACK_TYPE: Final = "verification.completed"
DECISIONS: Final = ("approved", "rejected")
MAX_CALLBACK_BYTES: Final = 64 * 1024
MAX_REASON_LENGTH: Final = 500
DELIVERY_TIMEOUT_SECONDS: Final = 10.0

_SESSION_FORMAT = "v1"
_SESSION_KEY_LABEL = b"partner-api/kyc-sandbox/session-token/v1"
_MAX_TOKEN_LENGTH = 512
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,400}\.[A-Za-z0-9_-]{43}")
_HEADER_ITEM_RE = re.compile(r"([a-z][a-z0-9]*)=([^,=\s]+)")
_EVENT_ID_RE = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_RFC3339_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})")
_MAX_HEADER_LENGTH = 1024
_MAX_SIGNATURES = 8


class KycNotConfigured(RuntimeError):
    """The provider's secret is missing or too short: it refuses to sign or verify."""


@dataclass(frozen=True)
class KycSession:
    """A started verification: where the person goes, and the provider's reference."""

    verification_url: str
    reference: str


@dataclass(frozen=True)
class KycDecision:
    """An authenticated outcome reported by a provider's callback."""

    tenant_id: str
    customer_id: str
    approved: bool
    reason: str | None
    event_id: str


class KycProvider(Protocol):
    name: str

    def start(self, *, tenant_id: str, customer_id: str, base_url: str, now: float) -> KycSession: ...

    def parse_callback(self, *, headers: Mapping[str, str], body: bytes, now: float) -> KycDecision: ...


@dataclass(frozen=True)
class SandboxSession:
    """What a verified session token says."""

    tenant_id: str
    customer_id: str
    expires_at: int


# -- the secret -----------------------------------------------------------------------


def _configured_secret() -> str:
    from core.platform.config import settings

    return settings().kyc_sandbox_secret


def _checked(secret: str | None) -> bytes:
    value = _configured_secret() if secret is None else secret
    if len(value) < MIN_SECRET_LENGTH:
        raise KycNotConfigured(
            f"KYC_SANDBOX_SECRET must be at least {MIN_SECRET_LENGTH} characters "
            f"(it is {len(value)}): the sandbox KYC provider refuses to sign or verify without it"
        )
    return value.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# -- session tokens --------------------------------------------------------------------


def _session_key(secret: bytes) -> bytes:
    return hmac.new(secret, _SESSION_KEY_LABEL, hashlib.sha256).digest()


def session_token(
    tenant_id: str, customer_id: str, *, now: float, ttl: int = SESSION_TTL_SECONDS, secret: str | None = None
) -> str:
    """A signed, URL-safe session token for one customer of one tenant."""
    if not is_id(tenant_id, "ptn") or not is_id(customer_id, "cus"):
        raise ValueError("a session token names a ptn_ tenant and a cus_ customer")
    key = _session_key(_checked(secret))
    payload = _b64(f"{_SESSION_FORMAT}|{tenant_id}|{customer_id}|{int(now) + ttl}".encode("ascii"))
    mac = hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def verify_session(token: str, *, now: float, secret: str | None = None) -> SandboxSession:
    """The session a token stands for. A forged, altered, malformed or expired token is
    `ResourceMissing` (404): the page behind it does not exist for its holder."""
    key = _session_key(_checked(secret))
    invalid = ResourceMissing("This verification link is invalid or has expired.", param="session")
    if len(token) > _MAX_TOKEN_LENGTH or not _TOKEN_RE.fullmatch(token):
        raise invalid
    payload, _, mac_text = token.partition(".")
    # Compared as canonical text: base64's spare bits cannot make a second valid spelling.
    expected = _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())
    if not hmac.compare_digest(mac_text.encode("ascii"), expected.encode("ascii")):
        raise invalid
    # Authentic from here on: anything odd below is a bug of ours, still a 404 to the holder.
    try:
        version, tenant_id, customer_id, expires = _unb64(payload).decode("ascii").split("|")
        expires_at = int(expires)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    if version != _SESSION_FORMAT or not is_id(tenant_id, "ptn") or not is_id(customer_id, "cus"):
        raise invalid
    if now >= expires_at:
        raise invalid
    return SandboxSession(tenant_id, customer_id, expires_at)


def session_reference(token: str) -> str:
    """The provider's reference of a session: stable, and not the token (which is a bearer
    credential for the page)."""
    return "sbx_" + hashlib.sha256(token.encode("ascii")).hexdigest()[:24]


# -- callbacks: the signing side (the sandbox page) -------------------------------------


def callback_body(
    *,
    event_id: str,
    tenant_id: str,
    customer_id: str,
    decision: str,
    reason: str | None,
    occurred_at: float,
) -> bytes:
    """The JSON body of a `verification.completed` callback (compact, UTF-8)."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {DECISIONS}")
    document = {
        "id": event_id,
        "type": CALLBACK_TYPE,
        "tenantId": tenant_id,
        "customerId": customer_id,
        "decision": decision,
        "reason": reason,
        "occurredAt": datetime.fromtimestamp(int(occurred_at), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _callback_mac(secret: bytes, body: bytes, timestamp: int) -> bytes:
    return hmac.new(secret, f"{timestamp}.".encode("ascii") + body, hashlib.sha256).digest()


def sign_callback(body: bytes, timestamp: int, *, secret: str | None = None) -> str:
    """The `Sandbox-Signature` header value for `body` sent at `timestamp`."""
    mac = _callback_mac(_checked(secret), body, int(timestamp))
    return f"t={int(timestamp)},v1={mac.hex()}"


def callback_url(base_url: str, provider: str = SANDBOX) -> str:
    return base_url.rstrip("/") + CALLBACK_PATH + provider


# -- callbacks: the verifying side ------------------------------------------------------


def _signature_parts(header: str) -> tuple[int, list[bytes]]:
    if not header or len(header) > _MAX_HEADER_LENGTH:
        raise SignatureInvalid(f"The {SIGNATURE_HEADER} header is missing or malformed.")
    timestamp: int | None = None
    candidates: list[bytes] = []
    for item in header.split(","):
        found = _HEADER_ITEM_RE.fullmatch(item.strip())
        if found is None:
            raise SignatureInvalid(f"The {SIGNATURE_HEADER} header is malformed.")
        name, value = found.groups()
        if name == "t":
            if timestamp is not None or not value.isascii() or not value.isdigit() or len(value) > 12:
                raise SignatureInvalid(f"The {SIGNATURE_HEADER} header has a bad timestamp.")
            timestamp = int(value)
        elif name == "v1":
            if len(value) != 64:
                raise SignatureInvalid(f"The {SIGNATURE_HEADER} header has a malformed v1 signature.")
            try:
                candidates.append(bytes.fromhex(value))
            except ValueError:
                raise SignatureInvalid(
                    f"The {SIGNATURE_HEADER} header has a malformed v1 signature."
                ) from None
        # Other schemes (v0, ...) are ignored, as Stripe's verifiers do.
    if timestamp is None or not candidates or len(candidates) > _MAX_SIGNATURES:
        raise SignatureInvalid(f"The {SIGNATURE_HEADER} header needs t= and v1=.")
    return timestamp, candidates


def verify_callback_signature(
    headers: Mapping[str, str], body: bytes, *, now: float, secret: str | None = None
) -> None:
    """Raises `SignatureInvalid` unless `body` carries a valid, fresh sandbox signature."""
    key = _checked(secret)
    header = headers.get(SIGNATURE_HEADER.lower()) or ""
    timestamp, candidates = _signature_parts(header)
    if abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        raise SignatureInvalid(
            f"The {SIGNATURE_HEADER} timestamp is outside the {SIGNATURE_TOLERANCE_SECONDS} s tolerance."
        )
    expected = _callback_mac(key, body, timestamp)
    matched = False
    for candidate in candidates:  # every candidate is compared: no early exit on a match
        matched |= hmac.compare_digest(candidate, expected)
    if not matched:
        raise SignatureInvalid(f"The {SIGNATURE_HEADER} signature does not match the body.")


def _field(document: dict[str, Any], name: str) -> Any:
    if name not in document:
        raise ParameterInvalid(f"The callback lacks {name}.", param=name)
    return document[name]


def parse_callback_body(body: bytes) -> KycDecision:
    """The decision in an (already authenticated) callback body."""
    if len(body) > MAX_CALLBACK_BYTES:
        raise BodyTooLarge(f"A KYC callback body is at most {MAX_CALLBACK_BYTES} bytes.")
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BodyNotJson("The callback body is not a JSON object.") from None
    if not isinstance(document, dict):
        raise BodyNotJson("The callback body is not a JSON object.")
    event_id = _field(document, "id")
    if not isinstance(event_id, str) or not _EVENT_ID_RE.fullmatch(event_id):
        raise ParameterInvalid("id must be 1-128 characters of [A-Za-z0-9_.:-].", param="id")
    if _field(document, "type") != CALLBACK_TYPE:
        raise ParameterInvalid(f"type must be {CALLBACK_TYPE}.", param="type")
    tenant_id = _field(document, "tenantId")
    if not isinstance(tenant_id, str) or not is_id(tenant_id, "ptn"):
        raise ParameterInvalid("tenantId must be a ptn_ id.", param="tenantId")
    customer_id = _field(document, "customerId")
    if not isinstance(customer_id, str) or not is_id(customer_id, "cus"):
        raise ParameterInvalid("customerId must be a cus_ id.", param="customerId")
    decision = _field(document, "decision")
    if decision not in DECISIONS:
        raise ParameterInvalid("decision must be approved or rejected.", param="decision")
    reason = document.get("reason")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON_LENGTH):
        raise ParameterInvalid(
            f"reason must be null or a string of at most {MAX_REASON_LENGTH} characters.", param="reason"
        )
    occurred_at = _field(document, "occurredAt")
    if not isinstance(occurred_at, str) or not _RFC3339_RE.fullmatch(occurred_at):
        raise ParameterInvalid("occurredAt must be an RFC 3339 timestamp.", param="occurredAt")
    return KycDecision(tenant_id, customer_id, decision == "approved", reason, event_id)


# -- the provider ------------------------------------------------------------------------


class SandboxProvider:
    """The sandbox provider: a page of this API stands in for a KYC vendor's hosted flow."""

    name = SANDBOX

    def __init__(self, secret: str | None = None) -> None:
        self._secret = secret  # None: KYC_SANDBOX_SECRET, read at each use

    def start(self, *, tenant_id: str, customer_id: str, base_url: str, now: float) -> KycSession:
        token = session_token(tenant_id, customer_id, now=now, secret=self._secret)
        return KycSession(base_url.rstrip("/") + SESSION_PATH + token, session_reference(token))

    def open_session(self, token: str, *, now: float) -> SandboxSession:
        return verify_session(token, now=now, secret=self._secret)

    def parse_callback(self, *, headers: Mapping[str, str], body: bytes, now: float) -> KycDecision:
        verify_callback_signature(headers, body, now=now, secret=self._secret)
        return parse_callback_body(body)

    def signed_callback(
        self,
        session: SandboxSession,
        *,
        decision: str,
        reason: str | None,
        event_id: str,
        now: float,
    ) -> tuple[bytes, dict[str, str]]:
        """(body, headers) of the callback reporting `decision` for `session`."""
        body = callback_body(
            event_id=event_id,
            tenant_id=session.tenant_id,
            customer_id=session.customer_id,
            decision=decision,
            reason=reason,
            occurred_at=now,
        )
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign_callback(body, int(now), secret=self._secret),
        }
        return body, headers


_PROVIDERS: dict[str, Callable[[], KycProvider]] = {SANDBOX: SandboxProvider}


def get_provider(name: str) -> KycProvider:
    """The provider called `name`; an unknown one is `ResourceMissing` (param "provider")."""
    factory = _PROVIDERS.get(name)
    if factory is None:
        raise ResourceMissing(f"No KYC provider is called {name[:64]!r}.", param="provider")
    return factory()


def sandbox() -> SandboxProvider:
    return SandboxProvider()


# -- delivering a callback (the sandbox page's side) --------------------------------------


@dataclass(frozen=True)
class Delivery:
    """What the callback's receiver answered: its status and body, or why nothing came back."""

    status: int | None
    body: bytes = b""
    error: str | None = None


Sender = Callable[[str, bytes, Mapping[str, str]], Delivery]


_OPENER: Any = None


def _opener() -> Any:
    """urllib's opener with no proxy and no redirects (imported on first use: a cold start
    that only starts sessions or checks callbacks does not pay for urllib.request)."""
    global _OPENER
    if _OPENER is None:
        import urllib.request

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None  # a redirect is an answer, not something to follow with a signed body

        _OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())
    return _OPENER


def send(url: str, body: bytes, headers: Mapping[str, str]) -> Delivery:
    """POST the callback with the standard library (10 s timeout; no proxy, no redirects)."""
    import urllib.error
    import urllib.request

    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"a callback goes to an http(s) URL, not {url!r}")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=body,
        method="POST",
        headers={"User-Agent": "partner-api-kyc-sandbox/1", **headers},
    )
    try:
        with _opener().open(request, timeout=DELIVERY_TIMEOUT_SECONDS) as answer:
            return Delivery(int(answer.status), answer.read(MAX_CALLBACK_BYTES))
    except urllib.error.HTTPError as exc:
        with exc:
            return Delivery(int(exc.code), exc.read(MAX_CALLBACK_BYTES))
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Delivery(None, b"", f"{type(exc).__name__}: {reason}")


snapstart.preload("urllib.request", "urllib.error")
