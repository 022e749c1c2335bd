"""Bulk ingestion: bank accounts, blockchain wallets and bank information from a CSV or
JSON Lines file.

One record per row, sent as one `POST /v1/bank-accounts` (or `/v1/blockchain-wallets`,
`/v1/bank-information`) each, a bounded number in flight at once. The file is streamed:
rows are read as requests free up, and an answer is reduced to its outcome at once (no
response body is kept).

Rows
  CSV (`.csv`): the header names the body's fields. `countries` and `clients` (or
  `associatedClients`) are `;`-separated lists; a `customFields.<key>` column becomes
  an entry of `customFields`; `riskHistory`, `integrations` and `customFields` cells
  hold JSON text; empty cells are left out, and a row whose cells are all empty is
  skipped. A row's number is its position after the header (the header is row 0).
  JSON Lines (`.jsonl`, `.ndjson`): each line is a body object; blank lines are skipped.
  A row's number is its line number. In both, `clients` is sent as `associatedClients`.
  Bank information's fields are all text (`userId`, `country`, `accountNumber`,
  `accountType`, `supportedBankId` or `bankName`, `clabe`, `documentNumber`,
  `rampType`): CSV cells are sent as written, leading zeros kept.

Safe to rerun
  Every row carries `Idempotency-Key: ingest-<24 hex of the file's SHA-256>-<row>`, so a
  rerun of the same file after a crash replays what was already done (the API keeps keys
  24 h). Bank accounts and blockchain wallets: rows with a `referenceId` are sent with
  `?upsert=true`, so a rerun after the keys expired updates those records instead of
  creating them twice. (A row without a `referenceId`, rerun after its key expired, is a
  409 `resource_already_exists`.) Bank information has no referenceId and no upsert
  query: its POST is itself create-or-update, keyed by the row's userId, country and
  accountNumber, so a rerun after the keys expired updates each record (200, also when
  nothing changed) and never creates one twice.
  The client retries 429, 5xx and in-flight 409s with backoff, reusing the row's key.

Outcomes
  created (201), updated (200), replayed (an answer the API replayed for the row's key,
  whatever its status), rejected (4xx, or a row the file itself gets wrong: bad CSV, a
  line that is not a JSON object, a JSON cell that is not JSON) and failed (5xx, 429 or
  a broken connection once the retries are spent: not the row's fault, a rerun may pass).
  Every rejected or failed row is one line of the report (JSON Lines): `row`, `line` (for
  CSV), `status` (null for a local error), `error` (`type`, `code`, `param`, `message`),
  `requestId`, `replayed` and `record` (the row as the file holds it). An authentication
  or permission error stops the run (`IngestAborted`): no other row would pass either.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final, TextIO

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from partner_sdk.client import PartnerClient
from partner_sdk.errors import AuthenticationError, PartnerApiError, PermissionDeniedError

__all__ = [
    "DEFAULT_CONCURRENCY",
    "MAX_RETRIES",
    "RESOURCES",
    "IngestAborted",
    "IngestFileError",
    "Outcome",
    "ProgressDisplay",
    "Resource",
    "Row",
    "RowError",
    "Summary",
    "csv_body",
    "default_report_path",
    "file_digest",
    "idempotency_key",
    "ingest",
    "read_rows",
]

CSV_SUFFIXES: Final = (".csv",)
JSONL_SUFFIXES: Final = (".jsonl", ".ndjson")
LIST_SEPARATOR: Final = ";"
LIST_FIELDS: Final = frozenset({"countries", "clients", "associatedClients"})
JSON_FIELDS: Final = frozenset({"riskHistory", "integrations", "customFields"})
CUSTOM_FIELD_PREFIX: Final = "customFields."
DEFAULT_CONCURRENCY: Final = 8
MAX_CONCURRENCY: Final = 64
#: retries per row (429, 5xx, in-flight 409, transport errors); the SDK's default is 2.
MAX_RETRIES: Final = 5
KEY_PREFIX: Final = "ingest"
DIGEST_HEX: Final = 24
LOCAL_ERROR: Final = "invalid_row"


@dataclass(frozen=True)
class Resource:
    name: str  # the CLI's word: bank-accounts
    path: str  # the collection: /v1/bank-accounts
    noun: str  # bank account
    #: Rows with a referenceId go with `?upsert=true`. False where the POST is itself
    #: create-or-update and takes no such query (bank information).
    upsert_by_reference: bool = True


RESOURCES: Final = {
    resource.name: resource
    for resource in (
        Resource("bank-accounts", "/v1/bank-accounts", "bank account"),
        Resource("blockchain-wallets", "/v1/blockchain-wallets", "blockchain wallet"),
        Resource(
            "bank-information",
            "/v1/bank-information",
            "bank information record",
            upsert_by_reference=False,
        ),
    )
}


class IngestFileError(Exception):
    """The file cannot be ingested at all (its kind, its CSV header, reading it)."""


class IngestAborted(Exception):
    """The API refused the credentials (401/403): the run stopped, `summary` is what was done."""

    def __init__(self, error: PartnerApiError, summary: Summary) -> None:
        super().__init__(str(error))
        self.error = error
        self.summary = summary


@dataclass(frozen=True)
class RowError:
    """Why a row was refused, the API's error envelope or a local one (`type` invalid_row)."""

    type: str
    code: str | None
    message: str
    param: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "code": self.code, "param": self.param, "message": self.message}


