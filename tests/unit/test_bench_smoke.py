"""Smoke test of the benchmark command (bench/): each measurement runs with a tiny N and
returns numbers of the right shape, and every table renders. No threshold is asserted:
the figures are for people, and this machine is shared and noisy."""

from __future__ import annotations

import math
from collections.abc import Sequence
from io import StringIO

import pytest
from rich.console import Console, RenderableType

from bench_suite import Stats, cold_start, main, percentile, pipeline_cpu, round_trips


def render(renderables: Sequence[RenderableType]) -> str:
    sink = StringIO()
    console = Console(file=sink, width=200)
    for renderable in renderables:
        console.print(renderable)
    return sink.getvalue()


def is_number(value: float) -> bool:
    return isinstance(value, float | int) and not math.isnan(value) and value >= 0


def test_stats_summarise_any_non_empty_sample() -> None:
    # Given a sample, When summarised, Then the percentiles interpolate between its values
    stats = Stats.of([4.0, 1.0, 3.0, 2.0])
    assert (stats.n, stats.mean, stats.p50) == (4, 2.5, 2.5)
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(Stats.of([]).mean)


@pytest.fixture(scope="module")
def cold() -> cold_start.ColdStartResult:
    return cold_start.measure(2, only=["ListSigningKeysFunction"], warmup=False)


def test_cold_start_times_every_process_kind(cold: cold_start.ColdStartResult) -> None:
    # Given two rounds over one handler, Then each process kind has two cold-start samples
    assert set(cold.series) == {cold_start.PYTHON, cold_start.BARE, "ListSigningKeysFunction"}
    for series in cold.series.values():
        assert len(series.cold_ms) == 2 and all(is_number(ms) for ms in series.cold_ms)
    assert is_number(cold.handler_ratio("ListSigningKeysFunction"))
    # And one first verification per scheme (simple in even rounds, RFC 9421 in odd ones)
    assert [len(cold.first_verify[s].ms) for s in cold_start.SCHEMES] == [1, 1]
    assert all(is_number(ms) for s in cold_start.SCHEMES for ms in cold.first_verify[s].ms)
    # And an import profile of the handler beside the bare handler's
    assert cold.profile is not None and len(cold.profile.top_cumulative) == 10
    assert all(is_number(e.cumulative_ms) for e in cold.profile.top_cumulative)
    assert "ListSigningKeysFunction" in render(cold_start.tables(cold))
    assert len(cold_start.summary(cold)) == 2


def test_importtime_lines_are_parsed() -> None:
    stderr = (
        "import time: self [us] | cumulative | imported package\n"
        "import time:       250 |        250 |   _json\n"
        "import time:      1000 |       1250 | json\n"
        "unrelated line\n"
    )
    assert cold_start.parse_importtime(stderr) == [
        cold_start.ImportEntry("_json", 0.25, 0.25),
        cold_start.ImportEntry("json", 1.0, 1.25),
    ]


def test_pipeline_cpu_measures_each_case() -> None:
    # Given three iterations per case, Then every series has three CPU samples in µs
    result = pipeline_cpu.measure(iterations=3, warmup=1)
    assert [(c.kind, c.scheme) for c in result.cases] == [(k, s) for k, _, s in pipeline_cpu.CASES]
    for case in result.cases:
        assert 200 <= case.status < 300
        for stats in (case.total, case.pipeline, case.verify, case.ed25519, case.log):
            assert stats.n == 3 and is_number(stats.mean) and is_number(stats.p99)
        assert math.isfinite(case.domain_us) and math.isfinite(case.pipeline_without_verify_us)
    assert "signed write (rfc9421)" in render(pipeline_cpu.tables(result))
    assert len(pipeline_cpu.summary(result)) == len(pipeline_cpu.CASES)


def test_round_trips_count_calls_per_request() -> None:
    # Given moto in-process, Then each scenario reports calls by operation for three requests
    result = round_trips.measure()
    names = [row.name for row in result.rows]
    assert "list signing keys" in names and "idempotent replay (create)" in names
    for row in result.rows:
        for trip in (row.first, row.second, row.warm):
            assert isinstance(trip.status, int) and trip.status < 500
            assert all(isinstance(n, int) and n > 0 for n in trip.calls.values())
            assert trip.total == sum(trip.calls.values())
    listing = result.rows[names.index("list signing keys")]
    assert "Query" in listing.warm.calls and listing.target == 1
    assert "TransactWriteItems" in render(round_trips.tables(result))


def test_main_runs_one_section_and_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["--only", "cpu", "--iterations", "2"]) == 0
    out = capsys.readouterr().out
    assert "Pipeline CPU" in out and "Summary" in out


def test_main_rejects_a_zero_count() -> None:
    with pytest.raises(SystemExit):
        main.parse_args(["--runs", "0"])
