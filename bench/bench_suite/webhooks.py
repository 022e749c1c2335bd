"""Webhook delivery through the local API: deliveries per second through the local
dispatcher and worker, and the time from a change's commit to its delivery at a local
receiver, with and without a second endpoint that never answers (every attempt there
waits out the 10 s timeout).

The local API runs as a developer runs it (`localapi serve`, its pollers on moto's stream
and queue); the changes are customer creations by the partner SDK, `concurrency` in
flight; "commit" is the moment the create's answer arrived (the transaction committed just
before). The healthy receiver verifies nothing (the tests do): it records when each event
arrived. This is the emulator on this machine, not AWS (the stream is polled every 50 ms,
the workers are threads of one process): compare the two runs with each other.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from rich.console import RenderableType
from rich.table import Table

from bench_suite import Stats, SummaryRow, fmt
from bench_suite.local_api import local_api
from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file

# The healthy endpoint's p99 with the timing-out endpoint beside it, against without.
TARGET_P99_RATIO = 1.10
WAIT_SECONDS = 120.0


class _Arrivals:
    def __init__(self) -> None:
        self.at: dict[str, float] = {}  # customer id -> arrival time
        self.lock = threading.Lock()


def _healthy_receiver(arrivals: _Arrivals) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            now = time.perf_counter()
            event = json.loads(body)
            if event.get("type") == "customer.created":
                with arrivals.lock:
                    arrivals.at.setdefault(event["data"]["object"]["id"], now)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _Silent:
    """Accepts connections and never answers: every attempt waits out its timeout."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.held: list[socket.socket] = []
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    def _accept(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.stop = True
        self.sock.close()
        for conn in self.held:
            conn.close()


@dataclass
class Run:
    name: str
    events: int
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0
    missing: int = 0

    @property
    def stats(self) -> Stats:
        return Stats.of(self.latencies_ms)

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds > 0 else float("nan")


@dataclass
class WebhooksResult:
    runs: list[Run]
    concurrency: int
    load: str

    @property
    def p99_ratio(self) -> float:
        _, alone, beside = self.runs
        return beside.stats.p99 / alone.stats.p99 if alone.stats.p99 else float("nan")


def _run(
    client: PartnerClient, name: str, events: int, concurrency: int, arrivals: _Arrivals, rate: float | None
) -> Run:
    """`events` creations, `concurrency` in flight, started at `rate` a second (None: as
    fast as they go), and when each one's event arrived."""
    run = Run(name, events)
    committed: dict[str, float] = {}
    tag = f"webhooks-{time.time_ns()}"
    started = time.perf_counter()

    def create(n: int) -> None:
        if rate is not None:
            time.sleep(max(0.0, started + n / rate - time.perf_counter()))
        body = {"type": "individual", "name": "Bench", "externalId": f"{tag}-{n}", "country": "GB"}
        customer = client.post("/v1/customers", body).json()
        committed[customer["id"]] = time.perf_counter()

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(create, range(events)))
    deadline = time.perf_counter() + WAIT_SECONDS
    while time.perf_counter() < deadline:
        with arrivals.lock:
            if all(cid in arrivals.at for cid in committed):
                break
        time.sleep(0.05)
    with arrivals.lock:
        arrived = {cid: arrivals.at[cid] for cid in committed if cid in arrivals.at}
    run.missing = len(committed) - len(arrived)
    run.latencies_ms = [(arrived[cid] - committed[cid]) * 1000 for cid in arrived]
    run.seconds = (max(arrived.values()) - started) if arrived else 0.0
    return run


def measure(events: int = 200, concurrency: int = 4, rate: float = 2.0) -> WebhooksResult:
    """A burst of `events` (deliveries per second), then `events` / 4 at `rate` a second
    to the healthy endpoint alone and again beside the silent one (latency below the
    emulator's capacity, where a slow endpoint's share shows, not a backlog's)."""
    arrivals = _Arrivals()
    healthy = _healthy_receiver(arrivals)
    silent = _Silent()
    try:
        with (
            tempfile.TemporaryDirectory(prefix="bench-webhooks-") as workdir,
            local_api(Path(workdir)) as api,
        ):
            client = PartnerClient(credentials_from_file(api.credentials), max_retries=0)
            url = f"http://127.0.0.1:{healthy.server_address[1]}/hooks"
            client.post("/v1/webhook-endpoints", {"url": url, "events": ["customer.created"]})
            burst = _run(client, "alone, a burst", events, concurrency, arrivals, None)
            paced = max(1, events // 4)
            alone = _run(client, f"alone, {rate:g}/s", paced, concurrency, arrivals, rate)
            client.post(
                "/v1/webhook-endpoints",
                {"url": f"http://127.0.0.1:{silent.port}/never", "events": ["customer.created"]},
            )
            beside = _run(
                client, f"beside one that times out, {rate:g}/s", paced, concurrency, arrivals, rate
            )
            client.close()
    finally:
        healthy.shutdown()
        silent.close()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    return WebhooksResult([burst, alone, beside], concurrency, load)


def tables(result: WebhooksResult) -> list[RenderableType]:
    table = Table(
        title=(
            "Commit to delivery through the local dispatcher and worker "
            f"({result.concurrency} creates in flight)"
        ),
        caption=(
            "The local emulator on this machine, not AWS: the stream polled every 50 ms, the workers "
            f"threads of one process. p99 ratio (beside / alone) {fmt(result.p99_ratio, 2)}, target "
            f"<= {TARGET_P99_RATIO:.2f}; load average at the end {result.load}."
        ),
    )
    for column in ("healthy endpoint", "events", "deliveries/s", "p50 ms", "p90 ms", "p99 ms", "missing"):
        table.add_column(column, justify="left" if column == "healthy endpoint" else "right")
    for run in result.runs:
        stats = run.stats
        table.add_row(
            run.name,
            str(run.events),
            fmt(run.per_second, 1),
            fmt(stats.p50, 1),
            fmt(stats.p90, 1),
            fmt(stats.p99, 1),
            str(run.missing),
        )
    return [table]


def summary(result: WebhooksResult) -> list[SummaryRow]:
    burst, alone, beside = result.runs
    return [
        SummaryRow(
            "webhooks: deliveries/s (a burst); commit to delivery at a steady rate",
            f"{fmt(burst.per_second, 1)}/s; p50 {fmt(alone.stats.p50, 1)} ms, "
            f"p99 {fmt(alone.stats.p99, 1)} ms",
            "",
            None,
        ),
        SummaryRow(
            "webhooks: healthy p99 beside a timing-out endpoint / alone",
            f"{fmt(result.p99_ratio, 2)}x (p99 {fmt(beside.stats.p99, 1)} ms, {beside.missing} missing)",
            f"<= {TARGET_P99_RATIO:.2f}x",
            result.p99_ratio <= TARGET_P99_RATIO and beside.missing == 0 and alone.missing == 0,
        ),
    ]
