"""`partner ingest`: bulk-load bank accounts, blockchain wallets and bank information from
a file (`partner_sdk.ingest` does the work; this is its command line)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from partner_sdk import ingest as bulk
from partner_sdk.cli._common import JsonOption, cell, client, fail, print_json, stderr, stdout

app = typer.Typer(
    help="Bulk-load bank accounts, blockchain wallets and bank information from a CSV or JSON Lines file.",
    no_args_is_help=True,
)

IngestFile = Annotated[
    Path,
    typer.Argument(
        help="A .csv or .jsonl/.ndjson file, one record per row.", exists=True, dir_okay=False, readable=True
    ),
]
ConcurrencyOption = Annotated[
    int,
    typer.Option("--concurrency", min=1, max=bulk.MAX_CONCURRENCY, help="Requests in flight at once."),
]
ReportOption = Annotated[
    Path | None,
    typer.Option("--report", help="Where rejected rows go, one JSON line each (default: FILE.report.jsonl)."),
]
ProgressEveryOption = Annotated[
    float,
    typer.Option(
        "--progress-every", min=0.0, help="Seconds between progress lines when stderr is not a terminal."
    ),
]
SUMMARY_LABELS = {
    "rows": "rows",
    "created": "created (201)",
    "updated": "updated (200)",
    "replayed": "replayed (same file and row again)",
    "rejected": "rejected (4xx or a bad row)",
    "failed": "failed (5xx, 429, connection)",
    "rowsPerSecond": "rows/s",
    "seconds": "seconds",
    "report": "report",
}


def _ingest(
    ctx: typer.Context,
    resource: str,
    file: Path,
    concurrency: int,
    report: Path | None,
    progress_every: float,
    as_json: bool,
) -> None:
    try:
        bulk.file_kind(file)
    except bulk.IngestFileError as exc:
        raise fail(str(exc)) from exc
    target = bulk.RESOURCES[resource]
    with client(ctx) as api:
        api.max_retries = max(api.max_retries, bulk.MAX_RETRIES)
        try:
            with bulk.ProgressDisplay(stderr(), f"{target.noun}s", interval=progress_every) as progress:
                summary = bulk.ingest(
                    api, target, file, concurrency=concurrency, report_path=report, progress=progress
                )
        except bulk.IngestFileError as exc:
            raise fail(str(exc)) from exc
        except bulk.IngestAborted as exc:
            raise fail(f"the API refused the run after {exc.summary.rows} row(s): {exc.error}", 1) from exc
    result = summary.as_dict()
    if as_json:
        print_json(result, as_json=True)
    else:
        table = Table(
            title=f"Ingested {file.name} into {target.path}", show_header=False, title_justify="left"
        )
        table.add_column("figure", no_wrap=True)
        table.add_column("value", overflow="fold")
        for name, label in SUMMARY_LABELS.items():
            table.add_row(label, cell(result[name]))
        stdout().print(table)
    if not summary.ok:
        raise typer.Exit(1)


HELP = {
    "bank-accounts": """POST /v1/bank-accounts for every row (upsert when it has a referenceId).

    CSV columns are the body's fields (countries and clients `;`-separated,
    customFields.<key> columns, JSON text in riskHistory); JSON Lines rows are the
    bodies. Safe to rerun: each row's Idempotency-Key comes from the file and the row.
    Exit 0 when no row was rejected, 1 otherwise (see the report).
    """,
    "blockchain-wallets": """POST /v1/blockchain-wallets for every row (upsert when it has a referenceId).

    As `ingest bank-accounts`; riskHistory and integrations cells hold JSON text.
    """,
    "bank-information": """POST /v1/bank-information for every row (no upsert query: none is needed).

    The POST itself creates the record (201) or updates the one of the same
    userId, country and accountNumber (200). Safe to rerun: each row's
    Idempotency-Key comes from the file and the row, so within 24 h a rerun
    replays the rows; later it updates the records (200), never creating one
    twice. CSV columns are the body's fields (userId, country, accountNumber,
    accountType, supportedBankId or bankName, clabe, documentNumber, rampType),
    sent as text; JSON Lines rows are the bodies.
    Exit 0 when no row was rejected, 1 otherwise (see the report).
    """,
}


def _command(resource: str) -> None:
    """`partner ingest <resource> FILE`: the same options for every resource."""

    def command(
        ctx: typer.Context,
        file: IngestFile,
        concurrency: ConcurrencyOption = bulk.DEFAULT_CONCURRENCY,
        report: ReportOption = None,
        progress_every: ProgressEveryOption = 1.0,
        as_json: JsonOption = False,
    ) -> None:
        _ingest(ctx, resource, file, concurrency, report, progress_every, as_json)

    app.command(resource, help=HELP[resource])(command)


for _resource in bulk.RESOURCES:
    _command(_resource)
