"""`bench`: measure cold starts, pipeline CPU time and DynamoDB round trips in one run and
print them side by side with their targets. Nothing is asserted: the figures are for
people (machines are shared and noisy); see bench/README.md for what each one means."""

from __future__ import annotations

import argparse
import functools
import importlib
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.table import Table

from bench_suite import SummaryRow, verdict


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench",
        description="Cold start, pipeline CPU time and DynamoDB round trips of the partner API.",
    )
    parser.add_argument(
        "--runs", type=int, default=10, help="cold-start rounds, each handler beside a bare one (default 10)"
    )
    parser.add_argument(
        "--iterations", type=int, default=2000, help="pipeline CPU iterations per case (default 2000)"
    )
    parser.add_argument("--only", choices=SECTIONS, help="run one measurement only")
    parser.add_argument(
        "--ingest-rows", type=int, default=100, help="bank-account rows `partner ingest` sends (default 100)"
    )
    parser.add_argument(
        "--ingest-concurrency", type=int, default=8, help="requests in flight while ingesting (default 8)"
    )
    parser.add_argument(
        "--latency-requests", type=int, default=200, help="requests per kind, local API (default 200)"
    )
    parser.add_argument(
        "--latency-concurrency", type=int, default=8, help="requests in flight, local API (default 8)"
    )
    parser.add_argument(
        "--hot-transactions",
        type=int,
        default=200,
        help="transactions per hot-account series, local API (default 200)",
    )
    parser.add_argument(
        "--hot-concurrency", type=int, default=16, help="transactions in flight on a hot account (default 16)"
    )
    parser.add_argument(
        "--cost-requests", type=int, default=20, help="requests per type for units and cost (default 20)"
    )
    parser.add_argument(
        "--restore-environments",
        type=int,
        default=5,
        help="environments restored (forked) from each SnapStart snapshot (default 5)",
    )
    parser.add_argument(
        "--fuzz-examples",
        type=int,
        default=1000,
        help="generated requests per operation in the fuzzing phase (default 1000)",
    )
    parser.add_argument(
        "--webhook-events",
        type=int,
        default=200,
        help="changes whose webhook deliveries are timed, per run of the webhook section (default 200)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.iterations < 1:
        parser.error("--runs and --iterations must be at least 1")
    if args.ingest_rows < 4 or not 1 <= args.ingest_concurrency <= 64:
        parser.error("--ingest-rows must be at least 4 and --ingest-concurrency 1..64")
    if args.latency_requests < 1 or not 1 <= args.latency_concurrency <= 64 or args.cost_requests < 1:
        parser.error("--latency-requests and --cost-requests must be at least 1, --latency-concurrency 1..64")
    return args


def _console() -> Console:
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(width=160)  # tables stay readable in logs and CI output
    return console


def _machine() -> str:
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load}"
    )


def _section(
    console: Console,
    title: str,
    measure: Callable[[], Any],
    tables: Callable[[Any], list[RenderableType]],
    summary: Callable[[Any], list[SummaryRow]],
) -> list[SummaryRow]:
    console.print(Rule(title))
    started = time.perf_counter()
    with console.status(f"measuring {title.lower()} ..."):
        result = measure()
    for renderable in tables(result):
        console.print(renderable)
    console.print(f"[dim]{title}: {time.perf_counter() - started:.1f} s[/dim]\n")
    return summary(result)


def summary_table(rows: list[SummaryRow]) -> Table:
    table = Table(title="Summary (figures from this run, on this machine; not asserted anywhere)")
    table.add_column("figure")
    table.add_column("measured", justify="right")
    table.add_column("target", justify="right")
    table.add_column("met?", justify="center")
    for row in rows:
        table.add_row(row.figure, row.measured, row.target, verdict(row.met))
    return table


# Each section: its --only name, its title, its module in bench_suite (imported only when
# it runs: fuzz loads schemathesis) and how it is measured from the options.
_SECTIONS: tuple[tuple[str, str, str, Callable[[Any, argparse.Namespace], Any]], ...] = (
    ("cold", "Cold start", "cold_start", lambda m, a: m.measure(a.runs)),
    ("cpu", "Pipeline CPU", "pipeline_cpu", lambda m, a: m.measure(a.iterations)),
    ("trips", "DynamoDB round trips", "round_trips", lambda m, a: m.measure()),
    ("ingest", "Bulk ingestion", "ingest", lambda m, a: m.measure(a.ingest_rows, a.ingest_concurrency)),
    (
        "latency",
        "Local API throughput and latency",
        "latency",
        lambda m, a: m.measure(a.latency_requests, a.latency_concurrency),
    ),
    (
        "hot",
        "Hot accounts (local API, DynamoDB's transaction conflicts emulated)",
        "hot_accounts",
        lambda m, a: m.measure(a.hot_transactions, a.hot_concurrency),
    ),
    ("cost", "Request units and cost per million", "cost", lambda m, a: m.measure(a.cost_requests)),
    (
        "restore",
        "SnapStart restore (fork emulation)",
        "restore",
        lambda m, a: m.measure(a.restore_environments),
    ),
    ("webhooks", "Webhook delivery", "webhooks", lambda m, a: m.measure(a.webhook_events)),
    (
        "fuzz",
        "Fuzzing (schemathesis, from the OpenAPI document)",
        "fuzz",
        lambda m, a: m.measure(a.fuzz_examples),
    ),
)
SECTIONS = tuple(name for name, *_ in _SECTIONS)  # the choices of --only


def run(args: argparse.Namespace, console: Console) -> list[SummaryRow]:
    console.print(f"[bold]bench[/bold]: {_machine()}")
    rows: list[SummaryRow] = []
    for name, title, module_name, measure in _SECTIONS:
        if args.only in (None, name):
            module = importlib.import_module(f"bench_suite.{module_name}")
            rows += _section(
                console, title, functools.partial(measure, module, args), module.tables, module.summary
            )
    console.print(summary_table(rows))
    console.print(f"[dim]{_machine()}[/dim]")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    console = _console()
    run(args, console)
    console.print(f"[dim]total {time.perf_counter() - started:.0f} s[/dim]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
