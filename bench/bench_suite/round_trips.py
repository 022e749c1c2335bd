"""DynamoDB round trips per request type, on a warm container, against moto in-process.

The table is template.yaml's (`localapi.dynamodb.create_table`), the handlers are
template.yaml's, called in-process with signed API Gateway events. Calls are counted with
botocore's event hooks on the store's own client (`before-call.dynamodb.*`), by operation
name; a GetItem of an API key record is shown apart ("GetItem (API key)").

Every scenario gets its own API key (and signing key). Three requests are counted:
  1st   API-key cache cold (the key's entry dropped), as in a fresh container;
  2nd   the same kind of request again at once, the cache as the 1st left it;
  warm  after an uncounted signed read with the same key, so the API-key cache is warm.
Targets (API.md's design): 1 round trip per read and at most 2 per write, when warm.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import RenderableType
from rich.table import Table

from bench_suite import (
    DUMMY_AWS,
    TABLE,
    Signer,
    SummaryRow,
    environ,
    function_env,
    load_handler,
    new_private_key,
    public_pem,
    quiet_powertools,
    route_for,
    template,
    verdict,
)

CREATE = "POST /v1/signing-keys"
LIST = "GET /v1/signing-keys"
DELETE = "DELETE /v1/signing-keys/{keyId}"
OPEN_ACCOUNT = "POST /v1/accounts"
ISSUE_NUMBER = "POST /v1/accounts/{accountId}/account-numbers"
ISSUE_ADDRESS = "POST /v1/accounts/{accountId}/blockchain-addresses"
BOOK = "POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/transactions"
API_KEY_READ = "GetItem (API key)"
TARGETS = {"read": 1, "write": 2}


@dataclass(frozen=True)
class Trip:
    """One counted request: its HTTP status and DynamoDB calls by operation."""

    status: int
    calls: dict[str, int]
    replayed: bool = False

    @property
    def total(self) -> int:
        return sum(self.calls.values())


@dataclass(frozen=True)
class TripRow:
    name: str
    kind: str  # read | write | failure
    first: Trip
    second: Trip
    warm: Trip
    # A row's own target where its design needs more than its kind's (the reason beside it).
    own_target: int | None = None

    @property
    def target(self) -> int | None:
        return self.own_target if self.own_target is not None else TARGETS.get(self.kind)

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.warm.total <= self.target


@dataclass(frozen=True)
class TripsResult:
    rows: list[TripRow]


class CallCounter:
    """A `before-call.dynamodb.*` handler: one count per API call, by operation name."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def __call__(self, model: Any, params: dict[str, Any], **kwargs: Any) -> None:
        name = str(model.name)
        if name == "GetItem" and _reads_api_key(params):
            name = API_KEY_READ
        self.calls[name] += 1

    def take(self) -> dict[str, int]:
        out = dict(self.calls)
        self.calls.clear()
        return out


def _reads_api_key(request: dict[str, Any]) -> bool:
    body = request.get("body") or b"{}"
    try:
        sort_key = json.loads(body)["Key"]["SK"]["S"]
    except (ValueError, KeyError, TypeError):
        return False
    return str(sort_key).startswith("APIKEY#")


@dataclass
class _Context:
    store: Any
    tenant_id: str
    counter: CallCounter
    routes: dict[str, Any] = field(default_factory=dict)

    def route(self, route_key: str) -> Any:
        if route_key not in self.routes:
            self.routes[route_key] = route_for(route_key)
        return self.routes[route_key]

    def signer(self) -> Signer:
        from core.partners import onboarding

        item, secret = onboarding.issue_api_key(self.store, self.tenant_id)
        private = new_private_key()
        created = onboarding.add_signing_key(
            self.store, self.tenant_id, item["keyId"], public_pem(private), "ed25519"
        )
        return Signer(secret, created["id"], private)

    def send(
        self,
        signer: Signer,
        route_key: str,
        *,
        body: Any = None,
        idempotency_key: str | None = None,
        key_id: str | None = None,
        params: dict[str, str] | None = None,
    ) -> Trip:
        import time

        route = self.route(route_key)
        data = b"" if body is None else json.dumps(body).encode()
        params = {**(params or {}), **({"keyId": key_id} if key_id is not None else {})}
        path = route.path
        for name, value in params.items():
            path = path.replace("{" + name + "}", value)
        event = signer.event(
            route,
            path=path,
            body=data,
            now=time.time(),
            idempotency_key=idempotency_key,
            path_params=params or None,
        )
        self.counter.take()
        out = load_handler(route).lambda_handler(event, None)
        calls = self.counter.take()
        status = int(out["statusCode"])
        if status >= 500:
            raise RuntimeError(f"{route_key} answered {status}: {out.get('body')}")
        return Trip(status, calls, out["headers"].get("Idempotency-Replayed") == "true")


