"""DynamoDB request units per request type, and what a million such requests cost on AWS
list prices (bench_suite.prices): API Gateway HTTP API, Lambda arm64 at the memory
template.yaml gives the function, DynamoDB on-demand.

template.yaml's handlers are called in-process with signed events (RFC 9421, Ed25519)
against moto (`mock_aws`, the table from template.yaml), on a warm container: the API
key's cache entry is warm and each handler has served a request before. Units come from
a `capacity.CapacityMeter` on the store's own client (computed from item sizes, see
capacity.py). Lambda's billed duration is estimated from what is measured here: the
handler's own time (its wall time minus the time inside moto and inside the meter:
pipeline, domain, botocore), plus each DynamoDB round trip at DYNAMODB_ROUND_TRIP_MS,
which moto cannot stand in for. Storage, streams, backups, logs and data transfer are
not per-request prices and are left out.
"""

from __future__ import annotations

import json
import math
import secrets
import statistics
import time
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
from bench_suite import prices as p
from bench_suite.capacity import Call, CapacityMeter, TableShape, read_units, write_units

# An assumption, not a measurement: one DynamoDB round trip from Lambda in the same
# Region. AWS quotes single-digit milliseconds for single-item calls; transactions take
# longer. moto's own latency says nothing about DynamoDB's.
DYNAMODB_ROUND_TRIP_MS = 10.0
USUAL_RATIO_TARGET = 1.0  # ours / the usual design's, every write
LIST_PAGE = 20  # the API's default page size

CUSTOMERS = "POST /v1/customers"
CUSTOMER = "GET /v1/customers/{customerId}"
LIST_CUSTOMERS = "GET /v1/customers"
BANK_ACCOUNTS = "POST /v1/bank-accounts"
SIGNING_KEYS = "POST /v1/signing-keys"
SIGNING_KEY = "DELETE /v1/signing-keys/{keyId}"
ACCOUNTS = "POST /v1/accounts"
ISSUE_NUMBER = "POST /v1/accounts/{accountId}/account-numbers"
BOOK = "POST /v1/organizations/{organizationId}/ledgers/{ledgerId}/transactions"
ISSUE_ADDRESS = "POST /v1/accounts/{accountId}/blockchain-addresses"


@dataclass(frozen=True)
class Sample:
    """One counted request."""

    status: int
    calls: list[Call]
    handler_ms: float  # wall time of the handler call, the meter's own time taken out
    request_bytes: int
    answer: str  # the response body
    event_bytes: int = 0  # the handler's whole answer (status, headers, body) as JSON

    @property
    def response_bytes(self) -> int:
        return len(self.answer.encode())

    @property
    def emulator_ms(self) -> float:
        return sum(call.emulator_ms for call in self.calls)

    @property
    def own_ms(self) -> float:
        return max(0.0, self.handler_ms - self.emulator_ms)

    @property
    def read_units(self) -> float:
        return sum(call.read_units for call in self.calls)

    @property
    def write_units(self) -> float:
        return sum(call.write_units for call in self.calls)

    @property
    def index_write_units(self) -> float:
        return sum(call.index_write_units for call in self.calls)


@dataclass(frozen=True)
class Cost:
    """Dollars per million requests, by service."""

    api_gateway: float
    lambda_requests: float
    lambda_duration: float
    dynamodb_reads: float
    dynamodb_writes: float

    @property
    def total(self) -> float:
        return (
            self.api_gateway
            + self.lambda_requests
            + self.lambda_duration
            + self.dynamodb_reads
            + self.dynamodb_writes
        )


# -- the usual design ------------------------------------------------------------------
# The same endpoint built the common way, with the same items: a REST API; Powertools'
# idempotency (a record put IN_PROGRESS, then updated with the whole answer); each item of
# our transaction written on its own (1 unit per KB, not 2), guards included; a check of
# another item (a parent, a balance) made as a consistent read of it; the event sent to
# EventBridge instead of written as an item; the API key checked when it is read (its
# consistent re-read before a write commits is ours alone). Reads, CPU and GSI entries as ours.
POWERTOOLS_RECORD_BYTES = 170  # id (function name + md5), expiration, status, in-progress expiry
# Ours alone: the stored answer (Powertools' record stands for it).
OURS_ONLY = frozenset({"idempotency"})


