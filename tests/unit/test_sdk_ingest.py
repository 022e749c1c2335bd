"""`partner ingest` and `partner_sdk.ingest` against httpx.MockTransport: parsing CSV and
JSON Lines, the upsert query, idempotency keys, bounded concurrency, retries, the report
and the summary."""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner

from partner_sdk import Credentials, PartnerClient
from partner_sdk import ingest as bulk
from partner_sdk.cli import app

CREDENTIALS = Credentials(base_url="https://api.example.test", api_key="sk_test", scheme="none")
KEY_PATTERN = re.compile(r"^ingest-[0-9a-f]{24}-\d+$")
runner = CliRunner()
Handler = Callable[[httpx.Request], httpx.Response]


class Api:
    """A mock API: answers with `handler` (default: 201 echoing the body), records every
    request, thread-safely (the ingest sends from a pool of threads)."""

    def __init__(self, handler: Handler | None = None) -> None:
        self.handler = handler or created
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def _transport(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
        return self.handler(request)

    def client(self, scheme: str | None = None) -> PartnerClient:
        http = httpx.Client(transport=httpx.MockTransport(self._transport))
        return PartnerClient(CREDENTIALS, http=http, scheme=scheme, sleep=self.sleeps.append)

    def cli(self, *args: str) -> Any:
        return runner.invoke(app, list(args), obj={"client_factory": self.client})

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in sorted(self.requests, key=row_of)]

    def idempotency_keys(self) -> list[str]:
        return [r.headers["Idempotency-Key"] for r in sorted(self.requests, key=row_of)]


def row_of(request: httpx.Request) -> int:
    return int(request.headers["Idempotency-Key"].rsplit("-", 1)[1])


def created(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"id": "ba_1", **json.loads(request.content)})


def error(status: int, code: str, type_: str = "invalid_request_error", **headers: str) -> httpx.Response:
    body = {"error": {"type": type_, "code": code, "message": f"{code}!", "requestId": "req_e"}}
    return httpx.Response(status, json=body, headers=headers)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def rows(path: Path) -> list[bulk.Row]:
    with path.open("rb") as handle:
        return list(bulk.read_rows(handle, bulk.file_kind(path)))