def _new_key_body() -> dict[str, Any]:
    return {"publicKey": public_pem(new_private_key())}


def _measure_row(
    ctx: _Context, name: str, kind: str, signer: Signer, request: Callable[[int], Trip]
) -> TripRow:
    from core.platform import auth

    auth.CACHE.invalidate(auth.hash_key(signer.api_key))
    first = request(0)
    second = request(1)
    ctx.send(signer, LIST)  # uncounted: warms this API key's cache entry
    warm = request(2)
    return TripRow(name, kind, first, second, warm)


def _scenarios(ctx: _Context) -> list[TripRow]:
    rows = []

    signer = ctx.signer()
    rows.append(
        _measure_row(
            ctx,
            "create signing key",
            "write",
            signer,
            lambda i: ctx.send(signer, CREATE, body=_new_key_body()),
        )
    )

    signer_idem = ctx.signer()
    rows.append(
        _measure_row(
            ctx,
            "create signing key + Idempotency-Key",
            "write",
            signer_idem,
            lambda i: ctx.send(signer_idem, CREATE, body=_new_key_body(), idempotency_key=str(uuid.uuid4())),
        )
    )

    signer_list = ctx.signer()
    rows.append(
        _measure_row(ctx, "list signing keys", "read", signer_list, lambda i: ctx.send(signer_list, LIST))
    )

    for with_key in (False, True):
        signer_del = ctx.signer()
        for _ in range(3):
            ctx.send(signer_del, CREATE, body=_new_key_body())
        doomed = _other_keys(ctx, signer_del)
        name = "delete signing key" + (" + Idempotency-Key" if with_key else "")

        def delete(
            i: int, signer: Signer = signer_del, doomed: list[str] = doomed, with_key: bool = with_key
        ) -> Trip:
            return ctx.send(
                signer, DELETE, key_id=doomed[i], idempotency_key=str(uuid.uuid4()) if with_key else None
            )

        rows.append(_measure_row(ctx, name, "write", signer_del, delete))

    rows.extend(_account_scenarios(ctx))
    rows.append(_ledger_scenario(ctx))

    signer_replay = ctx.signer()
    body, key = _new_key_body(), str(uuid.uuid4())
    ctx.send(signer_replay, CREATE, body=body, idempotency_key=key)
    rows.append(
        _measure_row(
            ctx,
            "idempotent replay (create)",
            "write",
            signer_replay,
            lambda i: ctx.send(signer_replay, CREATE, body=body, idempotency_key=key),
        )
    )

    from core.platform import auth

    unknown = Signer(auth.new_api_key(ctx.tenant_id, "test"), signer.key_id, signer.private_key)
    rows.append(
        _measure_row(
            ctx, "auth failure: unknown API key", "failure", unknown, lambda i: ctx.send(unknown, LIST)
        )
    )
    forged = Signer(signer_list.api_key, signer_list.key_id, new_private_key())
    rows.append(
        _measure_row(ctx, "auth failure: bad signature", "failure", forged, lambda i: ctx.send(forged, LIST))
    )
    return rows


def _account_scenarios(ctx: _Context) -> list[TripRow]:
    """Opening an account (for an approved customer) and issuing it numbers and addresses,
    each with an Idempotency-Key, as the SDK sends them. The customer and the accounts the
    issues go to are written directly, uncounted."""
    import time

    from core.accounts import accounts
    from core.platform import keys

    now = int(time.time())
    customer_id, fiat_id, wallet_id = "cus_BENCH", "acc_BENCHFIAT", "acc_BENCHWALLET"
    ctx.store.put(
        keys.entity_key(ctx.tenant_id, customer_id),
        {"type": "customer", "id": customer_id, "status": "active", "capabilities": ["accounts"]},
    )
    for account_id, account_type, shape in (
        (fiat_id, "demand_deposit", {"currency": "EUR"}),
        (wallet_id, "wallet", {"asset": "USDC", "chain": "ethereum"}),
    ):
        item = accounts.new_item(ctx.tenant_id, account_id, customer_id, account_type, shape, now)
        ctx.store.put(keys.entity_key(ctx.tenant_id, account_id), item)
    ctx.counter.take()
    rows = []
    for name, route_key, body, params in (
        (
            "open account + Idempotency-Key",
            OPEN_ACCOUNT,
            {"customerId": customer_id, "type": "virtual", "currency": "USD"},
            None,
        ),
        ("issue account number (IBAN) + Idempotency-Key", ISSUE_NUMBER, {}, {"accountId": fiat_id}),
        ("issue deposit address + Idempotency-Key", ISSUE_ADDRESS, {}, {"accountId": wallet_id}),
    ):
        signer = ctx.signer()

        def request(
            i: int,
            signer: Signer = signer,
            route_key: str = route_key,
            body: Any = body,
            params: dict[str, str] | None = params,
        ) -> Trip:
            trip = ctx.send(signer, route_key, body=body, idempotency_key=str(uuid.uuid4()), params=params)
            if trip.status >= 400:
                raise RuntimeError(f"{route_key} answered {trip.status}")
            return trip

        row = _measure_row(ctx, name, "write", signer, request)
        if route_key == ISSUE_ADDRESS:
            # The key's next index must be read before the address is derived; the issuing
            # transaction then moves it on that read's condition (core/accounts/addresses.py).
            row = dataclasses.replace(row, own_target=3)
        rows.append(row)
    return rows