def _ours_alone(call: Call) -> bool:
    """The API key's re-read before a write commits (core.platform.auth.recheck)."""
    return call.operation == "GetItem" and call.consistent and call.read_type == "api_key"


@dataclass(frozen=True)
class Usual:
    """One request of the usual design, derived from one of our samples."""

    round_trips: int
    read_units: float
    write_units: float
    index_write_units: float
    events: int  # EventBridge events (64 KB chunks)
    event_bytes: int  # what the written events weighed

    @classmethod
    def of(cls, sample: Sample) -> Usual:
        trips = reads = writes = index = 0.0
        events = event_bytes = 0
        checks = 0
        for call in sample.calls:
            if _ours_alone(call):
                continue
            if not call.actions:  # a read: the same in both designs
                trips += 1
                reads += call.read_units
                continue
            for action in call.actions:
                if action.item_type in OURS_ONLY:
                    continue
                if action.item_type == "event":
                    events += max(1, math.ceil(action.size / p.EVENTBRIDGE_CHUNK_BYTES))
                    event_bytes += action.size
                elif action.kind == "ConditionCheck":
                    checks += 1
                    reads += read_units(action.size, consistent=True)
                else:
                    trips += 1
                    writes += write_units(action.size)
                    index += action.index_write_units
        replay = any(call.failed and call.operation == "PutItem" for call in sample.calls)
        record = POWERTOOLS_RECORD_BYTES + sample.event_bytes
        if replay:  # the put fails on the completed record and answers from it
            writes += write_units(record)
            trips += 1
        else:
            writes += write_units(POWERTOOLS_RECORD_BYTES) + write_units(record)
            trips += 2 + (1 if checks else 0) + (1 if events else 0)
        return cls(int(trips), reads, writes, index, events, event_bytes)


