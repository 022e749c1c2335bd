"""The long fuzzing run: schemathesis against the local API from its OpenAPI document
(`localapi.fuzzing`, the runner the test suite's short run uses), every phase, at least
`--fuzz-examples` generated requests per operation, a new seed each run.

The local API runs as `make run` starts it (`localapi serve`, a subprocess on free
ports); the fuzzer onboards a partner of its own in it and signs every request with the
partner SDK's signing code. Printed per operation: the requests sent (and in which
phase), the statuses answered, and the failures of the checks (no 5xx; every status,
content type, header and body as the document describes). Each distinct failure is
printed with a curl command that replays it; the refusals of schema-valid requests that a
rule no schema can state explains are counted per operation ("excused").
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from bench_suite import SummaryRow, fmt
from bench_suite.local_api import local_api
from localapi import fuzzing

PHASES = ("examples", "coverage", "fuzzing", "stateful")
# Runs of linked calls in the stateful phase, per generated example of an operation.
SEQUENCES_PER_EXAMPLE = 0.2


@dataclass(frozen=True)
class FuzzResult:
    examples: int
    seed: int
    report: fuzzing.FuzzReport


def measure(examples: int) -> FuzzResult:
    seed = random.SystemRandom().randrange(2**31)
    with tempfile.TemporaryDirectory(prefix="bench-fuzz-") as folder, local_api(Path(folder)) as api:
        report = fuzzing.run(
            api.base_url,
            api.credentials,
            examples=examples,
            sequences=max(1, round(examples * SEQUENCES_PER_EXAMPLE)),
            phases=PHASES,
            seed=seed,
            workers=2,  # one generates and checks while the other waits for the API
        )
    return FuzzResult(examples, seed, report)


def tables(result: FuzzResult) -> list[RenderableType]:
    report = result.report
    table = Table(
        title=f"Fuzzing: {report.requests:,} requests in {report.seconds:,.0f} s, seed {result.seed}, "
        f"{result.examples:,} examples per operation"
    )
    table.add_column("operation")
    table.add_column("requests", justify="right")
    for phase in PHASES:
        table.add_column(phase, justify="right")
    table.add_column("statuses")
    table.add_column("excused", justify="right")  # refusals a rule no schema states explains
    table.add_column("failures", justify="right")
    for label, tally in sorted(report.operations.items()):
        table.add_row(
            label,
            f"{tally.requests:,}",
            *(f"{tally.by_phase.get(phase, 0):,}" for phase in PHASES),
            " ".join(f"{status}:{n}" for status, n in sorted(tally.statuses.items())),
            f"{sum(tally.excused.values()):,}",
            f"[red]{sum(tally.failures.values())}[/red]" if tally.failures else "0",
        )
    out: list[RenderableType] = [table]
    signed = ", ".join(f"{scheme} {n:,}" for scheme, n in sorted(report.signed.items()))
    out.append(
        Text(f"signed: {signed}; not fuzzed: " + "; ".join(f"{k} ({v})" for k, v in report.excluded.items()))
    )
    excused: dict[str, int] = {}
    for tally in report.operations.values():
        for rule, n in tally.excused.items():
            excused[rule] = excused.get(rule, 0) + n
    if excused:
        out.append(
            Text(
                "excused refusals of schema-valid requests (rules no schema can state, "
                "localapi/fuzz_exclusions.py): "
                + ", ".join(f"{rule} {n:,}" for rule, n in sorted(excused.items()))
            )
        )
    for label, tally in sorted(report.operations.items()):
        if tally.unanswered or tally.endings:
            endings = "; ".join(f"{ending} x{n}" for ending, n in sorted(tally.endings.items()))
            out.append(Text(f"{label}: {tally.unanswered} unanswered; {endings}", style="yellow"))
    for failure in report.failures:
        out.append(Text(failure.describe(), style="red"))
    for error in report.errors:
        out.append(Text(error, style="red"))
    return out


def summary(result: FuzzResult) -> list[SummaryRow]:
    report = result.report
    fewest = min((tally.requests for tally in report.operations.values()), default=0)
    server_errors = sum(
        n for tally in report.operations.values() for status, n in tally.statuses.items() if status >= 500
    )
    return [
        SummaryRow(
            f"fuzz requests, fewest per operation ({len(report.operations)} operations)",
            fmt(fewest),
            f">= {result.examples:,}",
            fewest >= result.examples,
        ),
        SummaryRow("fuzz 5xx answers", fmt(server_errors), "0", server_errors == 0),
        SummaryRow(
            "fuzz failures (distinct) and errors",
            f"{len(report.failures)} / {len(report.errors)}",
            "0 / 0",
            not report.failures and not report.errors,
        ),
    ]