class _RowProblem(Exception):
    def __init__(self, code: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.error = RowError(LOCAL_ERROR, code, message, param)


@dataclass(frozen=True)
class Row:
    """One record of the file: its body to send, or the local error that stops it."""

    number: int
    source: Any  # the row as the file holds it: CSV cells by column, a JSON value, or text
    body: dict[str, Any] | None = None
    error: RowError | None = None
    line: int | None = None  # CSV: the line the record starts on


@dataclass(frozen=True)
class Outcome:
    """What became of one row (the answer itself is not kept)."""

    row: Row
    kind: str  # created | updated | replayed | rejected | failed
    status: int | None = None
    error: RowError | None = None
    request_id: str | None = None
    replayed: bool = False


OUTCOMES: Final = ("created", "updated", "replayed", "rejected", "failed")


@dataclass
class Summary:
    """Counts so far; `finished` is set once every row is answered."""

    file: str
    resource: str
    report: str
    estimated_rows: int = 0
    created: int = 0
    updated: int = 0
    replayed: int = 0
    rejected: int = 0
    failed: int = 0
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.replayed + self.rejected + self.failed

    @property
    def seconds(self) -> float:
        return (self.finished if self.finished is not None else time.monotonic()) - self.started

    @property
    def rows_per_second(self) -> float:
        seconds = self.seconds
        return self.rows / seconds if seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return not (self.rejected or self.failed)

    def add(self, kind: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)

    def counts(self) -> str:
        return ", ".join(f"{kind} {getattr(self, kind)}" for kind in OUTCOMES)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "resource": self.resource,
            "rows": self.rows,
            **{kind: getattr(self, kind) for kind in OUTCOMES},
            "report": self.report,
            "seconds": round(self.seconds, 3),
            "rowsPerSecond": round(self.rows_per_second, 1),
        }


# -- the file ----------------------------------------------------------------------------


def file_kind(path: Path) -> str:
    """`csv` or `jsonl`, from the file's suffix."""
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    expected = ", ".join((*CSV_SUFFIXES, *JSONL_SUFFIXES))
    raise IngestFileError(f"{path.name}: unknown file kind {suffix or '(no suffix)'!r}; expected {expected}")


def default_report_path(path: Path) -> Path:
    return path.with_name(path.name + ".report.jsonl")


