"""The OpenAPI document over HTTP, and a short schemathesis run against the local API from
that document (`localapi.fuzzing`; the long run is `bench --only fuzz`), its checks
including positive_data_acceptance: the document is as strict as the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from localapi import fuzz_exclusions, fuzzing

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT_FILE = ROOT / "layers/core/python/core/platform/openapi.json"
# Generated cases per operation and generation mode (positive, negative) in the fuzzing
# phase, and sequences of linked calls in the stateful phase. A fixed seed
# keeps the CI run the same from one run to the next. The coverage phase (boundary values
# of every field, some 2,000 requests) is left to `bench --only fuzz`, which also explores.
EXAMPLES = 5
SEQUENCES = 10
SEED = 20260223
PHASES = ("examples", "fuzzing", "stateful")


def test_the_document_is_public_and_is_the_committed_one(local_api: tuple[str, Path]) -> None:
    base_url, _ = local_api
    reply = httpx.get(f"{base_url}/v1/openapi.json", timeout=30)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.headers["Request-Id"].startswith("req_")
    assert reply.text == DOCUMENT_FILE.read_text(encoding="utf-8")


def _table(report: fuzzing.FuzzReport) -> str:
    lines = [f"{report.requests} requests in {report.seconds:.0f} s; signed {dict(report.signed)}"]
    for label, tally in sorted(report.operations.items()):
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(tally.statuses.items()))
        excused = ", ".join(f"{rule}: {n}" for rule, n in sorted(tally.excused.items()))
        lines.append(
            f"{label:58} {tally.requests:4}  {statuses}" + (f"  (excused {excused})" if excused else "")
        )
    return "\n".join(lines)


def _fuzzed_operations() -> set[str]:
    """Every operation of the document but the excluded ones and the document itself
    (schemathesis never calls the URL it loaded the schema from)."""
    document: dict[str, Any] = json.loads(DOCUMENT_FILE.read_text(encoding="utf-8"))
    return {
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
        if operation["operationId"] not in fuzzing.EXCLUDED and path != fuzzing.DOCUMENT_PATH
    }


def test_fuzzing_finds_no_server_error_and_no_answer_the_document_does_not_describe(
    local_api: tuple[str, Path],
) -> None:
    base_url, credentials = local_api
    report = fuzzing.run(
        base_url, credentials, examples=EXAMPLES, sequences=SEQUENCES, phases=PHASES, seed=SEED
    )
    table = _table(report)
    print(table)

    assert not report.errors, "\n".join(report.errors)
    # positive_data_acceptance among them: no schema-valid request is refused but for stored
    # data (404, 409, 422) or a rule of `fuzz_exclusions.UNSTATED` that it really breaks.
    assert "positive_data_acceptance" in fuzzing.CHECKS
    assert not report.failures, "\n\n".join(failure.describe() for failure in report.failures)
    rules = {rule.name for rule in fuzz_exclusions.UNSTATED}
    for label, tally in report.operations.items():
        assert set(tally.excused) <= rules, label
    for label, tally in report.operations.items():
        assert not tally.unanswered and not tally.endings, f"{label}: {tally}"
    assert set(report.operations) == _fuzzed_operations(), table
    # Signed with both schemes, the requests got past authentication to every operation ...
    assert report.signed["rfc9421"] > 0 and report.signed["simple"] > 0
    for label, tally in report.operations.items():
        assert set(tally.statuses) - {401}, f"{label} answered nothing but 401\n{table}"
    # ... and creates fed their ids to the operations that read them (links, and the ids
    # schemathesis keeps from earlier answers): every read answered 200 at least once.
    for label, tally in report.operations.items():
        if label.startswith("GET "):
            assert tally.successes > 0, f"{label} never answered 2xx\n{table}"