@dataclass(frozen=True)
class RequestType:
    name: str
    kind: str  # read | write
    route_key: str
    memory_mb: int
    samples: list[Sample]

    def mean(self, value: Callable[[Sample], float]) -> float:
        return statistics.fmean(value(s) for s in self.samples)

    @property
    def round_trips(self) -> float:
        return self.mean(lambda s: len(s.calls))

    @property
    def own_ms(self) -> float:
        return statistics.median(s.own_ms for s in self.samples)

    @property
    def billed_ms(self) -> int:
        """Lambda bills whole milliseconds, rounded up."""
        return math.ceil(self.own_ms + self.round_trips * DYNAMODB_ROUND_TRIP_MS)

    @property
    def operations(self) -> str:
        """Calls per request by operation, with their units (write units: table + GSIs)."""
        count: Counter[str] = Counter()
        units: dict[str, float] = {}
        for sample in self.samples:
            for call in sample.calls:
                name = call.operation + (" (failed condition)" if call.failed else "")
                count[name] += 1
                units[name] = units.get(name, 0.0) + call.read_units + call.total_write_units
        n = len(self.samples)
        return " + ".join(f"{count[k] / n:g}x {k} ({units[k] / count[k]:g})" for k in count) or "none"

    @property
    def cost(self) -> Cost:
        metered = max(
            1,
            math.ceil(
                max(self.mean(lambda s: s.request_bytes), self.mean(lambda s: s.response_bytes))
                / p.HTTP_API_METERING_BYTES
            ),
        )
        gb_seconds = self.memory_mb / 1024 * self.billed_ms / 1000
        return Cost(
            api_gateway=metered * p.HTTP_API_PER_MILLION_REQUESTS,
            lambda_requests=p.LAMBDA_PER_MILLION_REQUESTS,
            lambda_duration=gb_seconds * p.LAMBDA_ARM_PER_GB_SECOND * 1e6,
            dynamodb_reads=self.mean(lambda s: s.read_units) * p.DYNAMODB_PER_MILLION_READ_UNITS,
            dynamodb_writes=self.mean(lambda s: s.write_units + s.index_write_units)
            * p.DYNAMODB_PER_MILLION_WRITE_UNITS,
        )

    @property
    def items(self) -> str:
        """The items the last sample's writes touched: `type kind bytes (units+GSI units)`."""
        actions = [a for call in self.samples[-1].calls for a in call.actions]
        return ", ".join(
            f"{a.item_type or '?'} {a.kind} {a.size} B ({a.write_units:g}+{a.index_write_units:g})"
            for a in actions
        )

    @property
    def usual(self) -> list[Usual]:
        return [Usual.of(sample) for sample in self.samples]

    @property
    def usual_cost(self) -> Cost:
        """The usual design's dollars per million: REST API, the same CPU plus its round
        trips, its units, and EventBridge."""
        usual = self.usual
        trips = statistics.fmean(u.round_trips for u in usual)
        billed_ms = math.ceil(self.own_ms + trips * DYNAMODB_ROUND_TRIP_MS)
        events = statistics.fmean(u.events for u in usual)
        return Cost(
            api_gateway=p.REST_API_PER_MILLION_REQUESTS + events * p.EVENTBRIDGE_PER_MILLION_EVENTS,
            lambda_requests=p.LAMBDA_PER_MILLION_REQUESTS,
            lambda_duration=self.memory_mb / 1024 * billed_ms / 1000 * p.LAMBDA_ARM_PER_GB_SECOND * 1e6,
            dynamodb_reads=statistics.fmean(u.read_units for u in usual) * p.DYNAMODB_PER_MILLION_READ_UNITS,
            dynamodb_writes=statistics.fmean(u.write_units + u.index_write_units for u in usual)
            * p.DYNAMODB_PER_MILLION_WRITE_UNITS,
        )

    @property
    def ratio(self) -> float:
        return self.cost.total / self.usual_cost.total

    @property
    def met(self) -> bool | None:
        return self.ratio <= USUAL_RATIO_TARGET if self.kind == "write" else None


@dataclass(frozen=True)
class CostResult:
    requests: int
    types: list[RequestType]

    def get(self, name: str) -> RequestType:
        return next(t for t in self.types if t.name == name)


# -- the requests --------------------------------------------------------------------------


@dataclass
class _Harness:
    store: Any
    tenant_id: str
    meter: CapacityMeter
    signer: Signer
    memory: dict[str, int]
    tmpl: Any
    routes: dict[str, Any] = field(default_factory=dict)

    def route(self, route_key: str) -> Any:
        if route_key not in self.routes:
            self.routes[route_key] = route_for(route_key, self.tmpl)
        return self.routes[route_key]

    def send(
        self,
        route_key: str,
        *,
        params: dict[str, str] | None = None,
        body: Any = None,
        query: str = "",
        idempotency_key: str | None = None,
    ) -> Sample:
        data = b"" if body is None else json.dumps(body).encode()
        event = self.signer.event(
            self.route(route_key),
            path=self._path(route_key, params),
            query=query,
            body=data,
            now=time.time(),
            idempotency_key=idempotency_key,
            path_params=params,
        )
        return self._call(route_key, event, len(data))

    def send_unsigned(
        self, route_key: str, params: dict[str, str], body: bytes, headers: dict[str, str]
    ) -> Sample:
        """A request a third party signs its own way (a KYC provider's callback)."""
        from localapi.events import http_api_event

        event = http_api_event(
            method=route_key.split(" ", 1)[0],
            raw_path=self._path(route_key, params),
            raw_query="",
            headers={"host": "bench.local", **headers},
            body=body,
            route_key=route_key,
            path_parameters=params,
        )
        return self._call(route_key, event, len(body))

    def _path(self, route_key: str, params: dict[str, str] | None) -> str:
        path = self.route(route_key).path
        for name, value in (params or {}).items():
            path = path.replace("{" + name + "}", value)
        return path

    def _call(self, route_key: str, event: dict[str, Any], request_bytes: int) -> Sample:
        """The route's handler on `event`, its DynamoDB calls counted; a 4xx or 5xx raises."""
        handler = load_handler(self.route(route_key)).lambda_handler
        self.meter.take()
        started = time.perf_counter()
        out = handler(event, None)
        wall_ms = (time.perf_counter() - started) * 1000
        calls, overhead_ms = self.meter.take()
        status = int(out["statusCode"])
        if status >= 400:
            raise RuntimeError(f"{route_key} answered {status}: {out.get('body')}")
        answer = str(out.get("body") or "")
        return Sample(status, calls, wall_ms - overhead_ms, request_bytes, answer, len(json.dumps(out)))

    def measure(
        self, name: str, kind: str, route_key: str, request: Callable[[int], Sample], n: int
    ) -> RequestType:
        request(-1)  # uncounted: this handler's first request in the process
        samples = [request(i) for i in range(n)]
        function = self.route(route_key).function
        return RequestType(name, kind, route_key, self.memory[function], samples)


