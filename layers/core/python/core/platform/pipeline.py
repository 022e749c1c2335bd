"""The request pipeline: one decorator every handler uses.

parse event -> size limit -> API key -> signature -> scope -> validate path, query and
body -> idempotency claim (or replay / 409) -> the endpoint -> one transaction holding the
business writes and the stored answer (the API key re-read just before) -> response, log line, metrics.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import core
from core.platform import auth, aws, clock, idempotency, observability, signatures, snapstart
from core.platform.config import Settings, settings
from core.platform.errors import (
    ApiError,
    ApiKeyRevoked,
    BodyTooLarge,
    Contended,
    IdempotencyKeyInFlight,
    InternalError,
    ParameterUnknown,
    RaceLost,
    SignatureInvalid,
)
from core.platform.http import Request, Response
from core.platform.store import Store, Tx
from core.platform.validation import EmptyBody, RequestModel, query_dict, validate_body, validate_params

if TYPE_CHECKING:  # documentation types: the pipeline never builds a response model
    from pydantic import BaseModel


@dataclass(frozen=True)
class ListOf:
    """A list endpoint's answer: API.md's envelope `{"data": [item, ...], "nextCursor":
    str | null}` around `item`. A plain marker: the generic model is built by the
    document generator, not at a function's cold start (a pydantic generic costs ~50 ms)."""

    item: type[BaseModel]


MAX_BODY_BYTES = 256 * 1024
# Attempts of an endpoint whose conditional writes lose races (e.g. 20 concurrent upserts
# of one record: each round one wins, the others re-read and update).
RACE_RETRIES = 25
# How long a request keeps re-running transactions DynamoDB cancels for conflicts on a hot
# item (Contended) before it answers 500: the functions time out at 10 s, and the last
# attempt and the answer need the rest.
CONTENTION_SECONDS = 8.0


@dataclass
class Call[B, Q, P]:
    """What an endpoint receives: validated input, the caller, and the writes to commit."""

    request: Request
    principal: auth.Principal
    body: B
    query: Q
    path: P
    store: Store
    settings: Settings
    now: float
    signing_key_id: str | None
    tx: Tx = field(default_factory=Tx)
    # What a custom authenticator established (e.g. a KYC provider's verified callback).
    context: Any = None

    @property
    def tenant_id(self) -> str:
        return self.principal.tenant_id


# Authenticates a request that carries no API key (a provider's signed callback):
# returns the tenant's principal and what the endpoint needs from the check.
Authenticator = Callable[[Request, float], tuple[auth.Principal, Any]]


@dataclass(frozen=True)
class Spec:
    scope: str
    body: type[RequestModel] | None
    query: type[RequestModel] | None
    path: type[RequestModel] | None
    status: int
    authenticate: Authenticator | None = None
    # What the endpoint answers (a model, or ListOf(model) for API.md's list envelope);
    # None with status 204. Read by the OpenAPI document generator, never at run time.
    response: type[BaseModel] | ListOf | None = None
    # Other success statuses answered with the same representation (an upsert that
    # updates answers 200 where a create answers 201).
    other_statuses: tuple[int, ...] = ()


_runtime: tuple[Settings, Store] | None = None


def runtime() -> tuple[Settings, Store]:
    """Settings and the DynamoDB client, created once per container."""
    global _runtime
    if _runtime is None:
        try:
            config = settings()
            _runtime = (config, Store(config.table_name))
        finally:
            core.end_of_init()  # the collector paused by the layer's import (core/__init__.py)
    return _runtime


def warm_runtime() -> None:
    """Before a SnapStart snapshot: the settings, the DynamoDB client and its operations."""
    config, store = runtime()
    snapstart.warm_client(store.client, config.table_name)


def _warm(spec: Spec) -> None:
    """Before a SnapStart snapshot: what this endpoint's first request would build."""
    warm_runtime()
    for model in (spec.body, spec.query, spec.path, EmptyBody):
        if model is not None:
            model.model_rebuild()


def reset_runtime() -> None:
    """Tests point the handlers at a new table."""
    global _runtime
    _runtime = None
    settings.cache_clear()
    aws.client.cache_clear()
    auth.CACHE._items.clear()


