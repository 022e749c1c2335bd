"""Pipeline CPU time per request, with DynamoDB faked out.

`core.platform.pipeline._runtime` is replaced by `(settings, FakeStore())`: the real `Store` class
with its DynamoDB client swapped for canned answers (the API key record, a page of three
signing keys, success for every put, update and transaction). So the store's own
marshalling (TypeSerializer/TypeDeserializer of keys, items and conditions) is measured;
botocore (request serialisation, SigV4, HTTP, response parsing) and the network are not.

Per request type and signature scheme, `time.process_time_ns` around each call of:
  * total     the real handler of template.yaml (domain call included);
  * pipeline  the same `@endpoint` spec around a function without domain work (a write
              stages one small item): parsing, size limit, API key auth (cache hit),
              signature verification, scope, validation, idempotency claim, the commit
              (API key re-check, stored answer), response, log line and EMF metrics;
  * verify    `signatures.verify_request` alone on the same request;
  * ed25519   the Ed25519 primitive alone (`Ed25519PublicKey.verify`);
  * log       `observability.record` alone: the log line and the EMF metrics blob.
Log lines go to a null sink (Powertools Logger's stream swapped, stdout redirected for
EMF); they are still formatted, so their CPU is counted.

The iterations of each case are spread over ROUNDS rounds, each round measuring every
case in turn (one request type at a time, as a container serves one route), and each
figure is the median of its round means. Why: this host's neighbours load it in bursts
of seconds; a burst over one case's only window put that case 20-40% above the others
in one run and not in the next, while the median of five spread-out rounds discards up
to two bursty rounds. The plain mean over all iterations is printed beside it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import RenderableType
from rich.table import Table

from bench_suite import (
    CURSOR_SECRET,
    TABLE,
    Signer,
    Stats,
    SummaryRow,
    load_handler,
    new_private_key,
    public_pem,
    quiet_powertools,
    route_for,
    verdict,
)
from bench_suite import fmt as _f

TARGET_US = 500.0
ROUNDS = 5
SERIES = ("total", "pipeline", "verify", "ed25519", "log")
WRITE_ROUTE = "POST /v1/signing-keys"
READ_ROUTE = "GET /v1/signing-keys"
CASES: tuple[tuple[str, str, str], ...] = (
    ("signed write", WRITE_ROUTE, "simple"),
    ("signed write", WRITE_ROUTE, "rfc9421"),
    ("signed read", READ_ROUTE, "simple"),
    ("signed read", READ_ROUTE, "rfc9421"),
)


@dataclass(frozen=True)
class CpuCase:
    """CPU µs per request of one request type and signature scheme: each series' samples
    over all rounds (Stats) and its mean in each round."""

    kind: str
    route: str
    scheme: str
    status: int
    total: Stats
    pipeline: Stats
    verify: Stats
    ed25519: Stats
    log: Stats
    round_means: dict[str, list[float]]

    @property
    def name(self) -> str:
        return f"{self.kind} ({self.scheme})"

    def steady(self, series: str) -> float:
        """The median of the series' round means: the figure the target is read against."""
        return Stats.of(self.round_means[series]).p50

    @property
    def domain_us(self) -> float:
        """What the endpoint adds over a no-op one (its domain call and its writes)."""
        return self.steady("total") - self.steady("pipeline")

    @property
    def pipeline_without_verify_us(self) -> float:
        return self.steady("pipeline") - self.steady("verify")


@dataclass(frozen=True)
class CpuResult:
    iterations: int
    rounds: int
    cases: list[CpuCase]


class _CannedClient:
    """Stands in for the boto3 DynamoDB client: canned answers, no I/O."""

    def __init__(self, api_key_item: dict[str, Any], page: list[dict[str, Any]]) -> None:
        self._api_key = {"Item": api_key_item}
        self._page = {"Items": page, "Count": len(page)}

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._api_key if kwargs["Key"]["SK"]["S"].startswith("APIKEY#") else {}

    def query(self, **kwargs: Any) -> dict[str, Any]:
        return self._page

    def put_item(self, **kwargs: Any) -> dict[str, Any]:
        return {}

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        return {}

    def delete_item(self, **kwargs: Any) -> dict[str, Any]:
        return {}

    def transact_write_items(self, **kwargs: Any) -> dict[str, Any]:
        return {}