def _customer(i: int, *, onchain: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "individual",
        "name": f"Ada Lovelace {i}",
        "email": f"ada{i}@example.com",
        "country": "GB",
        "externalId": f"crm-{uuid.uuid4().hex[:12]}",
        "metadata": {"segment": "retail"},
    }
    if onchain:
        body["onchainId"] = f"eip155:1:0x{secrets.token_hex(20)}"
    return body


def _bank_account(reference: str, currency: str) -> dict[str, Any]:
    return {
        "accountNumber": f"NL91ABNA{uuid.uuid4().int % 10**10:010d}",
        "referenceId": reference,
        "currency": currency,
        "countries": ["NLD", "USA"],
        "customFields": {"source": "bench"},
    }


def _created_id(h: _Harness, route_key: str, body: Any) -> str:
    """Create something with an uncounted request and return its id."""
    return str(json.loads(h.send(route_key, body=body, idempotency_key=str(uuid.uuid4())).answer)["id"])


def _request_types(h: _Harness, n: int, customers_first: int, every_write: bool) -> list[RequestType]:
    customers = [_created_id(h, CUSTOMERS, _customer(i)) for i in range(customers_first)]
    types = [
        h.measure(
            "get customer",
            "read",
            CUSTOMER,
            lambda i: h.send(CUSTOMER, params={"customerId": customers[i % len(customers)]}),
            n,
        ),
        h.measure(
            f"list customers (a page of up to {LIST_PAGE})",
            "read",
            LIST_CUSTOMERS,
            lambda i: h.send(LIST_CUSTOMERS, query=f"limit={LIST_PAGE}"),
            n,
        ),
        h.measure(
            "create customer",
            "write",
            CUSTOMERS,
            lambda i: h.send(CUSTOMERS, body=_customer(i), idempotency_key=str(uuid.uuid4())),
            n,
        ),
        h.measure(
            "create customer, on-chain",
            "write",
            CUSTOMERS,
            lambda i: h.send(CUSTOMERS, body=_customer(i, onchain=True), idempotency_key=str(uuid.uuid4())),
            n,
        ),
    ]
    replayed, replay_key = _customer(0), str(uuid.uuid4())
    h.send(CUSTOMERS, body=replayed, idempotency_key=replay_key)
    types.append(
        h.measure(
            "idempotent replay (create customer)",
            "write",
            CUSTOMERS,
            lambda i: h.send(CUSTOMERS, body=replayed, idempotency_key=replay_key),
            n,
        )
    )
    types.append(
        h.measure(
            "create bank account",
            "write",
            BANK_ACCOUNTS,
            lambda i: h.send(
                BANK_ACCOUNTS,
                body=_bank_account(f"ref-new-{uuid.uuid4().hex}", "EUR"),
                idempotency_key=str(uuid.uuid4()),
            ),
            n,
        )
    )
    upserted = _bank_account("ref-upserted", "EUR")
    h.send(BANK_ACCOUNTS, body=upserted, idempotency_key=str(uuid.uuid4()))

    def upsert(i: int) -> Sample:  # the same referenceId, a changed currency: an update (200)
        body = {**upserted, "currency": ("USD", "EUR")[i % 2]}
        return h.send(BANK_ACCOUNTS, body=body, query="upsert=true", idempotency_key=str(uuid.uuid4()))

    types.append(h.measure("upsert bank account (update)", "write", BANK_ACCOUNTS, upsert, n))

    def create_key(i: int) -> Sample:  # then deleted, uncounted (at most 10 per API key)
        sample = h.send(
            SIGNING_KEYS, body={"publicKey": public_pem(new_private_key())}, idempotency_key=str(uuid.uuid4())
        )
        created = sorted(_other_keys(h))
        for key_id in created:
            h.send(SIGNING_KEY, params={"keyId": key_id}, idempotency_key=str(uuid.uuid4()))
        return sample

    def delete_key(i: int) -> Sample:  # after an uncounted create
        _created_id(h, SIGNING_KEYS, {"publicKey": public_pem(new_private_key())})
        (key_id,) = _other_keys(h)
        return h.send(SIGNING_KEY, params={"keyId": key_id}, idempotency_key=str(uuid.uuid4()))

    from localapi.samples import seed_sample_world

    # The sample world (after the reads: its customer is not a whole one) the rest names.
    seed_sample_world(h.store, h.tenant_id)
    h.meter.take()
    types.extend(_account_types(h, n))
    types.append(_ledger_transaction_type(h, n))
    types.append(h.measure("create signing key", "write", SIGNING_KEYS, create_key, n))
    types.append(h.measure("delete signing key", "write", SIGNING_KEY, delete_key, n))
    if every_write:
        from bench_suite.cost_writes import every_write as the_rest

        types.extend(the_rest(h, n))
    return types


