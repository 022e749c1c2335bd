"""Smoke test of the benchmark command (bench/): each measurement runs with a tiny N and
returns numbers of the right shape, and every table renders. No threshold is asserted:
the figures are for people, and this machine is shared and noisy."""

from __future__ import annotations

import math
from collections.abc import Sequence
from io import StringIO

import pytest
from rich.console import Console, RenderableType

from bench_suite import (
    Stats,
    capacity,
    cold_start,
    cost,
    hot_accounts,
    latency,
    main,
    percentile,
    pipeline_cpu,
    restore,
    round_trips,
)


@pytest.fixture(scope="module", autouse=True)
def layer_logger_made_first() -> None:
    """The layer's Powertools Logger writes to the stdout it was made with. Made during a
    test that captures stdout (capsys), it would keep that test's stream, closed once the
    test ends, and a later measurement could not redirect it. Made here, before any test
    of this module, it gets the session's stream."""
    import core.platform.observability  # noqa: F401


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
    assert set(cold.series) == {
        cold_start.PYTHON,
        cold_start.BARE,
        cold_start.REFERENCE,
        cold_start.FLOOR,
        "ListSigningKeysFunction",
    }
    for name, series in cold.series.items():
        if name != cold_start.BARE:
            assert len(series.cold_ms) == 2 and all(is_number(ms) for ms in series.cold_ms)
    # And every process but the bare interpreter ran beside a bare handler of its own, each round
    assert len(cold.series[cold_start.BARE].cold_ms) == 2 * 3
    for name in ("ListSigningKeysFunction", cold_start.FLOOR, cold_start.REFERENCE):
        assert len(cold.series[name].paired) == 2 and all(is_number(r) for r in cold.series[name].paired)
        assert is_number(cold.paired_ratio(name))
    assert cold.series[cold_start.PYTHON].paired == []
    assert is_number(cold.handler_ratio("ListSigningKeysFunction"))
    assert is_number(cold.handler_ratio(cold_start.FLOOR))
    # And one first verification per scheme (simple in even rounds, RFC 9421 in odd ones)
    assert [len(cold.first_verify[s].ms) for s in cold_start.SCHEMES] == [1, 1]
    assert all(is_number(ms) for s in cold_start.SCHEMES for ms in cold.first_verify[s].ms)
    # And an import profile of the handler beside the bare handler's
    assert cold.profile is not None and len(cold.profile.top_cumulative) == 10
    assert all(is_number(e.cumulative_ms) for e in cold.profile.top_cumulative)
    assert "ListSigningKeysFunction" in render(cold_start.tables(cold))
    # And the handler's ratio to the reference handler, printed as context
    assert is_number(cold.reference_ratio("ListSigningKeysFunction"))
    assert "handler/reference paired" in render(cold_start.tables(cold))
    assert len(cold_start.summary(cold)) == 4  # handler/bare, /reference, the floor, first verify


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
    # Given three iterations per case in two rounds, Then every series has three CPU samples
    # in µs and a mean for each round (2 + 1 iterations)
    result = pipeline_cpu.measure(iterations=3, warmup=1, rounds=2)
    assert result.rounds == 2
    assert [(c.kind, c.scheme) for c in result.cases] == [(k, s) for k, _, s in pipeline_cpu.CASES]
    for case in result.cases:
        assert 200 <= case.status < 300
        for stats in (case.total, case.pipeline, case.verify, case.ed25519, case.log):
            assert stats.n == 3 and is_number(stats.mean) and is_number(stats.p99)
        for name in pipeline_cpu.SERIES:
            assert len(case.round_means[name]) == 2 and is_number(case.steady(name))
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


def s_(value: str) -> dict[str, str]:
    return {"S": value}


def test_item_sizes_and_units_follow_dynamodb_rules() -> None:
    # Names and values in UTF-8 bytes; a number by significant digits; a map or list 3 bytes
    # plus 1 per element; a boolean 1 byte
    assert capacity.item_size({"PK": s_("T#1"), "név": s_("é")}) == 2 + 3 + 4 + 2
    assert capacity.value_size({"N": "-001230.4500"}) == 4  # significant digits 123045: 3 bytes, + 1
    assert capacity.value_size({"M": {"a": s_("xy"), "b": {"BOOL": True}}}) == 3 + (1 + 1 + 2) + (1 + 1 + 1)
    assert capacity.value_size({"L": [s_("x"), {"NULL": True}]}) == 3 + 2 + 2
    # Reads round up to 4 KB, writes to 1 KB; nothing read still costs a unit's worth
    assert capacity.read_units(0) == 0.5 and capacity.read_units(4097, consistent=True) == 2
    assert capacity.read_units(100, transactional=True) == 2
    assert capacity.write_units(1025) == 2 and capacity.write_units(10, transactional=True) == 2


def test_index_writes_follow_what_the_index_sees() -> None:
    shape = capacity.TableShape(("PK", "SK"), (capacity.Index("GSI1", ("G1PK", "G1SK"), "ALL"),))
    base = {"PK": s_("T#1"), "SK": s_("cus_1")}
    listed = {**base, "G1PK": s_("L#customers"), "G1SK": s_("cus_1")}
    assert capacity.index_write_units(shape, None, base) == 0  # never in the index
    assert capacity.index_write_units(shape, None, listed) == 1  # put into it
    assert capacity.index_write_units(shape, listed, listed) == 0  # unchanged
    assert capacity.index_write_units(shape, listed, {**listed, "x": s_("y")}) == 1  # updated in place
    assert capacity.index_write_units(shape, listed, {**listed, "G1SK": s_("cus_2")}) == 2  # key moved
    assert capacity.index_write_units(shape, listed, None) == 1  # removed