def _ledger_scenario(ctx: _Context) -> TripRow:
    """A two-entry ledger transaction (15.00 EUR from the external account to an account
    named by id), with an Idempotency-Key, in the sample hierarchy (`localapi.samples`,
    written directly, uncounted). Target (issue 18): the claim, one batched read, one
    transaction."""
    from localapi.samples import sample_transaction, seed_sample_world

    seed_sample_world(ctx.store, ctx.tenant_id)
    ctx.counter.take()
    params, body = sample_transaction()
    signer = ctx.signer()

    def request(i: int) -> Trip:
        trip = ctx.send(signer, BOOK, body=body, idempotency_key=str(uuid.uuid4()), params=params)
        if trip.status >= 400:
            raise RuntimeError(f"{BOOK} answered {trip.status}")
        return trip

    row = _measure_row(ctx, "ledger transaction, 2 entries + Idempotency-Key", "write", signer, request)
    return dataclasses.replace(row, own_target=3)


def _other_keys(ctx: _Context, signer: Signer) -> list[str]:
    """The signing keys of `signer`'s API key other than the one it signs with (uncounted)."""
    from core.platform import auth, keys

    found = ctx.store.get(keys.api_key_key(ctx.tenant_id, auth.hash_key(signer.api_key)), consistent=True)
    ctx.counter.take()
    return sorted(k for k in (found or {}).get("signingKeys", {}) if k != signer.key_id)


def measure() -> TripsResult:
    import boto3
    from moto import mock_aws

    from core.partners import onboarding
    from core.platform import pipeline
    from localapi.dynamodb import create_table

    tmpl = template()
    env: dict[str, str | None] = {
        **function_env(route_for(CREATE, tmpl).function, tmpl),
        **DUMMY_AWS,
        "AWS_ENDPOINT_URL": None,
        "AWS_ENDPOINT_URL_DYNAMODB": None,
    }
    with environ(env), quiet_powertools(metrics=False), mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE, tmpl)
        pipeline.reset_runtime()
        try:
            store = pipeline.runtime()[1]
            counter = CallCounter()
            store.client.meta.events.register("before-call.dynamodb.*", counter)
            tenant = onboarding.create_partner(store, "Bench Partner", mode="test")
            rows = _scenarios(_Context(store, tenant["id"], counter))
        finally:
            pipeline.reset_runtime()
    return TripsResult(rows)


# -- report ----------------------------------------------------------------------------

_ORDER = (API_KEY_READ, "GetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems")


def describe(trip: Trip) -> str:
    names = sorted(trip.calls, key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n))
    calls = " + ".join(f"{trip.calls[n]}x {n}" if trip.calls[n] > 1 else n for n in names) or "none"
    replayed = ", replayed" if trip.replayed else ""
    return f"[bold]{trip.total}[/bold]: {calls} [dim]({trip.status}{replayed})[/dim]"


def tables(result: TripsResult) -> list[RenderableType]:
    table = Table(
        title="DynamoDB round trips per request (moto in-process, counted with before-call.dynamodb.*)",
        caption=(
            "1st: API-key cache cold; 2nd: the same request again at once; warm: after a read warmed "
            "the key's cache entry. A signing-key write drops its own API key's cache entry, "
            "so the request after it reads the key again. (HTTP status in brackets.)"
        ),
    )
    for column in ("request", "1st (cold cache)", "2nd", "warm"):
        table.add_column(column)
    table.add_column("target (warm)", justify="right")
    table.add_column("met?", justify="center")
    for row in result.rows:
        table.add_row(
            row.name,
            describe(row.first),
            describe(row.second),
            describe(row.warm),
            "" if row.target is None else f"<= {row.target}",
            verdict(row.met) if row.target is not None else "",
        )
    return [table]


def summary(result: TripsResult) -> list[SummaryRow]:
    return [
        SummaryRow(
            f"round trips, {row.name} (warm)",
            str(row.warm.total),
            f"<= {row.target}",
            row.met,
        )
        for row in result.rows
        if row.target is not None
    ]