def file_digest(path: Path) -> tuple[str, int]:
    """(the first 24 hex digits of the file's SHA-256, its number of lines), in one pass."""
    digest = hashlib.sha256()
    lines = 0
    last = b"\n"
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except OSError as exc:
        raise IngestFileError(f"cannot read {path}: {exc.strerror}") from exc
    if last != b"\n":
        lines += 1
    return digest.hexdigest()[:DIGEST_HEX], lines


def idempotency_key(digest: str, number: int) -> str:
    """`ingest-<24 hex of the file's SHA-256>-<row number>`: the same for the same file."""
    return f"{KEY_PREFIX}-{digest}-{number}"


def read_rows(handle: IO[bytes], kind: str) -> Iterator[Row]:
    """The file's rows, one at a time (`kind` is `csv` or `jsonl`)."""
    return read_csv(handle) if kind == "csv" else read_jsonl(handle)


def _undecodable(text: str) -> bool:
    """True when the text held bytes that are not UTF-8 (decoded with surrogateescape)."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


class _Lines:
    """Decoded lines for the csv module, remembering those of the record being read."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle
        self.count = 0
        self.current: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for raw in self._handle:
            text = raw.decode("utf-8", errors="surrogateescape")
            if self.count == 0:
                text = text.removeprefix("\ufeff")
            self.count += 1
            self.current.append(text)
            yield text

    def take(self) -> str:
        text, self.current = "".join(self.current), []
        return text


