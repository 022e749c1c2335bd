"""Transactions per second on a hot account, through the local API, with DynamoDB's
transaction conflicts emulated (`LOCALAPI_TRANSACTION_MS`: each transaction holds its
items that long, and what names one of them meanwhile is cancelled, as on DynamoDB;
localapi.conflicts). The conflicts the store retried are counted at the DynamoDB endpoint
(moto's request recorder): every TransactWriteItems beyond one per booked transaction is
a retry.

  external   `@external/BRL` -> one of 50 accounts: the hot account is an external
             one, spread over its shards (core.ledger.balances)
  settlement one settlement account -> one of 50 accounts: the hot account is a
             partner's, one item, every transaction conditioned on its balance

Both series book the same two-entry transactions with the partner SDK (an
Idempotency-Key each, no client retries: an error is counted, never hidden) at the same
concurrency, in one run, so their ratio is the figure; the absolute rate is the
emulator's on this machine, not DynamoDB's.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from rich.table import Table

from bench_suite import SummaryRow, fmt
from bench_suite.ingest import Recorder
from bench_suite.latency import Series, run_series
from bench_suite.local_api import local_api
from localapi.samples import SAMPLE_ADDRESS
from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file

# How long a DynamoDB transaction holds its items: about its latency (10 ms), and a slow
# one (50 ms), where one item's ceiling (1 / 50 ms) is below what this machine serves.
TRANSACTION_MS = (10, 50)
DESTINATIONS = 50


@dataclass(frozen=True)
class HotSeries:
    transaction_ms: int
    series: Series
    transactions: int  # TransactWriteItems requests recorded during the series
    booked: int

    @property
    def retried(self) -> int:
        return self.transactions - self.booked


@dataclass(frozen=True)
class HotResult:
    requests: int
    concurrency: int
    series: list[HotSeries]


def measure(
    requests: int = 200,
    concurrency: int = 16,
    holds: tuple[int, ...] = TRANSACTION_MS,
    destinations: int = DESTINATIONS,
) -> HotResult:
    """Both series at each transaction time, a local API started for each."""
    series = [hot for ms in holds for hot in _measure_at(ms, requests, concurrency, destinations)]
    return HotResult(requests, concurrency, series)


def _measure_at(transaction_ms: int, requests: int, concurrency: int, destinations: int) -> list[HotSeries]:
    env = {"LOCALAPI_TRANSACTION_MS": str(transaction_ms)}
    with tempfile.TemporaryDirectory(prefix="bench-hot-") as tmp, local_api(Path(tmp), env) as api:
        credentials = credentials_from_file(api.credentials)

        def client() -> PartnerClient:
            return PartnerClient(credentials, max_retries=0)

        with client() as setup:
            ledger = setup.ledger
            org = ledger.organizations.create("Hot Ltda", "48784548000104", SAMPLE_ADDRESS)["id"]
            ledger_id = ledger.ledgers.create(org, "Hot ledger")["id"]
            ledger.instruments.create(org, ledger_id, "Real", "currency", "BRL")
            portfolio = ledger.portfolios.create(org, ledger_id, "Hot portfolio")["id"]
            accounts = [
                ledger.accounts.create(org, ledger_id, portfolio, "BRL", "deposit")["id"]
                for _ in range(destinations)
            ]
            settlement = ledger.accounts.create(
                org, ledger_id, portfolio, "BRL", "marketplace", alias="settlement"
            )["id"]
            ledger.transactions.transfer(org, ledger_id, "@external/BRL", settlement, "BRL", 10**12, 2)

        def booking(source: str) -> Any:
            def book(c: PartnerClient, i: int) -> Any:
                target = accounts[i % destinations]
                return c.ledger.transactions.transfer(org, ledger_id, source, target, "BRL", 100, 2)

            return book

        recorder = Recorder(api.dynamodb_endpoint)
        out = []
        for name, source in (("external", "@external/BRL"), ("settlement", "settlement")):
            run_series(f"{name} warm-up", concurrency * 2, concurrency, client, booking(source))
            with recorder.recording() as calls:
                series = run_series(name, requests, concurrency, client, booking(source))
            out.append(
                HotSeries(transaction_ms, series, calls["TransactWriteItems"], len(series.latencies_ms))
            )
        return out


def tables(result: HotResult) -> list[RenderableType]:
    table = Table(
        title=f"Hot accounts: {result.requests} two-entry transactions per series,"
        f" {result.concurrency} in flight"
    )
    for column in (
        "transaction holds",
        "hot account",
        "tx/s",
        "p50 ms",
        "p99 ms",
        "errors",
        "conflicts retried",
        "per tx",
    ):
        table.add_column(column, justify="left" if column == "hot account" else "right")
    for hot in result.series:
        stats = hot.series.stats
        errors = sum(hot.series.errors.values())
        per_tx = hot.retried / hot.booked if hot.booked else float("nan")
        table.add_row(
            f"{hot.transaction_ms} ms",
            hot.series.name,
            fmt(hot.series.requests_per_second, 1),
            fmt(stats.p50, 1),
            fmt(stats.p99, 1),
            str(errors) + (f" {dict(hot.series.errors)}" if errors else ""),
            str(hot.retried),
            fmt(per_tx, 2),
        )
    return [table]


def summary(result: HotResult) -> list[SummaryRow]:
    rows = []
    for ms in dict.fromkeys(h.transaction_ms for h in result.series):
        external, settlement = (h for h in result.series if h.transaction_ms == ms)
        errors = sum(sum(h.series.errors.values()) for h in (external, settlement))
        ratio = external.series.requests_per_second / settlement.series.requests_per_second
        rows.append(
            SummaryRow(
                f"hot account tx/s, transactions holding {ms} ms: external (shards) / partner (one item)",
                f"{fmt(external.series.requests_per_second, 1)}"
                f" / {fmt(settlement.series.requests_per_second, 1)} ({fmt(ratio, 2)}x);"
                f" conflicts retried {external.retried} / {settlement.retried}",
                "no failed request",
                errors == 0,
            )
        )
    return rows
