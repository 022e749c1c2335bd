"""`partner ingest` over real HTTP against the local API, in a subprocess as a partner runs it:
a bank-account file killed with SIGKILL halfway, rerun to completion (exactly one record per
row), run a third time (nothing created); and a wallet file with one bad row.

The bank-account file has `INGEST_E2E_ROWS` rows (default `DEFAULT_ROWS`, 1,000, about
70 s; sent `INGEST_E2E_CONCURRENCY` at a time, default 4). The acceptance's 10,000 rows is
`make ingest-10k`: it passes in about 10 minutes on this 2-core machine (the first run killed
at 5,000 rows after 130 s, the rerun 190 s, the first listings 103 s, the third run 82 s,
the last listing about 65 s), which is the whole suite's budget, so CI runs 1,000.
The local API no longer slows as its table grows (moto's TransactWriteItems copied the whole
table per item; `localapi.dynamodb` journals only the items a transaction writes): what is
left is moto's CPU per request, about 20-25 ms of server CPU per created row and 7 per
replayed one, and its Query, which reads the whole table for each page (0.3 s per page of
100 records at 60,000 items). The server's memory grows by about 50 KB per row, mostly the
stream records moto keeps (630 MB after the 10,000-row test). The test runs on a local API
of its own, started as conftest.py starts the session's, so the session's server (which the
other e2e tests share) stays small; the wallet test uses the session's `local_api`.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from localapi.process import NotReady, serve_command, serve_environment, stop, wait_ready
from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ROWS = 1000
ROWS = int(os.environ.get("INGEST_E2E_ROWS", DEFAULT_ROWS))
CONCURRENCY = os.environ.get("INGEST_E2E_CONCURRENCY", "4")
RUN_TIMEOUT = float(os.environ.get("INGEST_E2E_TIMEOUT", 600))
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 120.0
PROGRESS = re.compile(r"^progress: (\d+)/(\d+) rows, .* failed (\d+)\)")


@pytest.fixture(scope="module")
def own_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(base URL, credentials file) of a `localapi serve` for this module alone, started as
    conftest.py starts the session's."""
    workdir = tmp_path_factory.mktemp("ingest-localapi")
    credentials, output = workdir / "sandbox.json", workdir / "output.txt"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            serve_command(credentials), cwd=ROOT, env=serve_environment(), stdout=sink, stderr=sink
        )
    try:
        try:
            base_url = wait_ready(process, output, READY_TIMEOUT)
        except NotReady as exc:
            pytest.fail(f"localapi serve {exc}:\n{output.read_text(errors='replace')}")
        yield base_url, credentials
    finally:
        stop(process, STOP_TIMEOUT)  # a big table takes a few seconds to free


def client_for(server: tuple[str, Path]) -> PartnerClient:
    return PartnerClient(credentials_from_file(server[1]))


def approve(server: tuple[str, Path], customer_id: str) -> None:
    """What the sandbox KYC page sends when a person approves: a signed callback."""
    from core.customers import kyc  # the server's own format; the test runs beside the server

    creds = json.loads(server[1].read_text())
    now = int(time.time())
    body = kyc.callback_body(
        event_id=f"kyce_{uuid.uuid4().hex}",
        tenant_id=creds["tenantId"],
        customer_id=customer_id,
        decision="approved",
        reason=None,
        occurred_at=now,
    )
    headers = {
        "Content-Type": "application/json",
        kyc.SIGNATURE_HEADER: kyc.sign_callback(body, now, secret=creds["kycSandboxSecret"]),
    }
    answer = httpx.post(kyc.callback_url(server[0]), content=body, headers=headers)
    assert answer.status_code == 200, answer.text


def active_customers(server: tuple[str, Path], count: int) -> list[str]:
    """`count` customers made active through the sandbox KYC callback, for rows' `clients`."""
    ids = []
    with client_for(server) as api:
        for _ in range(count):
            customer = api.customers.create(externalId=f"ingest-{uuid.uuid4().hex[:12]}")
            approve(server, customer["id"])
            assert api.customers.get(customer["id"])["status"] == "active"
            ids.append(customer["id"])
    return ids


def partner(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "partner"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "partner_sdk.cli"]
    return [*command, *args]


