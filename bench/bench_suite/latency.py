"""Requests per second and latency through the local API, for a signed read and a signed
write, at a fixed concurrency.

The local API runs as a developer runs it (`localapi serve` in a subprocess, started as
the ingestion benchmark starts it); the requests are the partner SDK's own
(`PartnerClient`: RFC 9421 signatures with Ed25519, an Idempotency-Key on every write), one
client per worker thread, no retries, so an error is counted, never hidden. This measures
the emulator on this machine (werkzeug, the handlers in-process, moto's DynamoDB serving
one request at a time, the clients on the same cores), not AWS: read it to compare the
read with the write and one run with another, never as production latency.

  read   GET /v1/customers/{customerId}, over customers created beforehand
  write  POST /v1/customers, a new externalId each time (201)
"""

from __future__ import annotations

import itertools
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import RenderableType
from rich.table import Table

from bench_suite import Stats, SummaryRow, fmt
from bench_suite.local_api import local_api
from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file
from partner_sdk.errors import PartnerApiError

SEEDED_CUSTOMERS = 10


@dataclass
class Series:
    """One request kind sent `requests` times by `concurrency` workers."""

    name: str
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)  # successful requests only
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def stats(self) -> Stats:
        return Stats.of(self.latencies_ms)

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds > 0 else float("nan")


@dataclass(frozen=True)
class LatencyResult:
    requests: int
    concurrency: int
    series: list[Series]
    load: str  # the load average when the measurement ended


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def run_series(
    name: str,
    requests: int,
    concurrency: int,
    client: Callable[[], PartnerClient],
    call: Callable[[PartnerClient, int], Any],
) -> Series:
    """`requests` calls of `call(client, i)` from `concurrency` threads, each its own client.
    Wall time runs from the first call to the last answer."""
    series = Series(name, concurrency)
    counter, lock = itertools.count(), threading.Lock()

    def worker() -> None:
        own = client()
        try:
            while True:
                with lock:
                    i = next(counter)
                if i >= requests:
                    return
                started = time.perf_counter()
                try:
                    call(own, i)
                except PartnerApiError as exc:
                    with lock:
                        series.errors[f"{exc.status} {exc.code}"] += 1
                    continue
                except httpx.HTTPError as exc:
                    with lock:
                        series.errors[type(exc).__name__] += 1
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    series.latencies_ms.append(elapsed)
        finally:
            own.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    series.seconds = time.perf_counter() - started
    return series


def measure(requests: int = 200, concurrency: int = 8) -> LatencyResult:
    """Start the local API, seed customers, then the read series and the write series,
    each after an uncounted warm-up of two requests per worker."""
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp, local_api(Path(tmp)) as api:
        credentials = credentials_from_file(api.credentials)

        def client() -> PartnerClient:
            return PartnerClient(credentials, max_retries=0)

        with client() as seeder:
            customers = [
                seeder.customers.create(
                    external_id=f"seed-{i}-{time.time_ns()}", name="Ada Lovelace", country="GB"
                )["id"]
                for i in range(SEEDED_CUSTOMERS)
            ]

        def read(c: PartnerClient, i: int) -> Any:
            return c.customers.get(customers[i % len(customers)])

        def write(c: PartnerClient, i: int) -> Any:
            return c.customers.create(
                external_id=f"load-{i}-{time.time_ns()}", name="Ada Lovelace", country="GB"
            )

        out = []
        for name, call in (
            ("signed read (GET /v1/customers/{id})", read),
            ("signed write (POST /v1/customers)", write),
        ):
            run_series(name, 2 * concurrency, concurrency, client, call)  # warm-up
            out.append(run_series(name, requests, concurrency, client, call))
    return LatencyResult(requests, concurrency, out, _load())


# -- report ----------------------------------------------------------------------------


def tables(result: LatencyResult) -> list[RenderableType]:
    table = Table(
        title=(
            f"Through the local API: {result.requests} requests each, {result.concurrency} in flight "
            "(partner SDK, RFC 9421 signatures)"
        ),
        caption=(
            "The local emulator on this machine, not AWS: werkzeug, the handlers in-process, moto's "
            "DynamoDB one request at a time, clients on the same cores. Latency of successful requests; "
            f"load average at the end {result.load}."
        ),
    )
    for column in ("request", "requests/s", "p50 ms", "p90 ms", "p99 ms", "ok", "errors"):
        table.add_column(column, justify="left" if column in ("request", "errors") else "right")
    for series in result.series:
        stats = series.stats
        errors = ", ".join(f"{n}x {kind}" for kind, n in series.errors.most_common()) or "0"
        table.add_row(
            series.name,
            fmt(series.requests_per_second, 1),
            fmt(stats.p50, 1),
            fmt(stats.p90, 1),
            fmt(stats.p99, 1),
            str(stats.n),
            errors,
        )
    return [table]


def summary(result: LatencyResult) -> list[SummaryRow]:
    return [
        SummaryRow(
            f"local API, {series.name}, {series.concurrency} in flight",
            f"{fmt(series.requests_per_second, 1)} req/s, p50 {fmt(series.stats.p50, 1)} ms, "
            f"p99 {fmt(series.stats.p99, 1)} ms, {sum(series.errors.values())} errors",
            "",
            None,
        )
        for series in result.series
    ]