def read_csv(handle: IO[bytes]) -> Iterator[Row]:
    lines = _Lines(handle)
    reader = csv.reader(iter(lines), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise IngestFileError(f"the CSV header is not valid CSV: {exc}") from exc
    lines.take()
    columns = [name.strip() for name in header]
    if (
        any(not name for name in columns)
        or len(set(columns)) != len(columns)
        or _undecodable(",".join(columns))
    ):
        raise IngestFileError(f"the CSV header needs distinct, non-empty UTF-8 column names: {header!r}")
    number = 0
    while True:
        start = lines.count + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            problem = _RowProblem("csv_invalid", f"line {reader.line_num}: {exc}")
            yield Row(number, lines.take(), error=problem.error, line=start)
            continue
        text = lines.take()
        if not cells:  # a blank line is no record
            continue
        number += 1
        if len(cells) > len(columns):
            problem = _RowProblem("csv_invalid", f"{len(cells)} cells, but the header has {len(columns)}")
            yield Row(number, text.rstrip("\r\n"), error=problem.error, line=start)
            continue
        source = dict(zip(columns, cells, strict=False))
        if not any(cell.strip() for cell in cells):
            continue  # a row of empty cells (a spreadsheet's trailing rows): nothing to send
        try:
            yield Row(number, source, body=csv_body(source), line=start)
        except _RowProblem as problem:
            yield Row(number, source, error=problem.error, line=start)


def csv_body(cells: Mapping[str, str]) -> dict[str, Any]:
    """The request body of one CSV row (cells by column name); raises on a bad cell."""
    body: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for column, raw in cells.items():
        value = raw.strip()
        if not value:
            continue
        if _undecodable(value):
            raise _RowProblem("encoding_invalid", f"{column}: the cell is not UTF-8", column)
        if column.startswith(CUSTOM_FIELD_PREFIX):
            key = column.removeprefix(CUSTOM_FIELD_PREFIX)
            if not key:
                raise _RowProblem("column_invalid", "a customFields. column needs a key", column)
            custom[key] = value
        elif column in LIST_FIELDS:
            body[column] = _split(value)
        elif column in JSON_FIELDS:
            try:
                body[column] = json.loads(value)
            except ValueError as exc:
                raise _RowProblem("json_invalid", f"{column}: not JSON ({exc})", column) from exc
        else:
            body[column] = value
    if custom:
        fields = body.get("customFields", {})
        if not isinstance(fields, dict):
            raise _RowProblem("json_invalid", "customFields: not a JSON object", "customFields")
        body["customFields"] = {**fields, **custom}
    return normalise(body)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def normalise(body: dict[str, Any]) -> dict[str, Any]:
    """`clients` becomes `associatedClients` (a `;`-separated string is split)."""
    if "clients" not in body:
        return body
    if "associatedClients" in body:
        raise _RowProblem("column_invalid", "give clients or associatedClients, not both", "clients")
    out = {name: value for name, value in body.items() if name != "clients"}
    clients = body["clients"]
    out["associatedClients"] = _split(clients) if isinstance(clients, str) else clients
    return out


def read_jsonl(handle: IO[bytes]) -> Iterator[Row]:
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            source = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            yield Row(number, source, error=_RowProblem("encoding_invalid", f"not UTF-8: {exc}").error)
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except ValueError as exc:
            problem = _RowProblem("json_invalid", f"not JSON: {exc}")
            yield Row(number, text.rstrip("\r\n"), error=problem.error)
            continue
        if not isinstance(value, dict):
            problem = _RowProblem("not_an_object", f"a JSON {type(value).__name__}, not an object")
            yield Row(number, value, error=problem.error)
            continue
        try:
            yield Row(number, value, body=normalise(value))
        except _RowProblem as problem:
            yield Row(number, value, error=problem.error)


# -- sending -----------------------------------------------------------------------------


def send_row(client: PartnerClient, resource: Resource, row: Row, key: str) -> Outcome:
    """POST one row (with `?upsert=true` when it has a referenceId and the resource upserts
    by it); its outcome.

    Raises `AuthenticationError` and `PermissionDeniedError`: they end the run."""
    if row.error is not None or row.body is None:
        return Outcome(row, "rejected", error=row.error)
    upsert = resource.upsert_by_reference and row.body.get("referenceId") not in (None, "")
    params = {"upsert": True} if upsert else None
    try:
        response = client.post(resource.path, row.body, params=params, idempotency_key=key)
    except (AuthenticationError, PermissionDeniedError):
        raise
    except PartnerApiError as exc:
        replayed = exc.headers.get("Idempotency-Replayed", "").lower() == "true"
        error = RowError(exc.type or "http_error", exc.code, exc.message, exc.param)
        kind = "rejected" if 400 <= exc.status < 500 and exc.status != 429 else "failed"
        return Outcome(row, kind, exc.status, error, exc.request_id, replayed)
    except httpx.TransportError as exc:
        error = RowError("transport_error", type(exc).__name__, str(exc) or type(exc).__name__)
        return Outcome(row, "failed", error=error)
    kind = "created" if response.status == 201 else "updated"
    if response.replayed:
        kind = "replayed"
    return Outcome(row, kind, response.status, request_id=response.request_id, replayed=response.replayed)


def report_line(outcome: Outcome) -> str:
    row = outcome.row
    entry: dict[str, Any] = {"row": row.number}
    if row.line is not None:
        entry["line"] = row.line
    entry.update(
        {
            "status": outcome.status,
            "error": outcome.error.as_dict() if outcome.error else None,
            "requestId": outcome.request_id,
            "replayed": outcome.replayed,
            "record": row.source,
        }
    )
    return json.dumps(entry) + "\n"


ProgressHook = Callable[[Summary], None]


def ingest(
    client: PartnerClient,
    resource: Resource | str,
    path: str | Path,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    report_path: str | Path | None = None,
    progress: ProgressHook | None = None,
) -> Summary:
    """Send every row of `path`, at most `concurrency` requests in flight; returns the counts.

    Rejected and failed rows are written to `report_path` (default `<file>.report.jsonl`,
    truncated first) as they come. `progress` is called with the summary once before the
    first row (`estimated_rows` set), after every row, and once when done (`finished` set).
    Raises `IngestFileError` for a file that cannot be read at all, `IngestAborted` when
    the API refuses the credentials.
    """
    if isinstance(resource, str):
        resource = RESOURCES[resource]
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency must be 1..{MAX_CONCURRENCY}")
    path = Path(path)
    kind = file_kind(path)
    report = Path(report_path) if report_path is not None else default_report_path(path)
    digest, lines = file_digest(path)
    summary = Summary(
        file=str(path),
        resource=resource.name,
        report=str(report),
        estimated_rows=max(lines - 1, 0) if kind == "csv" else lines,
    )
    notify = progress or (lambda _: None)
    notify(summary)
    try:
        with path.open("rb") as handle, report.open("w", encoding="utf-8") as report_file:
            _run(client, resource, read_rows(handle, kind), digest, concurrency, summary, report_file, notify)
    except OSError as exc:
        raise IngestFileError(f"{exc.filename or path}: {exc.strerror or exc}") from exc
    summary.finished = time.monotonic()
    notify(summary)
    return summary


def _run(
    client: PartnerClient,
    resource: Resource,
    rows: Iterable[Row],
    digest: str,
    concurrency: int,
    summary: Summary,
    report: TextIO,
    notify: ProgressHook,
) -> None:
    """Keep `concurrency` workers busy with at most a few queued rows each: the file is read
    only as fast as the answers come back."""
    window = concurrency * 2
    pending: set[Future[Outcome]] = set()

    def record(outcome: Outcome) -> None:
        summary.add(outcome.kind)
        if outcome.kind in ("rejected", "failed"):
            report.write(report_line(outcome))
            report.flush()
        notify(summary)

    def drain(down_to: int) -> None:
        nonlocal pending
        while len(pending) > down_to:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                record(future.result())

    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="ingest")
    try:
        for row in rows:
            if row.error is not None:
                record(Outcome(row, "rejected", error=row.error))
                continue
            pending.add(pool.submit(send_row, client, resource, row, idempotency_key(digest, row.number)))
            if len(pending) >= window:
                drain(window - 1)
        drain(0)
    except (AuthenticationError, PermissionDeniedError) as exc:
        summary.finished = time.monotonic()
        raise IngestAborted(exc, summary) from exc
    finally:  # on an abort or Ctrl-C: drop the queued rows, let the ones in flight end
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