def _fake_store_class() -> type:
    from core.platform.store import Store, serialize

    class FakeStore(Store):
        """The real Store over a canned client: its get/query/put/transact answer at once."""

        def __init__(self, api_key_item: dict[str, Any], page: list[dict[str, Any]]) -> None:
            super().__init__(
                TABLE, client=_CannedClient(serialize(api_key_item), [serialize(i) for i in page])
            )

    return FakeStore


@dataclass
class _Fixture:
    signer: Signer
    key_hash: str
    api_key_item: dict[str, Any]
    page: list[dict[str, Any]]
    new_key_pem: str
    now: float


def _fixture(now: float) -> _Fixture:
    from core.partners import signing_keys
    from core.platform import auth, keys
    from core.platform.ids import new_id
    from core.platform.scopes import SCOPES

    tenant = new_id("ptn")
    api_key = auth.new_api_key(tenant, "test")
    key_hash = auth.hash_key(api_key)
    api_key_id = new_id("key")
    private = new_private_key()
    kid = new_id("sig")
    pem = public_pem(private)
    item = {
        **keys.api_key_key(tenant, key_hash),
        "type": "api_key",
        "keyId": api_key_id,
        "tenantId": tenant,
        "mode": "test",
        "status": "active",
        "scopes": list(SCOPES),
        "signaturePolicy": "required",
        "signingKeys": {kid: {"algorithm": "ed25519", "publicKey": pem, "createdAt": int(now)}},
        "createdAt": int(now),
        "prefix": api_key[:16],
        **keys.list_attrs(tenant, "api_keys", api_key_id),
    }
    page = []
    for _ in range(3):
        sig = new_id("sig")
        other = public_pem(new_private_key())
        page.append(
            {
                **keys.entity_key(tenant, sig),
                "type": "signing_key",
                "id": sig,
                "tenantId": tenant,
                "apiKeyId": api_key_id,
                "apiKeyHash": key_hash,
                "algorithm": "ed25519",
                "publicKey": other,
                "fingerprint": "sha256:" + "0" * 64,
                "createdAt": int(now),
                **keys.list_attrs(tenant, signing_keys.collection(api_key_id), sig),
            }
        )
    return _Fixture(Signer(api_key, kid, private), key_hash, item, page, public_pem(new_private_key()), now)


@contextmanager
def _fake_runtime(fixture: _Fixture) -> Iterator[None]:
    """The pipeline's runtime swapped for (settings, FakeStore), the clock pinned to the
    signing time, the API key cache warm, the log sink null; all restored afterwards."""
    from core.platform import auth, clock, pipeline
    from core.platform.config import Settings

    settings = Settings.model_validate(
        {"TABLE_NAME": TABLE, "CURSOR_SECRET": CURSOR_SECRET, "API_KEY_CACHE_SECONDS": 300}
    )
    saved = pipeline._runtime
    pipeline._runtime = (settings, _fake_store_class()(fixture.api_key_item, fixture.page))
    clock.set_source(lambda: fixture.now)
    auth.CACHE.put(fixture.key_hash, fixture.api_key_item, fixture.now + 3600)
    try:
        with quiet_powertools(metrics=True):
            yield
    finally:
        auth.CACHE.invalidate(fixture.key_hash)
        clock.reset()
        pipeline._runtime = saved