def _account_types(h: _Harness, n: int) -> list[RequestType]:
    """Opening accounts for an approved customer (written directly, uncounted) and issuing
    IBANs (at most 5 per account: a new account, uncounted, every 5) and addresses."""
    from core.platform import keys

    customer_id = "cus_BENCHCOST"
    h.store.put(
        keys.entity_key(h.tenant_id, customer_id),
        {"type": "customer", "id": customer_id, "status": "active", "capabilities": ["accounts"]},
    )
    fiat = {"customerId": customer_id, "type": "demand_deposit", "currency": "EUR", "label": "Operating"}
    wallet = {"customerId": customer_id, "type": "wallet", "asset": "USDC", "chain": "ethereum"}
    per_account = 5
    fiat_accounts = [_created_id(h, ACCOUNTS, fiat) for _ in range(n // per_account + 2)]
    wallet_id = _created_id(h, ACCOUNTS, wallet)

    def number(i: int) -> Sample:
        account_id = fiat_accounts[i // per_account]
        return h.send(
            ISSUE_NUMBER, params={"accountId": account_id}, body={}, idempotency_key=str(uuid.uuid4())
        )

    def address(i: int) -> Sample:
        return h.send(
            ISSUE_ADDRESS, params={"accountId": wallet_id}, body={}, idempotency_key=str(uuid.uuid4())
        )

    return [
        h.measure(
            "open account",
            "write",
            ACCOUNTS,
            lambda i: h.send(ACCOUNTS, body=fiat, idempotency_key=str(uuid.uuid4())),
            n,
        ),
        h.measure("issue account number (IBAN)", "write", ISSUE_NUMBER, number, n),
        h.measure("issue deposit address", "write", ISSUE_ADDRESS, address, n),
    ]


def _ledger_transaction_type(h: _Harness, n: int) -> RequestType:
    """A two-entry ledger transaction (15.00 EUR from the external account into an account)
    in the sample hierarchy (`localapi.samples`, written directly, uncounted)."""
    from localapi.samples import sample_transaction

    params, body = sample_transaction()
    return h.measure(
        "ledger transaction (2 entries)",
        "write",
        BOOK,
        lambda i: h.send(BOOK, params=params, body=body, idempotency_key=str(uuid.uuid4())),
        n,
    )


def _other_keys(h: _Harness) -> list[str]:
    """The signing keys of the harness's API key other than the one it signs with."""
    from core.platform import auth, keys

    found = h.store.get(keys.api_key_key(h.tenant_id, auth.hash_key(h.signer.api_key)), consistent=True)
    h.meter.take()
    return [k for k in (found or {}).get("signingKeys", {}) if k != h.signer.key_id]


def _memory(tmpl: Any) -> dict[str, int]:
    """Each function's MemorySize from template.yaml (its own, else the Globals')."""
    default = int(tmpl.function_globals.get("MemorySize", 128))
    return {name: int(props.get("MemorySize", default)) for name, props in tmpl.functions().items()}


def measure(requests: int = 20, *, customers: int = LIST_PAGE + 1, every_write: bool = True) -> CostResult:
    """`requests` counted requests of each type, after one uncounted, against moto, with
    `customers` created first (what the reads read: by default more than a page), in the
    sample world (`localapi.samples`); `every_write=False` leaves out bench_suite.cost_writes."""
    import boto3
    from moto import mock_aws

    from core.partners import onboarding
    from core.platform import pipeline
    from localapi import webhooks
    from localapi.dynamodb import create_table, prepare_emulator
    from localapi.template import table_definition

    tmpl = template()
    env: dict[str, str | None] = {
        **function_env(route_for(CUSTOMERS, tmpl).function, tmpl),
        **DUMMY_AWS,
        "AWS_ENDPOINT_URL": None,
        "AWS_ENDPOINT_URL_DYNAMODB": None,
        # Warm means warm throughout: the API key's record is re-read once per container
        # every 10 s (0.5 read units), which no request type should be charged alone.
        "API_KEY_CACHE_SECONDS": "300",
        **webhooks.RESOURCE_ENV,
    }
    prepare_emulator()  # light transactions: moto otherwise copies the table for each one
    with environ(env), quiet_powertools(metrics=True), mock_aws():
        side = boto3.client("dynamodb", region_name="us-east-1")
        create_table(side, TABLE, tmpl)
        webhooks.create_resources(tmpl)
        pipeline.reset_runtime()
        try:
            store = pipeline.runtime()[1]
            meter = CapacityMeter(store.client, side, TableShape.of(table_definition(tmpl, TABLE)))
            tenant = onboarding.create_partner(store, "Bench Partner", mode="test")
            item, secret = onboarding.issue_api_key(store, tenant["id"])
            private = new_private_key()
            key = onboarding.add_signing_key(
                store, tenant["id"], item["keyId"], public_pem(private), "ed25519"
            )
            signer = Signer(secret, key["id"], private)
            harness = _Harness(store, tenant["id"], meter, signer, _memory(tmpl), tmpl)
            harness.send(LIST_CUSTOMERS)  # uncounted: warms the API key's cache entry
            types = _request_types(harness, requests, customers, every_write)
        finally:
            pipeline.reset_runtime()
    return CostResult(requests, types)


# -- report ----------------------------------------------------------------------------


def _dollars(value: float) -> str:
    return f"${value:,.3f}"


def tables(result: CostResult) -> list[RenderableType]:
    units = Table(
        title=(
            f"DynamoDB request units per request ({result.requests} requests each, warm, moto in-process; "
            "units computed from item sizes)"
        ),
        caption=(
            "Read units: 4 KB, eventually consistent 0.5, strongly consistent 1, transactional 2. Write "
            "units: 1 KB of the larger image, 2 per KB in a transaction (a ConditionCheck too), each GSI "
            "entry written 1 per KB. A failed condition still pays. Figures are means per request."
        ),
    )
    for column in ("request", "status", "round trips", "read units", "write units", "of which GSIs"):
        units.add_column(column, justify="left" if column == "request" else "right")
    units.add_column("calls per request (units each)")
    for t in result.types:
        units.add_row(
            t.name,
            ",".join(sorted({str(s.status) for s in t.samples})),
            f"{t.round_trips:g}",
            f"{t.mean(lambda s: s.read_units):g}",
            f"{t.mean(lambda s: s.write_units + s.index_write_units):g}",
            f"{t.mean(lambda s: s.index_write_units):g}",
            t.operations,
        )
    cost = Table(
        title=f"Cost per million requests, AWS list prices ({p.REGION}, read on {p.PRICES_READ_ON})",
        caption=(
            f"HTTP API ${p.HTTP_API_PER_MILLION_REQUESTS:g}/M (512 KB metering); Lambda arm64 "
            f"${p.LAMBDA_ARM_PER_GB_SECOND}/GB-s + ${p.LAMBDA_PER_MILLION_REQUESTS:g}/M at the function's "
            f"MemorySize; DynamoDB on-demand ${p.DYNAMODB_PER_MILLION_WRITE_UNITS:g}/M write units, "
            f"${p.DYNAMODB_PER_MILLION_READ_UNITS:g}/M read units. Billed ms = the handler's own time "
            f"(median, measured here: pipeline, domain, botocore; not moto) + round trips x "
            f"{DYNAMODB_ROUND_TRIP_MS:g} ms assumed per DynamoDB call. No free tier."
        ),
    )
    for column in (
        "request",
        "billed ms (ours / usual)",
        "API Gateway",
        "Lambda",
        "DynamoDB",
        "ours / million",
        "usual design / million",
        "usual WRU",
        "ours / usual",
        "target",
        "met?",
    ):
        cost.add_column(column, justify="left" if column == "request" else "right")
    for t in result.types:
        c, u = t.cost, t.usual_cost
        usual_ms = math.ceil(
            t.own_ms + statistics.fmean(x.round_trips for x in t.usual) * DYNAMODB_ROUND_TRIP_MS
        )
        write = t.kind == "write"
        cost.add_row(
            t.name,
            f"{t.billed_ms} / {usual_ms}",
            _dollars(c.api_gateway),
            _dollars(c.lambda_requests + c.lambda_duration),
            _dollars(c.dynamodb_reads + c.dynamodb_writes),
            f"[bold]{_dollars(c.total)}[/bold]",
            _dollars(u.total) if write else "",
            f"{statistics.fmean(x.write_units + x.index_write_units for x in t.usual):g}" if write else "",
            f"[bold]{t.ratio:.2f}x[/bold]" if write else "",
            f"<= {USUAL_RATIO_TARGET:g}x" if write else "",
            verdict(t.met) if write else "",
        )
    items = Table(
        title="What each write writes (one request: bytes of the larger image, units as made + GSI units)",
        caption=(
            "The usual design writes the same items, each alone at 1 unit per KB, without the "
            "idempotency completion (its Powertools record is a ~170-byte put, then an update holding "
            "the whole answer) and without our consistent re-read of the API key before a write "
            "commits, and sends the event to EventBridge instead."
        ),
    )
    for column in ("request", "items"):
        items.add_column(column)
    for t in result.types:
        if t.kind == "write":
            items.add_row(t.name, t.items)
    return [units, cost, items]


def summary(result: CostResult) -> list[SummaryRow]:
    return [
        SummaryRow(
            f"cost per million, {t.name}",
            f"{_dollars(t.cost.total)} ({t.mean(lambda s: s.read_units):g} RRU, "
            f"{t.mean(lambda s: s.write_units + s.index_write_units):g} WRU)"
            + (f"; usual {_dollars(t.usual_cost.total)}, {t.ratio:.2f}x" if t.kind == "write" else ""),
            f"<= {USUAL_RATIO_TARGET:g}x the usual design" if t.kind == "write" else "",
            t.met,
        )
        for t in result.types
    ]
