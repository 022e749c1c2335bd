"""Bulk ingestion: `partner ingest bank-accounts` against the local API, rows per second and
DynamoDB round trips per row.

The local API runs as a developer runs it and as tests/e2e/conftest.py starts it
(`localapi serve` on free ports, in a subprocess, its own credentials file); the command
runs as a partner runs it (the `partner` console script in a subprocess, `--json`).

Throughput: the rows (half with a referenceId, so sent as upserts) are ingested in a few
slices, one command run each, so the table grows between them and each slice's rows/s
shows whether a bigger table costs more (it should not: `localapi.dynamodb` keeps moto's
transactions from copying the table); then the first slice's file again (every row
replayed).

Round trips: counted at the local DynamoDB endpoint itself with moto's request recorder
(`POST /moto-api/recorder/start-recording` ... `stop-recording`, then
`GET .../download-recording`: one JSON line per request the endpoint served, its
operation in the `X-Amz-Target` header). The recording file is `MOTO_RECORDER_FILEPATH`
in the server's environment, in a temporary directory. Each counted run sends its rows
one at a time (`--concurrency 1`), so no retry of an in-flight request or of a lost race
is counted: plain creates, creates naming a customer (read with the guards), upserts that
create, upserts that update, and replays. A read of an API key record (`SK` `APIKEY#...`)
is shown apart; the server caches keys, so it is rare. The local API's own requests reach
the endpoint in-process (`localapi.dynamodb`), and the recorder counts them all the same.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import RenderableType
from rich.table import Table

from bench_suite import SummaryRow, fmt
from bench_suite.local_api import LocalApi, local_api
from localapi.process import serve_environment

RUN_TIMEOUT = 3600.0
API_KEY_READ = "GetItem (API key)"
WRITE_TARGET = 2  # bench/README.md: at most 2 round trips per write, warm
OUTCOMES = ("created", "updated", "replayed", "rejected", "failed")
REPLAY = "replay (the 200 file again)"


@dataclass(frozen=True)
class Run:
    """One `partner ingest` run: its summary and the table's size before it."""

    label: str
    rows: int
    seconds: float
    counts: dict[str, int]
    items_before: int

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("nan")


@dataclass(frozen=True)
class TripCount:
    """DynamoDB requests recorded while one run sent `rows` rows, by operation."""

    label: str
    rows: int
    calls: dict[str, int]
    counts: dict[str, int]

    @property
    def per_row(self) -> float:
        return sum(self.calls.values()) / self.rows if self.rows else float("nan")

    def describe(self) -> str:
        order = (API_KEY_READ, "GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem")
        names = sorted(self.calls, key=lambda n: (order.index(n) if n in order else len(order), n))
        return " + ".join(f"{self.calls[n] / self.rows:g} {n}" for n in names) or "none"


@dataclass(frozen=True)
class IngestResult:
    concurrency: int
    runs: list[Run]
    replay: Run
    trips: list[TripCount]

    @property
    def rows(self) -> int:
        return sum(run.rows for run in self.runs)

    @property
    def rows_per_second(self) -> float:
        seconds = sum(run.seconds for run in self.runs)
        return self.rows / seconds if seconds > 0 else float("nan")

    def trip(self, label: str) -> TripCount | None:
        return next((t for t in self.trips if t.label == label), None)


def _item_count(api: LocalApi) -> int:
    """Items in the table (moto's DescribeTable counts them live)."""
    import boto3

    client = boto3.client(
        "dynamodb",
        endpoint_url=api.dynamodb_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - moto's dummy
    )
    return int(client.describe_table(TableName=api.table_name)["Table"]["ItemCount"])


class Recorder:
    """moto's request recorder on the local DynamoDB endpoint."""

    def __init__(self, endpoint: str) -> None:
        self.base = f"{endpoint}/moto-api/recorder"

    def _post(self, action: str) -> None:
        httpx.post(f"{self.base}/{action}", timeout=30).raise_for_status()

    @contextlib.contextmanager
    def recording(self) -> Iterator[Counter[str]]:
        """Count the requests made inside the block, by operation (filled on exit)."""
        calls: Counter[str] = Counter()
        self._post("reset-recording")
        self._post("start-recording")
        try:
            yield calls
        finally:
            self._post("stop-recording")
        text = httpx.get(f"{self.base}/download-recording", timeout=60).text
        for line in text.splitlines():
            if line.strip():
                calls[operation(json.loads(line))] += 1
        self._post("reset-recording")