def _cpu_us(
    fns: dict[str, Callable[[], Any]], iterations: int, warmup: int, chunk: int = 50
) -> dict[str, list[float]]:
    """CPU µs per call of each function, `iterations` calls each after `warmup`, run in
    alternating chunks so that a noisy neighbour weighs on every series alike.

    One request type at a time (measure() calls this once per case), as a Lambda
    container serves one route: interleaving all four request types in one run was tried
    and adds ~30% to every figure (their code evicts each other from the CPU's caches),
    which no container of ours sees."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    clock = time.process_time_ns
    out: dict[str, list[float]] = {name: [] for name in fns}
    done = 0
    while done < iterations:
        step = min(chunk, iterations - done)
        for name, fn in fns.items():
            samples = out[name]
            for _ in range(step):
                start = clock()
                fn()
                samples.append((clock() - start) / 1000)
        done += step
    return out


def _noop_handler(handler: Any) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The handler's own `@endpoint` spec around a function that does no domain work: a
    write stages one small item (so the commit is the usual transaction, with the API key
    re-check), a read returns at once."""
    from core.platform import keys, pipeline

    spec = handler.spec
    answer = {"id": "sig_0", "object": "signing_key"}

    def noop(call: Any) -> dict[str, Any]:
        if call.request.is_write:
            call.tx.create(keys.entity_key(call.tenant_id, "bench_noop"), {"type": "bench"}, on_fail=None)
        return answer

    wrap = pipeline.endpoint(
        scope=spec.scope, body=spec.body, query=spec.query, path=spec.path, status=spec.status
    )
    return wrap(noop)