def endpoint(
    *,
    scope: str,
    body: type[RequestModel] | None = None,
    query: type[RequestModel] | None = None,
    path: type[RequestModel] | None = None,
    status: int = 200,
    authenticate: Authenticator | None = None,
    response: type[BaseModel] | ListOf | None = None,
    other_statuses: tuple[int, ...] = (),
) -> Callable[[Callable[[Call[Any, Any, Any]], Any]], Callable[[dict[str, Any], Any], dict[str, Any]]]:
    """`authenticate` replaces the API key and request signature for endpoints that a
    third party calls (a KYC provider's callback); everything else is the same.
    `response` and `other_statuses` describe the answer for the OpenAPI document."""
    spec = Spec(scope, body, query, path, status, authenticate, response, other_statuses)
    snapstart.warm(lambda: _warm(spec))

    def wrap(fn: Callable[[Call[Any, Any, Any]], Any]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
            return _Run(spec, fn, event).execute()

        lambda_handler.spec = spec  # type: ignore[attr-defined]
        lambda_handler.__doc__ = fn.__doc__
        return lambda_handler

    return wrap


class _Run:
    def __init__(self, spec: Spec, fn: Callable[[Call[Any, Any, Any]], Any], event: dict[str, Any]) -> None:
        self.spec, self.fn, self.event = spec, fn, event
        self.started = time.perf_counter()
        self.request = Request.from_event(event)
        self.principal: auth.Principal | None = None
        self.claim: idempotency.Claim | None = None
        self.replayed = False

    def execute(self) -> dict[str, Any]:
        response = self._respond()
        request_id = self.request.request_id
        if self.replayed:
            request_id = response.headers.pop("Request-Id", request_id)
        self._log(response.status, request_id)
        return response.to_event(request_id)

    def _respond(self) -> Response:
        try:
            config, store = runtime()
            return self._run(config, store)
        except ApiError as exc:
            self._release()
            return self._error(exc)
        except Exception:
            observability.exception("unhandled error")
            self._release()
            return self._error(InternalError("An internal error occurred."))

    def _run(self, config: Settings, store: Store) -> Response:
        request, spec = self.request, self.spec
        now = clock.now()
        if len(request.body) > MAX_BODY_BYTES:
            raise BodyTooLarge(f"The request body exceeds {MAX_BODY_BYTES} bytes.")
        context: Any = None
        signing_key_id: str | None = None
        if spec.authenticate is not None:
            principal, context = spec.authenticate(request, now)
            self.principal = principal
        else:
            principal = auth.authenticate(
                store, request.headers, now=now, cache_seconds=config.api_key_cache_seconds
            )
            self.principal = principal
            signing_key_id = signatures.verify_request(
                signatures.SignedMessage(
                    method=request.method,
                    scheme=request.scheme,
                    host=request.host,
                    raw_path=request.raw_path,
                    raw_query=request.raw_query,
                    headers=request.headers,
                    body=request.body,
                ),
                keys=principal.signing_keys,
                now=now,
                required=principal.signature_policy == "required",
            )
        principal.require(spec.scope)
        path = validate_params(spec.path, request.path_params) if spec.path else None
        query_values = query_dict(request.query_pairs())
        if spec.query is not None:
            query = validate_params(spec.query, query_values)
        elif query_values:
            name = next(iter(query_values))
            raise ParameterUnknown(f"Unknown query parameter: {name}.", param=name)
        else:
            query = None
        body = validate_body(spec.body, request.body) if spec.body else None
        # An endpoint without a body model takes an empty body or `{}` (API.md): anything
        # else is refused like any body (not JSON, an unknown or server-owned field).
        # A custom authenticator reads the body itself: a provider's callback.
        if spec.body is None and spec.authenticate is None and request.body.strip():
            validate_body(EmptyBody, request.body)

        key = idempotency.key_from(request) if request.is_write else None
        if key is not None:
            claimed = idempotency.claim(
                store,
                request,
                principal.tenant_id,
                key,
                now=now,
                lease_seconds=config.idempotency_lease_seconds,
            )
            if isinstance(claimed, Response):
                self.replayed = True
                return claimed
            self.claim = claimed

        call: Call[Any, Any, Any] = Call(
            request, principal, body, query, path, store, config, now, signing_key_id, context=context
        )
        try:
            response = self._attempt(call)
        except (ApiKeyRevoked, SignatureInvalid):
            raise  # authentication failures found at commit time are not stored
        except IdempotencyKeyInFlight:
            self.claim = None  # our lease was taken over: the record is not ours to touch
            raise
        except ApiError as exc:
            if exc.status >= 500:
                raise
            # The endpoint ran and answered 4xx: that answer is stored and replayed.
            response = Response(exc.status, exc.envelope(request.request_id), exc.headers)
            if self.claim is not None:
                tx = Tx()
                idempotency.complete_in(
                    tx, self.claim, response, request.request_id, on_fail=self._lease_lost
                )
                store.transact(tx.writes)
        return response

    def _attempt(self, call: Call[Any, Any, Any]) -> Response:
        """Run the endpoint and commit; a lost race (RaceLost) runs it again from its reads."""
        started = time.monotonic()
        for attempt in range(RACE_RETRIES):
            call.tx = Tx()
            try:
                response = self._to_response(self.fn(call))
                self._commit(call, response, attempt)
                return response
            except Contended as exc:
                if attempt == RACE_RETRIES - 1 or time.monotonic() - started > CONTENTION_SECONDS:
                    observability.exception("transactions kept conflicting on a hot item")
                    raise InternalError("An internal error occurred.") from exc
                time.sleep(random.uniform(0.005, 0.05))
            except RaceLost:
                if attempt == RACE_RETRIES - 1:
                    raise
                time.sleep(random.uniform(0.002, 0.02) * (attempt + 1))
        raise AssertionError("unreachable")

    def _to_response(self, result: Any) -> Response:
        if isinstance(result, Response):
            return result
        if result is None:
            return Response(204)
        return Response(self.spec.status, result)

    def _commit(self, call: Call[Any, Any, Any], response: Response, attempt: int) -> None:
        if call.tx.writes and self.spec.authenticate is None:
            auth.recheck(call.store, call.principal, call.signing_key_id)
        if self.claim is not None:
            idempotency.complete_in(
                call.tx, self.claim, response, self.request.request_id, on_fail=self._lease_lost
            )
        # One ClientRequestToken per attempt: the store retries an attempt's own transaction
        # with its token (a lost answer is not applied twice), while a re-run after a lost
        # race is a different transaction, which must not reuse a cancelled one's token.
        token = f"{self.claim.token}.{attempt}" if self.claim else None
        call.store.transact(call.tx.writes, token=token)

    @staticmethod
    def _lease_lost(old: dict[str, Any] | None) -> ApiError:
        return IdempotencyKeyInFlight(
            "A request with this Idempotency-Key is still in progress.", headers={"Retry-After": "1"}
        )

    def _release(self) -> None:
        if self.claim is not None:
            claim, self.claim = self.claim, None
            try:
                idempotency.release(runtime()[1], claim)
            except Exception:
                observability.exception("could not release an idempotency claim")

    def _error(self, exc: ApiError) -> Response:
        return Response(exc.status, exc.envelope(self.request.request_id), exc.headers)

    def _log(self, status: int, request_id: str) -> None:
        latency_ms = (time.perf_counter() - self.started) * 1000
        fields: dict[str, Any] = {
            "requestId": request_id,
            "tenant": self.principal.tenant_id if self.principal else None,
            "apiKeyId": self.principal.api_key_id if self.principal else None,
            "method": self.request.method,
            "path": self.request.raw_path,
        }
        if self.replayed:
            fields["idempotencyReplayed"] = True
            fields["replayRequestId"] = self.request.request_id
        observability.record(self.request.route_key, status, latency_ms, fields)


def worker(
    fn: Callable[[dict[str, Any], Store, Settings], Any],
) -> Callable[[dict[str, Any], Any], Any]:
    """For functions that an event source invokes (the table's stream, a queue): `fn`
    gets the event, the store and the settings; no HTTP, no authentication."""
    snapstart.warm(warm_runtime)

    def lambda_handler(event: dict[str, Any], context: Any = None) -> Any:
        settings_, store = runtime()
        return fn(event, store, settings_)

    return lambda_handler


def unrouted(fn: Callable[[Request], Response]) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """For the catch-all route and public documents (the OpenAPI document): no
    authentication (there is nothing to protect), but the same envelope, Request-Id and
    log line as every endpoint."""

    def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        core.end_of_init()  # no runtime to build here: init ends with the first request
        started = time.perf_counter()
        request = Request.from_event(event)
        try:
            response = fn(request)
        except ApiError as exc:
            response = Response(exc.status, exc.envelope(request.request_id), exc.headers)
        fields = {"requestId": request.request_id, "method": request.method, "path": request.raw_path}
        latency_ms = (time.perf_counter() - started) * 1000
        observability.record(request.route_key or "$default", response.status, latency_ms, fields)
        return response.to_event(request.request_id)

    return lambda_handler