@pytest.mark.slow
def test_cost_counts_units_and_prices_each_request_type() -> None:
    # Given one counted request per type against moto, Then each has units, a duration and a cost
    result = cost.measure(1, customers=2)
    names = [t.name for t in result.types]
    assert "create customer" in names and "idempotent replay (create customer)" in names
    for t in result.types:
        assert len(t.samples) == 1 and all(200 <= s.status < 300 for s in t.samples)
        assert t.round_trips >= 1 and t.billed_ms >= 1 and is_number(t.own_ms)
        assert t.cost.total > 0 and (t.met is None) == (t.kind == "read")
    create = result.get("create customer")
    assert create.mean(lambda s: s.write_units) >= 2  # a transaction: two units per item at least
    assert create.mean(lambda s: s.index_write_units) > 0  # the customer is listed in a GSI
    assert result.get("get customer").mean(lambda s: s.read_units) > 0
    for t in result.types:
        if t.kind == "write":  # the usual design is priced from the same items
            assert t.usual_cost.total > 0 and t.ratio > 0 and t.items
    replay = result.get("idempotent replay (create customer)")
    assert [u.round_trips for u in replay.usual] == [1]  # Powertools' put fails on the record
    rendered = render(cost.tables(result))
    assert "ours / usual" in rendered and "customer Put" in rendered
    assert len(cost.summary(result)) == len(result.types)


def test_every_partner_write_route_has_a_cost_case() -> None:
    from bench_suite import cost_writes, template
    from localapi.template import routes

    writes = {
        r.route_key
        for r in routes(template())
        if r.route_key.split(" ")[0] in ("POST", "PATCH", "PUT", "DELETE")
    }
    assert writes - cost_writes.routes_measured() == set()


@pytest.mark.slow
def test_latency_through_the_local_api() -> None:
    # Given the local API and two requests of each kind, Then both kinds are timed
    result = latency.measure(requests=2, concurrency=1)
    assert [len(s.latencies_ms) + sum(s.errors.values()) for s in result.series] == [2, 2]
    assert all(is_number(ms) for s in result.series for ms in s.latencies_ms)
    assert "requests/s" in render(latency.tables(result))
    assert len(latency.summary(result)) == 2


@pytest.mark.slow
def test_hot_accounts_through_the_local_api() -> None:
    # Given the local API with conflicts emulated and two transactions per series,
    # Then both hot accounts are timed and their retried conflicts counted
    result = hot_accounts.measure(requests=2, concurrency=1, holds=(10,), destinations=2)
    assert [h.series.name for h in result.series] == ["external", "settlement"]
    assert [h.booked + sum(h.series.errors.values()) for h in result.series] == [2, 2]
    assert all(h.transactions >= h.booked for h in result.series)
    assert "conflicts retried" in render(hot_accounts.tables(result))
    assert len(hot_accounts.summary(result)) == 1


def test_restore_times_first_and_warm_requests_of_each_case() -> None:
    # Given two environments restored from each function's snapshot,
    # Then each case has a first request per environment, its warm ones and its page faults
    result = restore.measure(environments=2)
    assert [c.name for c in result.cases] == [name for name, *_ in restore.CASES]
    for case in result.cases:
        assert len(case.first_ms) == len(case.page_faults) == 2
        assert len(case.warm_ms) == 2 * restore.WARM
        assert case.ratio > 0 and case.unforked_ratio > 0 and case.imported == 0
    assert "page faults" in render(restore.tables(result))
    assert len(restore.summary(result)) == len(restore.CASES)


def test_main_rejects_a_bad_latency_concurrency() -> None:
    with pytest.raises(SystemExit):
        main.parse_args(["--latency-concurrency", "0"])


@pytest.mark.filterwarnings("ignore:No application metrics")  # the rejected request adds none
def test_the_reference_handler_serves_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the reference handler imported under moto (outside Lambda: its Tracer is off)
    import importlib.util
    import json

    import boto3
    from moto import mock_aws

    from bench_suite import reference

    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "TABLE_NAME": "reference-customers",
        "POWERTOOLS_SERVICE_NAME": "reference",
        "POWERTOOLS_METRICS_NAMESPACE": "Reference",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName="reference-customers",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        spec = importlib.util.spec_from_file_location(
            "bench_reference_app", reference.REFERENCE_HANDLER_DIR / "app.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)

        class Context:
            function_name, memory_limit_in_mb, aws_request_id = "reference", 512, "req-1"
            invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:reference"

        def event(body: dict[str, str]) -> dict[str, object]:
            return {
                "resource": "/v1/customers",
                "path": "/v1/customers",
                "httpMethod": "POST",
                "headers": {"Content-Type": "application/json"},
                "multiValueHeaders": {"Content-Type": ["application/json"]},
                "queryStringParameters": None,
                "multiValueQueryStringParameters": None,
                "pathParameters": None,
                "requestContext": {"requestId": "req-1", "stage": "v1", "httpMethod": "POST"},
                "body": json.dumps(body),
                "isBase64Encoded": False,
            }

        # When it is sent a valid customer, and an invalid one
        created = module.lambda_handler(event({"name": "Ada", "country": "GB"}), Context())
        invalid = module.lambda_handler(event({"name": "Ada", "country": "gb"}), Context())
        # Then it stores the first and rejects the second with a validation error
        assert created["statusCode"] == 200, created["body"]
        assert json.loads(created["body"])["id"].startswith("cus_")
        assert invalid["statusCode"] == 422
        assert boto3.client("dynamodb").scan(TableName="reference-customers")["Count"] == 1