def measure(iterations: int = 2000, warmup: int | None = None, rounds: int = ROUNDS) -> CpuResult:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from core.platform import auth, observability, signatures
    from core.platform.http import Request

    warmup = max(5, iterations // 10) if warmup is None else warmup
    rounds = max(1, min(rounds, iterations))
    fixture = _fixture(time.time())
    principal = auth.principal_from_item(fixture.api_key_item)
    log_fields = {
        "requestId": "req_01BENCH0000000000000000000",
        "tenant": principal.tenant_id,
        "apiKeyId": principal.api_key_id,
        "method": "POST",
        "path": "/v1/signing-keys",
    }
    public_key = next(iter(principal.signing_keys.values())).crypto_key()
    assert isinstance(public_key, Ed25519PublicKey)
    prepared: list[tuple[str, str, str, int, dict[str, Callable[[], Any]]]] = []
    with _fake_runtime(fixture):
        for kind, route_key, scheme in CASES:
            route = route_for(route_key)
            handler = load_handler(route).lambda_handler
            body = json.dumps({"publicKey": fixture.new_key_pem}).encode() if route.method == "POST" else b""
            event = fixture.signer.event(
                route,
                body=body,
                scheme=scheme,
                now=fixture.now,
                idempotency_key="bench-idempotency-key" if route.method == "POST" else None,
            )
            status = handler(event, None)["statusCode"]
            if status >= 300:
                raise RuntimeError(
                    f"{route_key} ({scheme}) answered {status}: the benchmark request is wrong"
                )
            noop = _noop_handler(handler)
            request = Request.from_event(event)
            message = signatures.SignedMessage(
                method=request.method,
                scheme=request.scheme,
                host=request.host,
                raw_path=request.raw_path,
                raw_query=request.raw_query,
                headers=request.headers,
                body=request.body,
            )
            signed = signatures.simple_signed_bytes(
                str(int(fixture.now)), request.method, request.raw_path, request.raw_query, request.body
            )
            signature = fixture.signer.private_key.sign(signed)

            def verify(message: signatures.SignedMessage = message) -> None:
                signatures.verify_request(
                    message, keys=principal.signing_keys, now=fixture.now, required=True
                )

            def call_total(handler: Any = handler, event: dict[str, Any] = event) -> None:
                handler(event, None)

            def call_noop(noop: Any = noop, event: dict[str, Any] = event) -> None:
                noop(event, None)

            def primitive(signature: bytes = signature, signed: bytes = signed) -> None:
                public_key.verify(signature, signed)

            def log_line(route_key: str = route_key, status: int = status) -> None:
                observability.record(route_key, status, 1.234, dict(log_fields))

            fns: dict[str, Callable[[], Any]] = {
                "total": call_total,
                "pipeline": call_noop,
                "verify": verify,
                "ed25519": primitive,
                "log": log_line,
            }
            prepared.append((kind, route_key, scheme, status, fns))
        samples: list[dict[str, list[float]]] = [{name: [] for name in SERIES} for _ in prepared]
        means: list[dict[str, list[float]]] = [{name: [] for name in SERIES} for _ in prepared]
        for round_ in range(rounds):
            share = iterations // rounds + (round_ < iterations % rounds)
            for index, (*_, fns) in enumerate(prepared):
                # each round re-warms the case's code, which the other cases evicted
                measured = _cpu_us(fns, share, warmup if round_ == 0 else max(1, warmup // rounds))
                for name in SERIES:
                    samples[index][name] += measured[name]
                    means[index][name].append(Stats.of(measured[name]).mean)
    cases = [
        CpuCase(
            kind=kind,
            route=route_key,
            scheme=scheme,
            status=status,
            total=Stats.of(samples[index]["total"]),
            pipeline=Stats.of(samples[index]["pipeline"]),
            verify=Stats.of(samples[index]["verify"]),
            ed25519=Stats.of(samples[index]["ed25519"]),
            log=Stats.of(samples[index]["log"]),
            round_means=means[index],
        )
        for index, (kind, route_key, scheme, status, _) in enumerate(prepared)
    ]
    return CpuResult(iterations, rounds, cases)


# -- report ----------------------------------------------------------------------------


def _spread(series: str) -> tuple[str, ...]:
    """A column group of the per-request table."""
    return (f"{series} rounds", "mean", "p50", "p99")


def tables(result: CpuResult) -> list[RenderableType]:
    per_request = Table(
        title=(
            f"Pipeline CPU per request, store faked: {result.iterations:,} iterations each over "
            f"{result.rounds} rounds (µs of CPU)"
        ),
        caption=(
            "total = the template's handler (domain call included); pipeline = the same @endpoint "
            "around a function with no domain work (a write stages one small item). Included: event "
            "parsing, API key (cache hit), signature, scope, validation, idempotency claim, commit "
            "(API key re-check, stored answer) with the store's marshalling, response, log line and "
            "EMF. Not included: botocore and the network. rounds = the median of the round means (the "
            "target's figure); mean, p50 and p99 over every iteration"
        ),
    )
    for column in ("request", "status", *_spread("total"), *_spread("pipeline")):
        per_request.add_column(column, justify="left" if column == "request" else "right")
    per_request.add_column("target", justify="right")
    per_request.add_column("met?", justify="center")
    for case in result.cases:
        per_request.add_row(
            case.name,
            str(case.status),
            _f(case.steady("total")),
            _f(case.total.mean),
            _f(case.total.p50),
            _f(case.total.p99),
            _f(case.steady("pipeline")),
            _f(case.pipeline.mean),
            _f(case.pipeline.p50),
            _f(case.pipeline.p99),
            f"< {TARGET_US:.0f}",
            verdict(case.steady("pipeline") < TARGET_US),
        )
    parts = Table(
        title="Where the pipeline's CPU goes (medians of the round means, µs)",
        caption=(
            "verify = core.platform.signatures.verify_request alone; Ed25519 = the primitive alone; "
            "log + EMF = core.platform.observability.record alone; domain = total - pipeline"
        ),
    )
    for column in (
        "request",
        "pipeline",
        "signature verify",
        "of which Ed25519",
        "log + EMF",
        "pipeline w/o verify",
        "domain",
    ):
        parts.add_column(column, justify="left" if column == "request" else "right")
    for case in result.cases:
        parts.add_row(
            case.name,
            _f(case.steady("pipeline")),
            _f(case.steady("verify")),
            _f(case.steady("ed25519")),
            _f(case.steady("log")),
            _f(case.pipeline_without_verify_us),
            _f(case.domain_us),
        )
    return [per_request, parts]


def summary(result: CpuResult) -> list[SummaryRow]:
    rows = []
    for case in result.cases:
        rows.append(
            SummaryRow(
                f"pipeline CPU, {case.name}",
                f"{case.steady('pipeline'):,.0f} µs ({case.pipeline_without_verify_us:,.0f} w/o signature "
                f"verify; mean of all iterations {case.pipeline.mean:,.0f})",
                f"< {TARGET_US:.0f} µs",
                case.steady("pipeline") < TARGET_US,
            )
        )
    return rows