# -- progress ----------------------------------------------------------------------------


class ProgressDisplay:
    """Progress on `console` (stderr): a rich bar (rows, rows/s, counts) on a terminal;
    elsewhere (a log, a pipe) a plain line at most every `interval` seconds and at the end:
    `progress: 5000/10000 rows, 812.4 rows/s (created 4998, ...)`."""

    def __init__(self, console: Console, label: str, *, interval: float = 1.0) -> None:
        self.console = console
        self.label = label
        self.interval = interval
        self._bar: Progress | None = None
        self._task: Any = None
        self._last = 0.0

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __call__(self, summary: Summary) -> None:
        if self.console.is_terminal:
            self._draw(summary)
            return
        now = time.monotonic()
        if summary.finished is not None or now - self._last >= self.interval:
            self._last = now
            total = max(summary.estimated_rows, summary.rows)
            if summary.finished is not None:
                total = summary.rows
            self.console.print(
                f"progress: {summary.rows}/{total} rows, {summary.rows_per_second:.1f} rows/s "
                f"({summary.counts()})",
                markup=False,
                highlight=False,
            )

    def _draw(self, summary: Summary) -> None:
        if self._bar is None:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} rows/s"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[counts]}"),
                console=self.console,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=summary.estimated_rows, rate="0", counts="")
        total = summary.rows if summary.finished is not None else max(summary.estimated_rows, summary.rows)
        self._bar.update(
            self._task,
            completed=summary.rows,
            total=total,
            rate=f"{summary.rows_per_second:.0f}",
            counts=summary.counts(),
        )
        if summary.finished is not None:
            self.close()