def operation(entry: dict[str, Any]) -> str:
    """The DynamoDB operation of one recorded request; an API key read is told apart."""
    headers = {name.lower(): value for name, value in (entry.get("headers") or {}).items()}
    name = str(headers.get("x-amz-target", "?")).rpartition(".")[2]
    if name == "GetItem":
        body = entry.get("body") or "{}"
        if entry.get("body_encoded"):
            import base64

            body = base64.b64decode(body).decode("utf-8", errors="replace")
        try:
            sort_key = json.loads(body)["Key"]["SK"]["S"]
        except (ValueError, KeyError, TypeError):
            sort_key = ""
        if str(sort_key).startswith("APIKEY#"):
            return API_KEY_READ
    return name


# -- the command --------------------------------------------------------------------------


def _partner() -> list[str]:
    script = Path(sys.executable).parent / "partner"
    return [str(script)] if script.exists() else [sys.executable, "-m", "partner_sdk.cli"]


def run_ingest(api: LocalApi, path: Path, concurrency: int) -> dict[str, Any]:
    """`partner ingest bank-accounts PATH --json`; its summary."""
    env = serve_environment({"PARTNER_API_CREDENTIALS": str(api.credentials)})
    done = subprocess.run(
        [*_partner(), "ingest", "bank-accounts", str(path), "--json", "--concurrency", str(concurrency)],
        capture_output=True,
        text=True,
        env=env,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    if not done.stdout.strip():
        raise RuntimeError(
            f"partner ingest printed no summary (exit {done.returncode}):\n{done.stderr[-2000:]}"
        )
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


def write_rows(
    path: Path,
    prefix: str,
    start: int,
    count: int,
    *,
    every_reference: int = 2,
    currency: str = "USD",
    client: str = "",
) -> Path:
    """`count` bank-account rows; every `every_reference`-th has a referenceId (0: none);
    each names `client` (a customer id), if given."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("accountNumber,referenceId,currency,countries,clients,customFields.source\n")
        for i in range(start, start + count):
            with_reference = every_reference and i % every_reference == 0
            reference = f"{prefix}-ref-{i}" if with_reference else ""
            countries = "USA;MEX" if i % 3 == 0 else ""
            handle.write(f"{prefix}-{i:07d},{reference},{currency},{countries},{client},bench\n")
    return path


def _customer(api: LocalApi) -> str:
    """A new customer of the sandbox partner (rows may name any customer of the tenant)."""
    from partner_sdk.client import PartnerClient
    from partner_sdk.credentials import credentials_from_file

    with PartnerClient(credentials_from_file(api.credentials)) as client:
        return str(client.customers.create(externalId=f"bench-{time.time_ns()}")["id"])


def _run(label: str, api: LocalApi, path: Path, concurrency: int) -> Run:
    before = _item_count(api)
    summary = run_ingest(api, path, concurrency)
    counts = {kind: int(summary.get(kind, 0)) for kind in OUTCOMES}
    return Run(label, int(summary["rows"]), float(summary["seconds"]), counts, before)


def _slices(rows: int, slices: int) -> list[tuple[int, int]]:
    size, extra = divmod(rows, slices)
    out, start = [], 0
    for k in range(slices):
        count = size + (1 if k < extra else 0)
        if count:
            out.append((start, count))
        start += count
    return out


def measure(rows: int = 100, concurrency: int = 8, *, slices: int = 4, trip_rows: int = 10) -> IngestResult:
    """Count round trips over `trip_rows` rows of each kind, then ingest `rows` bank accounts
    in `slices` runs at `concurrency` and replay the first slice."""
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp, local_api(Path(tmp)) as api:
        work = Path(tmp)
        recorder = Recorder(api.dynamodb_endpoint)
        customer = _customer(api)
        kinds = [
            (
                "create (no referenceId)",
                write_rows(work / "t1.csv", "plain", 0, trip_rows, every_reference=0),
            ),
            (
                "create naming a customer",
                write_rows(work / "t0.csv", "named", 0, trip_rows, every_reference=0, client=customer),
            ),
            (
                "upsert, new referenceId (201)",
                write_rows(work / "t2.csv", "upsert", 0, trip_rows, every_reference=1),
            ),
            (
                "upsert, same referenceId (200)",
                write_rows(work / "t3.csv", "upsert", 0, trip_rows, every_reference=1, currency="EUR"),
            ),
            (REPLAY, work / "t3.csv"),
        ]
        trips = []
        for label, path in kinds:
            with recorder.recording() as calls:
                summary = run_ingest(api, path, 1)
            counts = {kind: int(summary.get(kind, 0)) for kind in OUTCOMES}
            trips.append(TripCount(label, int(summary["rows"]), dict(calls), counts))

        runs: list[Run] = []
        for k, (start, count) in enumerate(_slices(rows, slices)):
            path = write_rows(work / f"slice{k}.csv", "bench", start, count)
            runs.append(_run(f"rows {start + 1}-{start + count}", api, path, concurrency))
        replay = _run(f"{runs[0].label} again", api, work / "slice0.csv", concurrency)
    return IngestResult(concurrency, runs, replay, trips)


# -- report --------------------------------------------------------------------------------


def _outcomes(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in counts.items() if n) or "none"


def tables(result: IngestResult) -> list[RenderableType]:
    throughput = Table(
        title=f"partner ingest bank-accounts against the local API ({result.concurrency} in flight)",
        caption=(
            "One command run per slice, half the rows with a referenceId (upserts). Items: what the "
            "table held before the run (a write's cost should not grow with it)."
        ),
    )
    for column in ("run", "items before", "rows", "seconds", "rows/s", "outcomes"):
        throughput.add_column(column, justify="left" if column in ("run", "outcomes") else "right")
    for run in [*result.runs, result.replay]:
        throughput.add_row(
            run.label,
            f"{run.items_before:,}",
            f"{run.rows:,}",
            fmt(run.seconds, 1),
            fmt(run.rows_per_second, 1),
            _outcomes(run.counts),
        )
    trips = Table(
        title="DynamoDB round trips per row (moto's request recorder on the local endpoint, 1 in flight)",
        caption=f"Target for a write (bench/README.md, warm): <= {WRITE_TARGET}.",
    )
    for column in ("rows sent as", "rows", "per row", "by operation (per row)", "outcomes"):
        trips.add_column(column, justify="right" if column in ("rows", "per row") else "left")
    for trip in result.trips:
        trips.add_row(
            trip.label, str(trip.rows), fmt(trip.per_row, 2), trip.describe(), _outcomes(trip.counts)
        )
    return [throughput, trips]


def summary(result: IngestResult) -> list[SummaryRow]:
    rows = [
        SummaryRow(
            f"ingest rows/s ({result.rows:,} bank accounts, {result.concurrency} in flight)",
            fmt(result.rows_per_second, 1),
            "",
            None,
        ),
        SummaryRow("ingest rows/s, replayed rows", fmt(result.replay.rows_per_second, 1), "", None),
    ]
    for label in ("upsert, new referenceId (201)", "upsert, same referenceId (200)"):
        trip = result.trip(label)
        if trip is not None:
            rows.append(
                SummaryRow(
                    f"round trips per {label}",
                    fmt(trip.per_row, 2),
                    f"<= {WRITE_TARGET} (a write's)",
                    trip.per_row <= WRITE_TARGET,
                )
            )
    replay = result.trip(REPLAY)
    if replay is not None:
        rows.append(SummaryRow("round trips per replayed row", fmt(replay.per_row, 2), "", None))
    return rows


__all__ = ["IngestResult", "Run", "TripCount", "measure", "summary", "tables"]