def environment(server: tuple[str, Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNER_")}
    env["PARTNER_API_CREDENTIALS"] = str(server[1])
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "sdk"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def ingest(server: tuple[str, Path], *args: str) -> tuple[int, dict[str, Any], str]:
    """Run `partner ingest ... --json` to the end: (exit code, summary, stderr)."""
    done = subprocess.run(
        partner("ingest", *args, "--json"),
        capture_output=True,
        text=True,
        env=environment(server),
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout), done.stderr


def ingest_until_killed(server: tuple[str, Path], path: Path, rows_done: int) -> tuple[int, int]:
    """Start `partner ingest bank-accounts`, SIGKILL it once its progress shows `rows_done`
    rows answered; returns (rows answered, rows failed) as it last reported them."""
    process = subprocess.Popen(
        partner(
            "ingest", "bank-accounts", str(path), "--concurrency", CONCURRENCY, "--progress-every", "0.1"
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(server),
    )
    assert process.stderr is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline, seen, failed, tail = time.monotonic() + RUN_TIMEOUT, 0, 0, list[str]()
    try:
        while seen < rows_done:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                pytest.fail(f"ingest ended (exit {process.wait()}) before {rows_done} rows:\n{''.join(tail)}")
            tail = [*tail[-20:], line]
            match = PROGRESS.match(line)
            if match:
                seen, failed = int(match.group(1)), int(match.group(3))
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return seen, failed


def bank_account_file(path: Path, prefix: str, rows: int, clients: list[str]) -> Path:
    """`rows` bank accounts: every other one with a referenceId, every fifth naming one or
    two customers, some with countries and a custom field."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("accountNumber,referenceId,currency,countries,clients,customFields.batch\n")
        for i in range(rows):
            reference = f"{prefix}-ref-{i}" if i % 2 == 0 else ""
            countries = "USA;MEX" if i % 3 == 0 else ""
            named = ";".join(clients[: 1 + (i // 5) % 2]) if i % 5 == 0 else ""
            handle.write(f"{prefix}-{i:06d},{reference},USD,{countries},{named},{prefix}\n")
    return path


def mine(api: PartnerClient, prefix: str, **filters: str) -> list[dict[str, Any]]:
    return [
        account
        for account in api.iterate("/v1/bank-accounts", {"limit": 100, **filters})
        if account["accountNumber"].startswith(f"{prefix}-")
    ]


def test_a_killed_ingest_rerun_makes_exactly_one_record_per_row(
    own_api: tuple[str, Path], tmp_path: Path
) -> None:
    customers = active_customers(own_api, 2)
    prefix = f"e2e{uuid.uuid4().hex[:8]}"
    path = bank_account_file(tmp_path / "accounts.csv", prefix, ROWS, customers)
    started = time.monotonic()

    killed_at, failed_before = ingest_until_killed(own_api, path, ROWS // 2)
    assert ROWS // 2 <= killed_at < ROWS
    first = time.monotonic()

    code, rerun, stderr = ingest(own_api, "bank-accounts", str(path), "--concurrency", CONCURRENCY)
    assert code == 0, (rerun, stderr)
    assert (rerun["rows"], rerun["rejected"], rerun["failed"], rerun["updated"]) == (ROWS, 0, 0, 0)
    # What the killed run had done is replayed, not redone (a 5xx is not stored: it runs again).
    assert rerun["replayed"] >= killed_at - failed_before
    assert rerun["created"] + rerun["replayed"] == ROWS
    second = time.monotonic()

    with client_for(own_api) as api:
        accounts = mine(api, prefix)
        named = [len(mine(api, prefix, clientId=customer)) for customer in customers]
    assert len(accounts) == ROWS
    assert len({account["accountNumber"] for account in accounts}) == ROWS
    listed = time.monotonic()
    by_number = {account["accountNumber"]: account for account in accounts}
    sample = by_number[f"{prefix}-000010"]
    assert (sample["referenceId"], sample["countries"], sample["customFields"]) == (
        f"{prefix}-ref-10",
        None,
        {"batch": prefix},
    )
    assert by_number[f"{prefix}-000003"]["countries"] == ["USA", "MEX"]
    named_first = sum(1 for i in range(ROWS) if i % 5 == 0)
    named_second = sum(1 for i in range(ROWS) if i % 5 == 0 and (i // 5) % 2 == 1)
    assert named == [named_first, named_second]

    code, third, stderr = ingest(own_api, "bank-accounts", str(path), "--concurrency", CONCURRENCY)
    assert code == 0, (third, stderr)
    assert (third["created"], third["rejected"], third["failed"]) == (0, 0, 0)
    assert third["replayed"] + third["updated"] == ROWS
    with client_for(own_api) as api:
        assert len(mine(api, prefix)) == ROWS
    print(
        f"\ningest e2e, {ROWS} rows: killed at {killed_at} after {first - started:.1f} s; "
        f"rerun {rerun['seconds']:.1f} s ({rerun['rowsPerSecond']} rows/s, created {rerun['created']}, "
        f"replayed {rerun['replayed']}); listing {listed - second:.1f} s; third run {third['seconds']:.1f} s "
        f"({third['rowsPerSecond']} rows/s); total {time.monotonic() - started:.1f} s"
    )


def test_a_wallet_file_with_one_bad_row_exits_1_with_one_report_line(
    local_api: tuple[str, Path], tmp_path: Path
) -> None:
    (customer,) = active_customers(local_api, 1)
    tag = uuid.uuid4().hex[:8]
    rows: list[dict[str, Any]] = [
        {"address": "0x" + uuid.uuid4().hex + tag, "chain": "ethereum", "referenceId": f"w-{tag}-{i}"}
        for i in range(4)
    ]
    rows[0]["clients"] = customer
    rows[1]["riskHistory"] = [
        {"score": 12, "level": "LOW", "source": "e2e", "assessedAt": "2026-01-02T03:04:05Z"}
    ]
    rows.insert(2, {"address": "0xshort", "chain": "ethereum"})  # 26-100 characters
    path = tmp_path / "wallets.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")

    code, summary, stderr = ingest(local_api, "blockchain-wallets", str(path), "--concurrency", "2")
    assert code == 1, (summary, stderr)
    assert (summary["rows"], summary["created"], summary["rejected"], summary["failed"]) == (5, 4, 1, 0)
    (line,) = [json.loads(text) for text in Path(f"{path}.report.jsonl").read_text().splitlines()]
    assert (line["row"], line["status"], line["error"]["param"]) == (3, 400, "address")
    assert line["record"] == {"address": "0xshort", "chain": "ethereum"}

    with client_for(local_api) as api:
        wallets = api.get("/v1/blockchain-wallets", params={"referenceId": f"w-{tag}-0"}).json()["data"]
        linked = api.get("/v1/blockchain-wallets", params={"clientId": customer, "limit": 100}).json()
    assert [w["address"].lower() for w in wallets] == [rows[0]["address"]]
    assert wallets[0]["id"] in [w["id"] for w in linked["data"]]
