"""The per-request log line: one JSON object holding the request's fields and, where
metrics are enabled, its EMF metrics; other records keep Powertools' format."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from core.platform import observability

FIELDS = {"requestId": "req_1", "tenant": "ptn_1", "method": "POST", "path": "/v1/signing-keys"}


@contextmanager
def _captured(level: int = logging.INFO) -> Iterator[io.StringIO]:
    """What the layer's logger writes meanwhile, at `level`; stream and level restored."""
    handler = observability.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    sink = io.StringIO()
    previous = handler.setStream(sink)
    saved = observability.logger.log_level
    observability.logger.setLevel(level)
    try:
        yield sink
    finally:
        handler.setStream(previous)
        observability.logger.setLevel(saved)


def _record(monkeypatch: pytest.MonkeyPatch, *, metrics: bool, status: int) -> dict[str, Any]:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false" if metrics else "true")
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    with _captured() as sink:
        observability.record("POST /v1/signing-keys", status, 12.3456, dict(FIELDS))
    written = sink.getvalue().splitlines()
    assert len(written) == 1
    return json.loads(written[0])


def test_the_request_line_carries_its_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    line = _record(monkeypatch, metrics=False, status=201)
    assert line["level"] == "INFO" and line["message"] == "request"
    assert line["service"] == observability.logger.service
    assert (line["route"], line["status"], line["latencyMs"]) == ("POST /v1/signing-keys", 201, 12.346)
    assert {k: line[k] for k in FIELDS} == FIELDS
    assert "_aws" not in line  # metrics disabled: no EMF document


@pytest.mark.parametrize(("status", "outcome"), [(201, None), (404, "ClientErrors"), (503, "ServerErrors")])
def test_the_request_line_is_an_emf_document(
    monkeypatch: pytest.MonkeyPatch, status: int, outcome: str | None
) -> None:
    before = int(time.time() * 1000)
    line = _record(monkeypatch, metrics=True, status=status)
    emf = line["_aws"]
    assert before <= emf["Timestamp"] <= int(time.time() * 1000)
    (directive,) = emf["CloudWatchMetrics"]
    assert directive["Namespace"] == observability.metrics.namespace
    assert ["route"] in directive["Dimensions"]
    names = {m["Name"] for m in directive["Metrics"]}
    assert names == {"Requests", "Latency"} | ({outcome} if outcome else set())
    # Every metric and dimension the directive names is a member of the line itself.
    assert line["route"] == "POST /v1/signing-keys"
    assert line["Requests"] == [1.0] and line["Latency"] == [12.3456]
    if outcome:
        assert line[outcome] == [1.0]
    for other in {"ClientErrors", "ServerErrors"} - {outcome}:
        assert other not in line


def test_each_request_gets_its_own_timestamp_and_values(monkeypatch: pytest.MonkeyPatch) -> None:
    first = _record(monkeypatch, metrics=True, status=200)
    time.sleep(0.005)
    second_line = observability._emf("POST /v1/signing-keys", 200, 99.5)
    assert second_line["_aws"]["Timestamp"] > first["_aws"]["Timestamp"]
    assert second_line["Latency"] == [99.5] and first["Latency"] == [12.3456]
    # The cached document is never handed out or changed by a request.
    template = observability._EMF_TEMPLATES[("POST /v1/signing-keys", None)]
    assert template is not second_line and template["_aws"] is not second_line["_aws"]
    assert template["Latency"] == [0.0]


def test_other_records_keep_powertools_format(monkeypatch: pytest.MonkeyPatch) -> None:
    with _captured() as sink:
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            observability.exception("unhandled error")
    (line,) = (json.loads(x) for x in sink.getvalue().splitlines())
    assert line["level"] == "ERROR" and line["message"] == "unhandled error"
    assert "RuntimeError: boom" in line["exception"] and line["exception_name"] == "RuntimeError"


def test_the_request_line_goes_to_the_logger_powertools_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    # The line is handed to Powertools' own standard-library logger (its handler, formatter
    # and level), not to a logger of its own.
    assert observability._stdlib is logging.getLogger(observability.logger.service)
    assert observability.logger.registered_handler in observability._stdlib.handlers
    # And with the level above INFO nothing is written
    with _captured(logging.WARNING) as sink:
        observability.record("GET /v1/signing-keys", 200, 1.0, dict(FIELDS))
    assert sink.getvalue() == ""