def report(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# -- parsing ------------------------------------------------------------------------------


def test_csv_rows_become_bodies_with_lists_custom_fields_clients_and_json(tmp_path: Path) -> None:
    risk = json.dumps([{"score": 10, "level": "LOW", "source": "x", "assessedAt": "2026-01-01T00:00:00Z"}])
    csv_risk = risk.replace('"', '""')
    text = (
        "\ufeffaccountNumber,referenceId,currency,countries,clients,customFields.branch,riskHistory,status\n"
        f'ACC-1,ref-1,USD,USA; MEX ;,cus_1;cus_2,north,"{csv_risk}",ACTIVE\n'
        "ACC-2,,,,,,,\n"  # empty cells are left out
        ",,,,,,,\n"  # a row of empty cells is skipped (its number is still used)
        "\n"
        " ACC-4 ,,EUR,,cus_3,,,\n"
    )
    parsed = rows(write(tmp_path, "accounts.csv", text))
    assert [(r.number, r.line, r.error) for r in parsed] == [(1, 2, None), (2, 3, None), (4, 6, None)]
    assert parsed[0].body == {
        "accountNumber": "ACC-1",
        "referenceId": "ref-1",
        "currency": "USD",
        "countries": ["USA", "MEX"],
        "customFields": {"branch": "north"},
        "riskHistory": json.loads(risk),
        "status": "ACTIVE",
        "associatedClients": ["cus_1", "cus_2"],
    }
    assert parsed[1].body == {"accountNumber": "ACC-2"}
    assert parsed[2].body == {"accountNumber": "ACC-4", "currency": "EUR", "associatedClients": ["cus_3"]}
    assert parsed[0].source["clients"] == "cus_1;cus_2"  # the report shows the row as written


def test_a_customfields_json_column_merges_with_customfields_key_columns() -> None:
    body = bulk.csv_body({"address": "0xabc", "customFields": '{"a": "1", "b": null}', "customFields.c": "3"})
    assert body == {"address": "0xabc", "customFields": {"a": "1", "b": None, "c": "3"}}
    integrations = bulk.csv_body({"integrations": '{"chainalysis": {"id": "x"}}'})
    assert integrations == {"integrations": {"chainalysis": {"id": "x"}}}


def test_bad_csv_rows_are_local_errors_and_the_reading_goes_on(tmp_path: Path) -> None:
    text = (
        b"accountNumber,riskHistory,clients\n"
        b'A1,"oops"x,\n'  # not CSV
        b"A2,[not json,\n"
        b"A3,,,extra\n"  # more cells than the header
        b"A4\xff,,\n"  # not UTF-8
        b"A5,,\n"
        b'A6,,"cus_1"\n'
    )
    parsed = rows(write(tmp_path, "bad.csv", text))
    assert [r.number for r in parsed] == [1, 2, 3, 4, 5, 6]
    assert [r.error.code if r.error else None for r in parsed] == [
        "csv_invalid",
        "json_invalid",
        "csv_invalid",
        "encoding_invalid",
        None,
        None,
    ]
    assert parsed[1].error is not None and parsed[1].error.param == "riskHistory"
    assert all(r.error.type == "invalid_row" for r in parsed[:4] if r.error)
    assert parsed[4].body == {"accountNumber": "A5"}
    assert parsed[5].body == {"accountNumber": "A6", "associatedClients": ["cus_1"]}


@pytest.mark.parametrize(
    "header", ["accountNumber,,currency\n", "accountNumber,currency,accountNumber\n", 'a,"b\n']
)
def test_an_unusable_csv_header_is_a_file_error(tmp_path: Path, header: str) -> None:
    with pytest.raises(bulk.IngestFileError):
        rows(write(tmp_path, "header.csv", header + "x,y,z\n"))


def test_json_lines_rows_are_the_bodies(tmp_path: Path) -> None:
    lines = [
        json.dumps({"address": "0x" + "a" * 40, "chain": "ethereum", "clients": ["cus_1"]}),
        "",
        json.dumps({"address": "bc1" + "q" * 30, "clients": "cus_1; cus_2"}),
        "[1, 2]",
        "{not json",
        json.dumps({"address": "x" * 30, "clients": ["a"], "associatedClients": ["b"]}),
    ]
    parsed = rows(write(tmp_path, "wallets.jsonl", "\n".join(lines) + "\n"))
    assert [r.number for r in parsed] == [1, 3, 4, 5, 6]
    assert parsed[0].body == {"address": "0x" + "a" * 40, "chain": "ethereum", "associatedClients": ["cus_1"]}
    assert parsed[1].body == {"address": "bc1" + "q" * 30, "associatedClients": ["cus_1", "cus_2"]}
    assert [r.error.code for r in parsed[2:] if r.error] == [
        "not_an_object",
        "json_invalid",
        "column_invalid",
    ]
    assert parsed[2].source == [1, 2] and parsed[3].source == "{not json"


def test_the_file_kind_comes_from_the_suffix(tmp_path: Path) -> None:
    assert bulk.file_kind(Path("a.CSV")) == "csv"
    assert bulk.file_kind(Path("a.ndjson")) == bulk.file_kind(Path("a.jsonl")) == "jsonl"
    with pytest.raises(bulk.IngestFileError, match="unknown file kind"):
        bulk.file_kind(Path("a.xlsx"))
    result = Api().cli("ingest", "bank-accounts", str(write(tmp_path, "a.txt", "x")))
    assert result.exit_code == 2


# -- sending --------------------------------------------------------------------------------


def test_only_rows_with_a_reference_id_are_upserts(tmp_path: Path) -> None:
    api = Api()
    path = write(tmp_path, "a.csv", "accountNumber,referenceId\nA1,r1\nA2,\nA3,r3\n")
    summary = bulk.ingest(api.client(), "bank-accounts", path)
    assert summary.created == 3 and summary.ok
    urls = {json.loads(r.content)["accountNumber"]: r.url for r in api.requests}
    assert urls["A1"].params.get("upsert") == "true" and urls["A3"].params.get("upsert") == "true"
    assert urls["A2"].query == b""
    assert {str(u.copy_with(query=None)) for u in urls.values()} == {
        "https://api.example.test/v1/bank-accounts"
    }


def test_idempotency_keys_are_stable_for_a_file_and_differ_between_files(tmp_path: Path) -> None:
    text = "accountNumber\nA1\nA2\n"
    first, again, other = Api(), Api(), Api()
    path = write(tmp_path, "a.csv", text)
    bulk.ingest(first.client(), "bank-accounts", path)
    bulk.ingest(again.client(), "bank-accounts", write(tmp_path, "copy.csv", text))  # same bytes
    bulk.ingest(other.client(), "bank-accounts", write(tmp_path, "b.csv", text + "A3\n"))
    assert all(KEY_PATTERN.match(key) for key in first.idempotency_keys())
    assert first.idempotency_keys() == again.idempotency_keys()
    assert [key.rsplit("-", 1)[1] for key in first.idempotency_keys()] == ["1", "2"]
    digest, lines = bulk.file_digest(path)
    assert first.idempotency_keys()[0] == f"ingest-{digest}-1" and lines == 3
    assert not set(first.idempotency_keys()) & set(other.idempotency_keys())


def test_the_number_of_requests_in_flight_is_bounded(tmp_path: Path) -> None:
    concurrency = 4
    lock, full = threading.Lock(), threading.Event()
    in_flight = max_in_flight = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, max_in_flight
        with lock:
            in_flight += 1
            max_in_flight = max(max_in_flight, in_flight)
            if in_flight >= concurrency:
                full.set()
        full.wait(2)  # hold the first ones until the pool is full
        with lock:
            in_flight -= 1
        return created(request)

    api = Api(handler)
    path = write(
        tmp_path, "many.jsonl", "".join(json.dumps({"accountNumber": f"A{i}"}) + "\n" for i in range(60))
    )
    summary = bulk.ingest(api.client(), "bank-accounts", path, concurrency=concurrency)
    assert summary.created == 60 and len(api.requests) == 60
    assert max_in_flight == concurrency


def test_429_5xx_and_in_flight_409_are_retried_with_the_same_key(tmp_path: Path) -> None:
    answers = iter(
        [
            error(503, "unavailable", "api_error"),
            error(429, "too_many_requests", "rate_limit_error"),
            error(409, "idempotency_key_in_flight", "idempotency_error", **{"Retry-After": "1"}),
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or created(request)

    api = Api(handler)
    path = write(tmp_path, "one.csv", "accountNumber\nA1\n")
    result = api.cli("ingest", "bank-accounts", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 1
    assert len(api.requests) == 4 and len(set(api.idempotency_keys())) == 1
    assert api.sleeps == [0.5, 1.0, 1.0]  # backoff, backoff, Retry-After


def test_the_cli_gives_each_row_five_retries_then_counts_it_failed(tmp_path: Path) -> None:
    api = Api(lambda request: error(503, "unavailable", "api_error"))
    path = write(tmp_path, "one.csv", "accountNumber\nA1\n")
    result = api.cli("ingest", "bank-accounts", str(path), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"] == 1
    assert len(api.requests) == 1 + bulk.MAX_RETRIES
    (line,) = report(Path(f"{path}.report.jsonl"))
    assert (line["status"], line["error"]["code"]) == (503, "unavailable")


def test_the_report_and_the_summary_count_every_outcome(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        number = json.loads(request.content)["accountNumber"]
        if number == "updated":
            return httpx.Response(200, json={"id": "ba_2"})
        if number == "replayed":
            return httpx.Response(201, json={"id": "ba_3"}, headers={"Idempotency-Replayed": "true"})
        if number == "unknown-client":
            body = {
                "error": {
                    "type": "invalid_request_error",
                    "code": "reference_invalid",
                    "param": "associatedClients",
                    "message": "no customer cus_9",
                    "requestId": "req_9",
                }
            }
            return httpx.Response(422, json=body)
        return created(request)

    api = Api(handler)
    text = (
        "accountNumber,referenceId,clients\n"
        "new,r1,\n"
        "updated,r2,\n"
        "replayed,,\n"
        "unknown-client,,cus_9\n"
        'broken,"x"y,\n'
    )
    path = write(tmp_path, "mixed.csv", text)
    report_path = tmp_path / "out" / "rejects.jsonl"
    report_path.parent.mkdir()
    result = api.cli("ingest", "bank-accounts", str(path), "--report", str(report_path), "--json")
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert {k: summary[k] for k in ("rows", "created", "updated", "replayed", "rejected", "failed")} == {
        "rows": 5,
        "created": 1,
        "updated": 1,
        "replayed": 1,
        "rejected": 2,
        "failed": 0,
    }
    assert summary["report"] == str(report_path) and summary["rowsPerSecond"] >= 0
    lines = sorted(report(report_path), key=lambda line: line["row"])
    assert lines[0] == {
        "row": 4,
        "line": 5,
        "status": 422,
        "error": {
            "type": "invalid_request_error",
            "code": "reference_invalid",
            "param": "associatedClients",
            "message": "no customer cus_9",
        },
        "requestId": "req_9",
        "replayed": False,
        "record": {"accountNumber": "unknown-client", "referenceId": "", "clients": "cus_9"},
    }
    assert (lines[1]["row"], lines[1]["status"], lines[1]["error"]["type"]) == (5, None, "invalid_row")
    assert lines[1]["record"] == 'broken,"x"y,\n'
    assert len(api.requests) == 4  # the broken row was never sent


def test_a_clean_run_exits_0_with_an_empty_default_report_and_a_table(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.jsonl", '{"accountNumber": "A1"}\n{"accountNumber": "A2"}\n')
    stale = Path(f"{path}.report.jsonl")
    stale.write_text("left over from an earlier run\n")
    result = Api().cli("ingest", "bank-accounts", str(path))
    assert result.exit_code == 0, result.output
    assert "created (201)" in result.stdout and "/v1/bank-accounts" in result.stdout
    assert stale.read_text() == ""


def test_wallets_go_to_their_own_collection(tmp_path: Path) -> None:
    api = Api()
    path = write(tmp_path, "w.csv", 'address,chain,integrations\n0xabc,ethereum,"{""a"": 1}"\n')
    result = api.cli("ingest", "blockchain-wallets", str(path), "--json", "--concurrency", "2")
    assert result.exit_code == 0, result.output
    (request,) = api.requests
    assert request.url.path == "/v1/blockchain-wallets"
    assert json.loads(request.content) == {"address": "0xabc", "chain": "ethereum", "integrations": {"a": 1}}


def test_bank_information_rows_are_never_upserts_and_201_200_count_created_updated(tmp_path: Path) -> None:
    user = "cus_01JABCDEFGHJKMNPQRSTVWXYZ0"
    seen: set[str] = set()

    def create_or_update(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        key = f"{body['userId']}#{body['country']}#{body['accountNumber']}"
        status = 200 if key in seen else 201
        seen.add(key)
        return httpx.Response(status, json={"id": "bi_1", "object": "bank_information", **body})

    api = Api(create_or_update)
    path = write(
        tmp_path,
        "bi.csv",
        "userId,country,accountNumber,accountType,supportedBankId,bankName,clabe,documentNumber,rampType,referenceId\n"
        f"{user},MX,0012345678,CHECKING,bank_mx_012,,012180012345678912,BOXW310820HNERXN09,OFF_RAMP,\n"
        f"{user},DO,0099,SAVINGS,,Banco Local,,001-1391820-5,ON_RAMP,r-2\n",
    )
    result = api.cli("ingest", "bank-information", str(path), "--json", "--concurrency", "1")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["resource"], summary["created"], summary["updated"]) == ("bank-information", 2, 0)
    assert {str(r.url) for r in api.requests} == {"https://api.example.test/v1/bank-information"}
    assert api.bodies() == [
        {
            "userId": user,
            "country": "MX",
            "accountNumber": "0012345678",  # text: leading zeros kept
            "accountType": "CHECKING",
            "supportedBankId": "bank_mx_012",
            "clabe": "012180012345678912",
            "documentNumber": "BOXW310820HNERXN09",
            "rampType": "OFF_RAMP",
        },
        # a referenceId is no match key here: sent as written (the API refuses the field), no query
        {
            "userId": user,
            "country": "DO",
            "accountNumber": "0099",
            "accountType": "SAVINGS",
            "bankName": "Banco Local",
            "documentNumber": "001-1391820-5",
            "rampType": "ON_RAMP",
            "referenceId": "r-2",
        },
    ]
    # The same records from another file (new Idempotency-Keys): the POST updates them.
    again = bulk.ingest(
        api.client(), "bank-information", write(tmp_path, "copy.csv", path.read_text() + "\n")
    )
    assert (again.created, again.updated, again.ok) == (0, 2, True)
    table = api.cli("ingest", "bank-information", str(path))
    assert table.exit_code == 0, table.output
    assert "/v1/bank-information" in table.stdout and "updated (200)" in table.stdout


def test_only_bank_information_goes_without_the_upsert_query() -> None:
    assert {name: r.upsert_by_reference for name, r in bulk.RESOURCES.items()} == {
        "bank-accounts": True,
        "blockchain-wallets": True,
        "bank-information": False,
    }
    assert bulk.RESOURCES["bank-information"].path == "/v1/bank-information"
    help_text = runner.invoke(app, ["ingest", "bank-information", "--help"], env={"COLUMNS": "80"}).stdout
    assert "no upsert query" in help_text and "(201)" in help_text and "(200)" in help_text


def test_an_authentication_error_stops_the_run(tmp_path: Path) -> None:
    api = Api(lambda request: error(401, "api_key_invalid", "authentication_error"))
    path = write(
        tmp_path, "a.jsonl", "".join(json.dumps({"accountNumber": f"A{i}"}) + "\n" for i in range(50))
    )
    with pytest.raises(bulk.IngestAborted) as caught:
        bulk.ingest(api.client(), "bank-accounts", path, concurrency=2)
    assert caught.value.error.code == "api_key_invalid"
    assert len(api.requests) < 50
    result = api.cli("ingest", "bank-accounts", str(path))
    assert result.exit_code == 1 and "refused" in result.stderr


def test_progress_is_a_plain_line_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    sink = io.StringIO()
    display = bulk.ProgressDisplay(Console(file=sink, width=200), "bank accounts", interval=0.0)
    path = write(tmp_path, "a.csv", "accountNumber\nA1\nA2\nA3\n")
    with display:
        bulk.ingest(Api().client(), "bank-accounts", path, progress=display)
    lines = sink.getvalue().splitlines()
    assert lines[0].startswith("progress: 0/3 rows")
    assert re.match(r"progress: 3/3 rows, [\d.]+ rows/s \(created 3, updated 0, replayed 0", lines[-1])


def test_the_progress_bar_on_a_terminal_ends_at_the_row_count(tmp_path: Path) -> None:
    sink = io.StringIO()
    console = Console(file=sink, width=200, force_terminal=True)
    path = write(tmp_path, "a.csv", "accountNumber\nA1\n\nA2\n")  # the blank line is in the estimate
    with bulk.ProgressDisplay(console, "bank accounts") as display:
        summary = bulk.ingest(Api().client(), "bank-accounts", path, progress=display)
    assert summary.estimated_rows == 3 and summary.rows == 2
    assert "2/2" in sink.getvalue()


# -- the benchmark's counting (bench/bench_suite/ingest.py) ----------------------------------


def test_the_benchmark_counts_recorded_requests_by_operation_and_splits_rows() -> None:
    import base64

    from bench_suite import ingest as bench

    def entry(target: str, body: dict[str, Any], encoded: bool = False) -> dict[str, Any]:
        text = json.dumps(body)
        return {
            "headers": {"X-Amz-Target": f"DynamoDB_20120810.{target}"},
            "body": base64.b64encode(text.encode()).decode() if encoded else text,
            "body_encoded": encoded,
        }

    api_key = {"Key": {"PK": {"S": "TENANT#ptn_1"}, "SK": {"S": "APIKEY#abc"}}}
    record = {"Key": {"PK": {"S": "TENANT#ptn_1"}, "SK": {"S": "ba_1"}}}
    assert bench.operation(entry("GetItem", api_key, encoded=True)) == bench.API_KEY_READ
    assert bench.operation(entry("GetItem", record)) == "GetItem"
    assert bench.operation(entry("TransactWriteItems", {"TransactItems": []})) == "TransactWriteItems"
    trip = bench.TripCount("x", 4, {"PutItem": 4, "TransactWriteItems": 4, bench.API_KEY_READ: 1}, {})
    assert trip.per_row == 2.25
    assert trip.describe() == "0.25 GetItem (API key) + 1 PutItem + 1 TransactWriteItems"
    assert bench._slices(10, 4) == [(0, 3), (3, 3), (6, 2), (8, 2)]
